//! `POST /introspect` (RFC 7662): a resource server authenticated with the shared secret asks
//! whether a token is active and for whom; anyone else is refused.

use std::process::Command;

use authlab_core::Secret;
use authlab_jwt::JwtAlg;
use authlab_testkit::{assert_status, RedisServer, TestApp, ALICE, JWT};
use base64::{engine::general_purpose::STANDARD, Engine};

const SECRET: &str = "the-resource-servers-secret-for-these-tests";

async fn app() -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_alg: JwtAlg::EdDsa,
        introspection_secret: Some(Secret::new(SECRET)),
        ..TestApp::settings_for(&redis.url())
    };
    (redis, TestApp::spawn_with(settings).await)
}

async fn token_of(app: &TestApp) -> String {
    let body = app.api_login(JWT, ALICE.0, ALICE.1).await.json();
    body["token"].as_str().expect("a token").to_owned()
}

fn basic() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("authlab-resource:{SECRET}"))
    )
}

#[tokio::test]
async fn an_authenticated_resource_server_learns_who_a_jwt_is_for() {
    let (_redis, app) = app().await;
    let token = token_of(&app).await;

    let by_basic = app.post_introspect(&token, Some(&basic())).await;
    let by_bearer = app
        .post_introspect(&token, Some(&format!("Bearer {SECRET}")))
        .await;

    assert_status(&by_basic, 200);
    let answer = by_basic.json();
    assert_eq!(answer["active"], true);
    assert_eq!(answer["sub"], ALICE.0);
    assert_eq!(answer["role"], "admin");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["iss"], "authlab");
    assert_eq!(answer["aud"], "authlab-demo");
    assert!(answer["exp"].as_i64() > answer["iat"].as_i64());
    assert_eq!(by_basic.header("cache-control"), Some("no-store"));
    assert_eq!(by_bearer.json(), answer);
}

#[tokio::test]
async fn a_tampered_or_unknown_token_is_inactive_and_says_nothing_more() {
    let (_redis, app) = app().await;
    // One character of the signature changed (never to itself: replacing the last character
    // with a fixed letter left the token intact whenever it already ended in that letter).
    let token = token_of(&app).await;
    let at = token.len() - 10;
    let changed = if &token[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{changed}{}", &token[..at], &token[at + 1..]);

    let tampered = app.post_introspect(&tampered, Some(&basic())).await;
    let unknown = app
        .post_introspect("an-opaque-string-nobody-issued", Some(&basic()))
        .await;

    assert_eq!(tampered.json(), serde_json::json!({"active": false}));
    assert_eq!(unknown.json(), serde_json::json!({"active": false}));
}

#[tokio::test]
async fn an_unauthenticated_or_wrong_caller_gets_401_and_no_answer() {
    let (_redis, app) = app().await;
    let token = token_of(&app).await;
    let wrong_id = format!("Basic {}", STANDARD.encode(format!("someone:{SECRET}")));

    let anonymous = app.post_introspect(&token, None).await;
    let guessed = app.post_introspect(&token, Some("Bearer guess")).await;
    let wrong_client = app.post_introspect(&token, Some(&wrong_id)).await;
    let the_token_itself = app
        .post_introspect(&token, Some(&format!("Bearer {token}")))
        .await;

    for refused in [&anonymous, &guessed, &wrong_client, &the_token_itself] {
        assert_status(refused, 401);
        assert_eq!(refused.json()["error"], "invalid_client");
        assert!(!refused.body.contains(ALICE.0));
    }
    assert!(anonymous
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Basic")));
}

#[tokio::test]
async fn curl_introspects_with_its_own_basic_auth_and_form_encoding() {
    let (_redis, app) = app().await;
    let token = token_of(&app).await;
    let url = format!("{}/introspect", app.base_url());

    // curl builds the Basic header and the form body itself: nothing of ours is involved.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["-sS", "--max-time", "10", "-u"])
            .arg(format!("authlab-resource:{SECRET}"))
            .args(["--data-urlencode"])
            .arg(format!("token={token}"))
            .arg(&url)
            .output()
    })
    .await
    .expect("joined")
    .expect("curl runs");

    assert!(output.status.success(), "{output:?}");
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(answer["active"], true);
    assert_eq!(answer["sub"], ALICE.0);
}
