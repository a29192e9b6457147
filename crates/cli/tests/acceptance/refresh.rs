//! `/refresh`: a short-lived access token and a rotating refresh token, against a real Redis and
//! the real app (issue 10's "Done when", item by item).

use std::time::{Duration, Instant};

use authlab_testkit::{
    assert_body_contains, assert_is_redirect_to, assert_status, RedisServer, TestApp, TestResponse,
    ALICE, BOB,
};
use authlab_testkit::{JWT, REFRESH};

/// A pair from `POST /refresh/api/login`: (access token, refresh token).
async fn api_pair(app: &TestApp, (user, password): (&str, &str)) -> (String, String) {
    let login = app.api_login(REFRESH, user, password).await;
    assert_status(&login, 200);
    pair_of(&login)
}

fn pair_of(response: &TestResponse) -> (String, String) {
    let body = response.json();
    (
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
        body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
    )
}

fn assert_invalid_grant(response: &TestResponse) {
    assert_status(response, 400);
    assert_eq!(
        response.json()["error"],
        "invalid_grant",
        "{}",
        response.body
    );
}

/// Settings with a short access lifetime, and the given reuse grace.
fn settings(redis: &RedisServer, access_ttl: u64, grace: u64) -> authlab_web::Settings {
    authlab_web::Settings {
        access_ttl,
        refresh_reuse_grace: grace,
        ..TestApp::settings_for(&redis.url())
    }
}

/// Poll `/refresh/api/me` with `access` until it is refused: its `exp` has passed.
async fn wait_until_expired(app: &TestApp, access: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.api_me(REFRESH, Some(access)).await.status == 200 {
        assert!(Instant::now() < deadline, "the access token did not expire");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_api_login_answers_an_oauth_token_response() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let login = app.api_login(REFRESH, ALICE.0, ALICE.1).await;

    assert_status(&login, 200);
    let body = login.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    let access = body["access_token"].as_str().expect("access_token");
    assert_eq!(access.split('.').count(), 3, "a JWT");
    let refresh = body["refresh_token"].as_str().expect("refresh_token");
    assert_eq!(refresh.len(), 43, "32 random bytes, base64url");
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let me = app.api_me(REFRESH, Some(access)).await;
    assert_status(&me, 200);
    assert_eq!(me.json()["username"], "alice");
}

#[tokio::test]
async fn a_refresh_token_rotates_into_a_new_pair_and_the_new_one_works() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let (access, refresh) = api_pair(&app, BOB).await;

    let rotated = app.post_token(&refresh, None).await;

    assert_status(&rotated, 200);
    assert_eq!(rotated.header("cache-control"), Some("no-store"));
    assert_eq!(rotated.header("pragma"), Some("no-cache"));
    let body = rotated.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    let (new_access, new_refresh) = pair_of(&rotated);
    assert_ne!(new_refresh, refresh);
    assert_ne!(new_access, access);
    assert_status(&app.api_me(REFRESH, Some(&new_access)).await, 200);
    assert_status(&app.post_token(&new_refresh, None).await, 200);
}

#[tokio::test]
async fn the_token_endpoint_takes_json_too_and_refuses_what_is_not_a_refresh_grant() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let (_, refresh) = api_pair(&app, BOB).await;

    let json = app
        .post_token_json(serde_json::json!({
            "grant_type": "refresh_token", "refresh_token": refresh
        }))
        .await;
    let password_grant = app
        .post_token_json(serde_json::json!({ "grant_type": "password" }))
        .await;
    let missing = app
        .post_token_json(serde_json::json!({ "grant_type": "refresh_token" }))
        .await;
    let malformed = app.post_token("not-a-refresh-token", None).await;

    assert_status(&json, 200);
    assert_status(&password_grant, 400);
    assert_eq!(password_grant.json()["error"], "unsupported_grant_type");
    assert_status(&missing, 400);
    assert_eq!(missing.json()["error"], "invalid_request");
    assert_invalid_grant(&malformed);
}

#[tokio::test]
async fn a_spent_refresh_token_used_after_the_grace_revokes_the_whole_family() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(settings(&redis, 300, 0)).await;
    let (_, first) = api_pair(&app, ALICE).await;
    let (_, second) = pair_of(&app.post_token(&first, None).await);
    let (_, other_login) = api_pair(&app, ALICE).await;

    let reuse = app.post_token(&first, None).await;

    assert_invalid_grant(&reuse);
    assert!(
        reuse.json()["error_description"]
            .as_str()
            .is_some_and(|text| text.contains("used again")),
        "{}",
        reuse.body
    );
    // The newest token of the family dies with it, whoever holds it …
    assert_invalid_grant(&app.post_token(&second, None).await);
    // … and another login of the same user is another family.
    assert_status(&app.post_token(&other_login, None).await, 200);
}

#[tokio::test]
async fn concurrent_refreshes_within_the_grace_do_not_revoke_the_family() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await; // the default grace, 10 s
    let (_, refresh) = api_pair(&app, ALICE).await;

    // Two tabs refresh with the same token at the same moment.
    let (one, two) = tokio::join!(
        app.post_token(&refresh, None),
        app.post_token(&refresh, None)
    );

    assert_status(&one, 200);
    assert_status(&two, 200);
    let (_, from_one) = pair_of(&one);
    let (_, from_two) = pair_of(&two);
    assert_status(&app.post_token(&from_one, None).await, 200);
    assert_status(&app.post_token(&from_two, None).await, 200);
}

#[tokio::test]
async fn a_foreign_or_cross_mount_refresh_token_is_refused_with_invalid_grant() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let (alice_access, _) = api_pair(&app, ALICE).await;
    let (bob_access, bob_refresh) = api_pair(&app, BOB).await;
    let jwt_token = app.api_login(JWT, BOB.0, BOB.1).await.json()["token"]
        .as_str()
        .expect("a /jwt token")
        .to_owned();

    // Bob's refresh token with Alice's access token: bound to another user and login.
    let foreign = app.post_token(&bob_refresh, Some(&alice_access)).await;
    // A /jwt token, and a /refresh access token, are no refresh tokens.
    let a_jwt = app.post_token(&jwt_token, None).await;
    let an_access_token = app.post_token(&bob_access, None).await;
    // Each mount's credential is refused by the other mount.
    let refresh_token_at_jwt = app.api_me(JWT, Some(&bob_refresh)).await;
    let access_token_at_jwt = app.api_me(JWT, Some(&bob_access)).await;
    let jwt_at_refresh = app.api_me(REFRESH, Some(&jwt_token)).await;

    assert_invalid_grant(&foreign);
    assert!(
        foreign.json()["error_description"]
            .as_str()
            .is_some_and(|text| text.contains("another login")),
        "{}",
        foreign.body
    );
    assert_invalid_grant(&a_jwt);
    assert_invalid_grant(&an_access_token);
    assert_status(&refresh_token_at_jwt, 401);
    assert_status(&access_token_at_jwt, 401);
    assert_status(&jwt_at_refresh, 401);
    // The refused attempt spent nothing: Bob's token still works, with his own access token.
    assert_status(&app.post_token(&bob_refresh, Some(&bob_access)).await, 200);
}

#[tokio::test]
async fn logout_ends_the_refresh_token_at_once_and_a_copied_access_token_only_until_exp() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(settings(&redis, 1, 10)).await;
    let (access, refresh) = api_pair(&app, BOB).await;

    let logout = app.post_refresh_logout(&refresh).await;

    assert_status(&logout, 200);
    assert_eq!(logout.json()["ended"], 1);
    assert_invalid_grant(&app.post_token(&refresh, None).await);
    // The bounded window: the access token was not looked up, so it lives until its exp …
    wait_until_expired(&app, &access).await;
    // … and then nothing of the login is left.
    assert_status(&app.api_me(REFRESH, Some(&access)).await, 401);
}

#[tokio::test]
async fn logout_with_the_access_token_alone_ends_its_login() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let (access, refresh) = api_pair(&app, BOB).await;

    let logout = app.api_logout(REFRESH, Some(&access)).await;

    assert_status(&logout, 200);
    assert_invalid_grant(&app.post_token(&refresh, None).await);
}

#[tokio::test]
async fn a_page_whose_access_token_expired_is_refreshed_transparently() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(settings(&redis, 1, 10)).await;
    app.log_in(REFRESH, BOB).await;
    let access = app
        .jar()
        .get("authlab_refresh_access")
        .expect("access cookie");
    let refresh = app
        .jar()
        .get("authlab_refresh_token")
        .expect("refresh cookie");
    wait_until_expired(&app, &access).await;

    let page = app.get_dashboard(REFRESH).await;

    assert_status(&page, 200);
    assert_body_contains(&page, r#"<strong id="username">bob</strong>"#);
    let timing = page.header("server-timing").unwrap_or_default();
    assert!(timing.contains("refreshed"), "Server-Timing: {timing}");
    let new_access = page
        .set_cookie("authlab_refresh_access")
        .expect("a new access token");
    let new_refresh = page
        .set_cookie("authlab_refresh_token")
        .expect("a new refresh token");
    assert_ne!(new_access.value(), access);
    assert_ne!(new_refresh.value(), refresh);
    assert_eq!(new_refresh.http_only(), Some(true));
    assert_eq!(
        new_refresh.same_site(),
        Some(actix_web::cookie::SameSite::Strict)
    );
    assert_eq!(new_refresh.path(), Some("/refresh"));
    // The next page needs no refresh: the new access token is good.
    let next = app.get_dashboard(REFRESH).await;
    assert_status(&next, 200);
    assert!(!next
        .header("server-timing")
        .unwrap_or_default()
        .contains("refreshed"));
}

#[tokio::test]
async fn a_browser_whose_refresh_token_was_stolen_and_used_is_told_why_its_login_ended() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(settings(&redis, 1, 0)).await;
    app.log_in(REFRESH, ALICE).await;
    let access = app
        .jar()
        .get("authlab_refresh_access")
        .expect("access cookie");
    let stolen = app
        .jar()
        .get("authlab_refresh_token")
        .expect("refresh cookie");
    // The thief refreshes first with the copy.
    let (_, thiefs) = pair_of(&app.post_token(&stolen, None).await);
    wait_until_expired(&app, &access).await;

    // The owner's page must refresh, with the token the thief already spent.
    let page = app.get_dashboard(REFRESH).await;

    assert_is_redirect_to(&page, "/refresh/login?reason=refresh_reused");
    let login = app.get("/refresh/login?reason=refresh_reused").await;
    assert_body_contains(&login, "an old refresh token was used again");
    // The thief's newer token is dead too.
    assert_invalid_grant(&app.post_token(&thiefs, None).await);
}

#[tokio::test]
async fn with_redis_down_valid_access_tokens_are_served_and_refreshing_answers_503() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let (access, refresh) = api_pair(&app, ALICE).await;
    app.log_in(REFRESH, BOB).await;

    redis.stop();

    let me = app.api_me(REFRESH, Some(&access)).await;
    let page = app.get_dashboard(REFRESH).await;
    let started = Instant::now();
    let token = app.post_token(&refresh, None).await;
    let took = started.elapsed();

    assert_status(&me, 200);
    assert_status(&page, 200);
    assert_status(&token, 503);
    assert_eq!(token.json()["error"], "store_unavailable");
    assert!(took < Duration::from_secs(5), "503 after {took:?}");
}

#[tokio::test]
async fn a_page_that_must_refresh_while_redis_is_down_answers_503() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(settings(&redis, 1, 10)).await;
    app.log_in(REFRESH, BOB).await;
    let access = app
        .jar()
        .get("authlab_refresh_access")
        .expect("access cookie");
    wait_until_expired(&app, &access).await;

    redis.stop();
    let page = app.get_dashboard(REFRESH).await;

    assert_status(&page, 503);
    assert_body_contains(&page, "Redis is not answering");
}

#[tokio::test]
async fn a_refresh_login_survives_an_app_restart() {
    let redis = RedisServer::start().expect("redis");
    let mut app = TestApp::spawn(&redis).await;
    let (access, refresh) = api_pair(&app, ALICE).await;

    app.restart().await;

    assert_status(&app.api_me(REFRESH, Some(&access)).await, 200);
    assert_status(&app.post_token(&refresh, None).await, 200);
}

#[tokio::test]
async fn log_out_everywhere_ends_every_family_of_the_user_only() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let (_, laptop) = api_pair(&app, ALICE).await;
    let (_, bobs) = api_pair(&app, BOB).await;
    app.log_in(REFRESH, ALICE).await; // the phone, which asks to log out everywhere

    let response = app.post_logout_everywhere(REFRESH).await;

    assert_is_redirect_to(&response, "/refresh/login");
    assert_invalid_grant(&app.post_token(&laptop, None).await);
    assert_status(&app.post_token(&bobs, None).await, 200);
}

/// What an OAuth 2.0 client library does, written by nobody here: Python's standard library
/// posting the form of RFC 6749 §6 and reading the JSON answer.
#[tokio::test]
async fn a_python_client_refreshes_with_the_form_rfc_6749_describes() {
    const SCRIPT: &str = r#"
import json, sys, urllib.parse, urllib.request, urllib.error
url, token = sys.argv[1], sys.argv[2]
body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": token}).encode()
def post():
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)
first = post()
again = post()
print(json.dumps({"first": first, "again": again}))
"#;
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(settings(&redis, 300, 0)).await;
    let (_, refresh) = api_pair(&app, ALICE).await;

    let output = tokio::process::Command::new("python3")
        .args([
            "-c",
            SCRIPT,
            &format!("{}/refresh/api/token", app.base_url()),
            &refresh,
        ])
        .output()
        .await
        .expect("python3 runs");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(answer["first"][0], 200);
    assert_eq!(answer["first"][1]["token_type"], "Bearer");
    assert!(answer["first"][1]["refresh_token"].is_string());
    assert_eq!(answer["again"][0], 400);
    assert_eq!(answer["again"][1]["error"], "invalid_grant");
}

#[tokio::test]
async fn the_carries_on_lab_shows_the_access_token_changing_while_the_page_works() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(REFRESH, BOB).await;
    let lab = "/refresh/labs/refresh-carries-on";
    let before = app.get(lab).await;
    let csrf = app.csrf_token().await;

    let shortened = app.post_form_as_is(lab, &[("csrf", &csrf)], &[]).await;
    let short = app
        .jar()
        .get("authlab_refresh_access")
        .expect("the short token");
    wait_until_expired(&app, &short).await;
    let after = app.get(lab).await;

    assert_body_contains(
        &before,
        "no: the access token was checked by its signature alone",
    );
    assert_is_redirect_to(&shortened, lab);
    assert_status(&after, 200);
    assert_body_contains(&after, r#"<td id="username">bob</td>"#);
    assert_body_contains(&after, "yes: a new access token and a new refresh token");
    assert_ne!(
        app.jar().get("authlab_refresh_access").as_deref(),
        Some(short.as_str())
    );
}
