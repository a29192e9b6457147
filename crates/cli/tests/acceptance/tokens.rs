//! What bad credentials get: tokens that were tampered with, signed elsewhere, expired or
//! malformed; session cookies planted before login or replayed after logout.

use authlab_core::{Identity, Role, Secret};
use authlab_jwt::{codec::unix_now, JwtSettings, TokenCodec};
use authlab_testkit::{
    assert_body_contains, assert_is_redirect_to, assert_status, RedisServer, TestApp, ALICE, BOB,
};
use authlab_testkit::{JWT, SESSION};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

async fn app() -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("a private redis-server");
    let app = TestApp::spawn(&redis).await;
    (redis, app)
}

async fn jwt_of(app: &TestApp, (username, password): (&str, &str)) -> String {
    let body = app.api_login(JWT, username, password).await.json();
    body["token"].as_str().expect("a token").to_owned()
}

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

/// The token with its payload replaced, the signature kept.
fn with_payload(token: &str, payload: &serde_json::Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!("{}.{}.{}", parts[0], b64(&payload.to_string()), parts[2])
}

fn payload_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

/// Every bad token gets a 401 from the API and, in the cookie, a trip to the login page that
/// names the reason, with the cookie cleared.
async fn assert_rejected_everywhere(app: &TestApp, token: &str, reason: &str) {
    let api = app.api_me(JWT, Some(token)).await;
    assert_status(&api, 401);
    assert_eq!(api.json()["reason"], reason, "token {token}");

    app.jar().set("authlab_jwt", token);
    let page = app.get_dashboard(JWT).await;
    assert_is_redirect_to(&page, &format!("/jwt/login?reason={reason}"));
    assert!(
        app.jar().get("authlab_jwt").is_none(),
        "the rejected cookie is cleared"
    );
    let login = app.get(&format!("/jwt/login?reason={reason}")).await;
    assert_body_contains(&login, &format!(r#"data-reason="{reason}""#));
}

#[tokio::test]
async fn a_token_whose_role_was_changed_fails_the_signature_check() {
    let (_redis, app) = app().await;
    let token = jwt_of(&app, BOB).await;
    let mut payload = payload_of(&token);
    payload["role"] = "admin".into();

    let forged = with_payload(&token, &payload);

    assert_rejected_everywhere(&app, &forged, "bad_signature").await;
    let login = app.get("/jwt/login?reason=bad_signature").await;
    assert_body_contains(&login, "The signature did not match");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let (_redis, app) = app().await;
    let foreign = TokenCodec::new(&JwtSettings::new(
        Secret::new([42u8; 32]),
        std::time::Duration::from_secs(600),
    ))
    .expect("valid");
    let alice = Identity {
        username: "alice".into(),
        display_name: "Alice".into(),
        role: Role::Admin,
    };

    let (token, _) = foreign.issue(&alice).expect("sign");

    assert_rejected_everywhere(&app, &token, "bad_signature").await;
}

#[tokio::test]
async fn alg_none_is_refused_as_a_wrong_algorithm() {
    let (_redis, app) = app().await;
    let token = jwt_of(&app, BOB).await;
    let payload = token.split('.').nth(1).expect("payload").to_owned();

    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!(
            "{}.{payload}.",
            b64(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#))
        );
        assert_rejected_everywhere(&app, &unsigned, "wrong_algorithm").await;
    }
}

#[tokio::test]
async fn an_expired_token_is_refused_and_the_page_says_so() {
    let (_redis, app) = app().await;
    let codec = app.jwt_codec();
    let mut claims = codec.claims_for(
        &Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        },
        unix_now() - 3600,
    );
    claims.exp = unix_now() - 1;

    let expired = codec.sign(&claims).expect("sign");

    assert_rejected_everywhere(&app, &expired, "expired").await;
    assert_body_contains(
        &app.get("/jwt/login?reason=expired").await,
        "The token expired",
    );
}

#[tokio::test]
async fn a_token_expires_after_exactly_its_lifetime() {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_ttl: 1,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    let token = jwt_of(&app, ALICE).await;

    let fresh = app.api_me(JWT, Some(&token)).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let stale = app.api_me(JWT, Some(&token)).await;

    assert_status(&fresh, 200);
    assert_status(&stale, 401);
    assert_eq!(stale.json()["reason"], "expired");
}

#[tokio::test]
async fn malformed_tokens_are_refused_never_a_server_error() {
    let (_redis, app) = app().await;
    let token = jwt_of(&app, ALICE).await;

    let cases = [
        "x".to_owned(),
        "a.b.c".to_owned(),
        format!("{token}.extra"),
        token.replace('.', ""),
        format!("{token}=="),
        b64("{}") + "." + &b64("{}") + ".",
    ];
    for case in &cases {
        let response = app.api_me(JWT, Some(case)).await;
        assert_status(&response, 401);
    }
    let oversized = "a".repeat(5000);
    let response = app.api_me(JWT, Some(&oversized)).await;
    assert_status(&response, 401);
    assert_eq!(response.json()["reason"], "too_large");
}

#[tokio::test]
async fn a_forged_reason_in_the_url_cannot_put_words_on_the_page() {
    let (_redis, app) = app().await;

    let response = app
        .get("/jwt/login?reason=%3Cscript%3Ealert(1)%3C/script%3E")
        .await;

    assert_status(&response, 200);
    assert!(!response.body.contains("<script>"));
    assert!(!response.body.contains("id=\"rejection\""));
}

#[tokio::test]
async fn a_session_id_planted_before_login_is_not_the_one_that_logs_in() {
    let (_redis, app) = app().await;
    // An anonymous visit creates no session; plant the victim's cookie from an earlier login.
    app.log_in(SESSION, BOB).await;
    let planted = app.jar().get("authlab_session").expect("a session cookie");
    app.post_login(SESSION, ALICE.0, ALICE.1).await;

    let after = app.jar().get("authlab_session").expect("a session cookie");

    assert_ne!(planted, after, "login must renew the session id");
    app.jar().set("authlab_session", &planted);
    let replay = app.api_me(SESSION, None).await;
    assert_status(&replay, 401);
}

#[tokio::test]
async fn after_logout_a_replayed_session_cookie_is_dead_but_a_replayed_jwt_still_works() {
    let (_redis, app) = app().await;
    app.log_in(SESSION, ALICE).await;
    app.log_in(JWT, ALICE).await;
    let session_cookie = app.jar().get("authlab_session").expect("session cookie");
    let jwt_cookie = app.jar().get("authlab_jwt").expect("jwt cookie");

    app.post_logout(SESSION).await;
    app.post_logout(JWT).await;
    app.jar().set("authlab_session", &session_cookie);
    app.jar().set("authlab_jwt", &jwt_cookie);

    // The stateful logout deleted the record: the copy of the cookie points at nothing.
    assert_status(&app.api_me(SESSION, None).await, 401);
    // The stateless logout only asked the browser to forget: a copy still verifies until exp.
    assert_status(&app.api_me(JWT, None).await, 200);
}

#[tokio::test]
async fn a_session_cookie_from_another_key_is_anonymous() {
    let (_redis, app) = app().await;
    app.log_in(SESSION, ALICE).await;
    let other = app.another_instance_with_fresh_keys().await;
    other.log_in(SESSION, BOB).await;
    let foreign = other.jar().get("authlab_session").expect("cookie");

    app.jar().set("authlab_session", &foreign);

    assert_is_redirect_to(&app.get_dashboard(SESSION).await, "/session/login");
}

async fn app_with_denylist() -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_denylist: true,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    (redis, app)
}

#[tokio::test]
async fn with_the_denylist_a_replayed_jwt_is_dead_after_logout() {
    let (redis, app) = app_with_denylist().await;
    app.log_in(JWT, ALICE).await;
    let cookie = app.jar().get("authlab_jwt").expect("jwt cookie");
    let bearer = jwt_of(&app, BOB).await;
    assert_status(&app.api_me(JWT, Some(&bearer)).await, 200);

    app.post_logout(JWT).await;
    app.jar().set("authlab_jwt", &cookie);

    let replay = app.api_me(JWT, None).await;
    assert_status(&replay, 401);
    assert_eq!(replay.json()["reason"], "revoked");
    assert_status(&app.api_me(JWT, Some(&bearer)).await, 200);
    assert_eq!(
        redis
            .command("EVAL \"return #redis.call('KEYS', 'authlab:jwt-denied:*')\" 0")
            .expect("count"),
        ":1",
        "revocation brought state back: one entry per logged-out token"
    );
}

#[tokio::test]
async fn with_the_denylist_and_redis_down_jwt_fails_closed() {
    let (mut redis, app) = app_with_denylist().await;
    let bearer = jwt_of(&app, ALICE).await;
    app.log_in(JWT, ALICE).await;

    redis.stop();

    let api = app.api_me(JWT, Some(&bearer)).await;
    assert_status(&api, 503);
    assert_status(&app.get_dashboard(JWT).await, 503);
}
