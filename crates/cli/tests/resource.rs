//! `authlab resource`, the second service, as a separate process beside a real issuer: it
//! accepts the issuer's EdDSA tokens with nothing but the JWKS (Redis stopped, the issuer even
//! killed), refuses tampered ones, follows a key rotation through the JWKS, and asks the
//! issuer's `/introspect` about the tokens it cannot check itself.
//!
//! The introspection path is shown with both kinds of token a service without the issuer's
//! secret cannot check itself: an HS256 JWT, and the opaque bearer tokens of `/session` and
//! `/memory`.

use std::{path::Path, time::Duration};

use authlab_procs::{AppCommand, AppProcess};
use authlab_testkit::{extract_csrf_token, RedisServer, ALICE};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;

const BINARY: &str = env!("CARGO_BIN_EXE_authlab");
/// Generous: the suite runs on two busy cores.
const DEADLINE: Duration = Duration::from_secs(20);

/// The issuer's teacher password: rotating its key is a teacher's tool.
const TEACHER: &str = "the-resource-tests-teacher";

async fn issuer(redis: &RedisServer, alg: &str, extra: &[(&str, &str)]) -> AppProcess {
    AppCommand::serve(BINARY, redis.url())
        .env("AUTHLAB_WORKERS", "1")
        .env("AUTHLAB_TEACHER_PASSWORD", TEACHER)
        .env("AUTHLAB_JWT_ALG", alg)
        .envs(extra.iter().copied())
        .start()
        .await
        .expect("the issuer starts")
}

async fn resource(issuer: &AppProcess, secret_file: Option<&Path>) -> AppProcess {
    let mut command =
        AppCommand::resource(BINARY, &issuer.base_url()).env("AUTHLAB_RESOURCE_WORKERS", "1");
    if let Some(file) = secret_file {
        command = command.arg("--introspection-secret-file").arg(file);
    }
    command.start().await.expect("authlab resource starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn api_token(issuer: &AppProcess) -> String {
    let body: Value = client()
        .post(format!("{}/jwt/api/login", issuer.base_url()))
        .json(&serde_json::json!({"username": ALICE.0, "password": ALICE.1}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["token"].as_str().expect("a token").to_owned()
}

/// `GET /api/me` on the resource server with `token`: the status and the JSON body.
async fn resource_me(resource: &AppProcess, token: &str) -> (u16, Value) {
    let response = client()
        .get(format!("{}/api/me", resource.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("resource answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn kid_of(token: &str) -> String {
    let header = token.split('.').next().expect("header");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("b64")).expect("json");
    header["kid"].as_str().expect("kid").to_owned()
}

/// A form post of the issuer's (CSRF cookie and token fetched first, as a browser would).
async fn post_form(
    issuer: &AppProcess,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
    bearer: Option<&str>,
) -> u16 {
    let base = issuer.base_url();
    let page = client()
        .get(format!("{base}{form_page}"))
        .send()
        .await
        .expect("form page");
    let csrf_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("authlab_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("a CSRF cookie")
        .to_owned();
    let csrf = extract_csrf_token(&page.text().await.expect("body")).expect("a CSRF field");
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    fields.push(("csrf", &csrf));
    let mut request = client()
        .post(format!("{base}{path}"))
        .header("cookie", csrf_cookie)
        .form(&fields);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("form post").status().as_u16()
}

#[tokio::test]
async fn an_eddsa_jwt_is_accepted_locally_with_redis_stopped_and_a_tampered_one_is_refused() {
    let mut redis = RedisServer::start().expect("redis");
    let mut issuer = issuer(&redis, "EdDSA", &[]).await;
    let resource = resource(&issuer, None).await;
    let token = api_token(&issuer).await;
    let mut tampered = token.clone();
    let at = tampered.rfind('.').expect("dot") + 3;
    let flipped = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, flipped);

    redis.stop();
    let (with_redis_stopped, me) = resource_me(&resource, &token).await;
    issuer.kill();
    let (with_issuer_gone, _) = resource_me(&resource, &token).await;
    let (tampered_status, refusal) = resource_me(&resource, &tampered).await;

    assert_eq!(with_redis_stopped, 200, "{me}");
    assert_eq!(me["sub"], ALICE.0);
    assert_eq!(me["verified_by"], "local_signature");
    assert_eq!(me["kid"], kid_of(&token));
    assert_eq!(
        with_issuer_gone, 200,
        "the keys are cached: no call to the issuer"
    );
    assert_eq!(tampered_status, 401);
    assert_eq!(refusal["error"], "invalid_token");
}

#[tokio::test]
async fn the_page_says_who_you_are_and_how_it_knew() {
    let redis = RedisServer::start().expect("redis");
    let issuer = issuer(&redis, "EdDSA", &[]).await;
    let resource = resource(&issuer, None).await;
    let token = api_token(&issuer).await;

    let accepted = client()
        .post(format!("{}/", resource.base_url()))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("page");
    let status = accepted.status().as_u16();
    let html = accepted.text().await.expect("html");
    let refused = client()
        .post(format!("{}/", resource.base_url()))
        .form(&[("token", "<script>alert(1)</script>")])
        .send()
        .await
        .expect("page");

    assert_eq!(status, 200);
    assert!(
        html.contains("data-verified-by=\"local_signature\""),
        "{html}"
    );
    assert!(html.contains("Alice"));
    assert_eq!(refused.status().as_u16(), 401);
    assert!(!refused
        .text()
        .await
        .expect("html")
        .contains("<script>alert"));
}

/// Log in at `/teacher` as a browser would, then press "rotate with overlap".
async fn rotate_as_teacher(issuer: &AppProcess) -> u16 {
    let base = issuer.base_url();
    let pair = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    };
    let page = client()
        .get(format!("{base}/teacher"))
        .send()
        .await
        .expect("the teacher's page");
    let seed = pair(&page, "authlab_csrf").expect("a CSRF cookie");
    let csrf = extract_csrf_token(&page.text().await.expect("body")).expect("a CSRF field");
    let login = client()
        .post(format!("{base}/teacher/login"))
        .header("cookie", &seed)
        .form(&[("password", TEACHER), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("the teacher logs in");
    let pass = pair(&login, "authlab_teacher").expect("the teacher's pass");
    client()
        .post(format!("{base}/labs/rotate"))
        .header("cookie", format!("{seed}; {pass}"))
        .form(&[("mode", "overlap"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("rotate")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_rotation_on_the_issuer_is_followed_through_the_jwks() {
    let redis = RedisServer::start().expect("redis");
    let issuer = issuer(&redis, "EdDSA", &[]).await;
    let resource = resource(&issuer, None).await;
    let before = api_token(&issuer).await;
    assert_eq!(resource_me(&resource, &before).await.0, 200);

    let rotated = rotate_as_teacher(&issuer).await;
    let after = api_token(&issuer).await;
    // The new kid is fetched on first sight, but not sooner than the refetch interval after the
    // previous fetch: poll until it is.
    let started = std::time::Instant::now();
    let accepted_after = loop {
        let (status, me) = resource_me(&resource, &after).await;
        if status == 200 || started.elapsed() > DEADLINE {
            break (status, me);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    assert_eq!(rotated, 200);
    assert_ne!(kid_of(&before), kid_of(&after));
    assert_eq!(accepted_after.0, 200, "{}", accepted_after.1);
    assert_eq!(accepted_after.1["kid"], kid_of(&after));
    assert_eq!(
        resource_me(&resource, &before).await.0,
        200,
        "the old key is still in the JWKS during its overlap"
    );
}

#[tokio::test]
async fn a_token_it_cannot_check_itself_is_introspected_and_refused_at_the_next_request_after_logout(
) {
    let redis = RedisServer::start().expect("redis");
    let mut issuer = issuer(&redis, "HS256", &[("AUTHLAB_JWT_DENYLIST", "true")]).await;
    let secret_file = issuer.data_dir().join("introspection.secret");
    let resource = resource(&issuer, Some(&secret_file)).await;
    let blind = self::resource(&issuer, None).await;
    let token = api_token(&issuer).await;

    let (before, me) = resource_me(&resource, &token).await;
    let (without_secret, _) = resource_me(&blind, &token).await;
    let logged_out = post_form(&issuer, "/jwt/login", "/jwt/logout", &[], Some(&token)).await;
    let (after, refusal) = resource_me(&resource, &token).await;
    let fresh = api_token(&issuer).await;
    issuer.kill();
    let (issuer_gone, unavailable) = resource_me(&resource, &fresh).await;

    assert_eq!(before, 200, "{me}");
    assert_eq!(me["verified_by"], "introspection");
    assert_eq!(me["sub"], ALICE.0);
    assert_eq!(without_secret, 401, "no secret: it cannot ask");
    assert_eq!(logged_out, 303);
    assert_eq!(after, 401, "{refusal}");
    assert_eq!(issuer_gone, 503, "{unavailable}");
    assert_eq!(unavailable["error"], "issuer_unavailable");
}

#[tokio::test]
async fn an_opaque_token_is_introspected_and_refused_at_the_next_request_after_its_logout() {
    // Arrange: the issuer and a resource server that holds the introspection secret.
    let redis = RedisServer::start().expect("redis");
    let issuer = issuer(&redis, "EdDSA", &[]).await;
    let secret_file = issuer.data_dir().join("introspection.secret");
    let resource = resource(&issuer, Some(&secret_file)).await;

    for mount in ["session", "memory"] {
        let base = issuer.base_url();
        let login: Value = client()
            .post(format!("{base}/{mount}/api/login"))
            .json(&serde_json::json!({"username": ALICE.0, "password": ALICE.1}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        let token = login["token"].as_str().expect("an opaque token").to_owned();

        // Act
        let (before, me) = resource_me(&resource, &token).await;
        let logout = client()
            .post(format!("{base}/{mount}/api/logout"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("logout")
            .status()
            .as_u16();
        let (after, refusal) = resource_me(&resource, &token).await;

        // Assert: known through the issuer while it lives, refused at the very next request.
        assert_eq!(before, 200, "/{mount}: {me}");
        assert_eq!(me["verified_by"], "introspection", "/{mount}");
        assert_eq!(me["sub"], ALICE.0, "/{mount}");
        assert!(logout < 300, "/{mount} logout answered {logout}");
        assert_eq!(after, 401, "/{mount}: {refusal}");
    }
}

#[tokio::test]
async fn introspect_refuses_an_unauthenticated_caller_and_answers_python_urllib() {
    let redis = RedisServer::start().expect("redis");
    let issuer = issuer(&redis, "EdDSA", &[]).await;
    let token = api_token(&issuer).await;
    let url = format!("{}/introspect", issuer.base_url());
    let secret_file = issuer.data_dir().join("introspection.secret");

    let anonymous = client()
        .post(&url)
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("answer");
    // urllib builds the form and the request; Python's base64 makes the Basic header.
    const SCRIPT: &str = r#"
import base64, json, sys, urllib.parse, urllib.request
url, secret_file, token = sys.argv[1:4]
secret = open(secret_file).read().strip()
basic = base64.b64encode(("authlab-resource:" + urllib.parse.quote(secret, safe="")).encode()).decode()
request = urllib.request.Request(url, data=urllib.parse.urlencode({"token": token}).encode(),
                                 headers={"Authorization": "Basic " + basic})
print(json.dumps(json.load(urllib.request.urlopen(request, timeout=10))))
"#;
    let output = tokio::process::Command::new("python3")
        .args(["-c", SCRIPT, &url])
        .arg(&secret_file)
        .arg(&token)
        .output()
        .await
        .expect("python3 runs");

    assert_eq!(anonymous.status().as_u16(), 401);
    assert!(output.status.success(), "{output:?}");
    let answer: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(answer["active"], true);
    assert_eq!(answer["sub"], ALICE.0);
    assert_eq!(answer["iss"], "authlab");
}
