//! The labs: each button, pressed over real HTTP, and the result the server computed.

use authlab_core::Rejection;
use authlab_testkit::{
    assert_body_contains, assert_is_redirect_to, assert_status, login_mounts, RedisServer, TestApp,
    TestResponse, ALICE, BOB,
};
use authlab_testkit::{MountSlug, JWT, MEMORY, SESSION};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

/// The labs whose buttons are classroom tools: only the teacher may press them.
const TOOLS: [&str; 4] = [
    "/labs/roles",
    "/labs/flush",
    "/labs/rotate",
    "/labs/restart",
];

/// Press a lab's button: post its form with this browser's CSRF token (as the teacher, for a
/// classroom tool).
async fn press(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    if TOOLS.contains(&path) {
        app.log_in_as_teacher().await;
    }
    app.press(path, fields).await
}

/// What `/<mount>/labs/status` says for this browser: `in`, `out`, `rejected` or `down`.
async fn status_of(app: &TestApp, mount: MountSlug) -> (String, String) {
    let page = app.get(&format!("/{mount}/labs/status")).await;
    assert_status(&page, 200);
    let state = between(&page.body, "data-state=\"", "\"").unwrap_or_default();
    let text = between(&page.body, "</span>: ", "</p>").unwrap_or_default();
    (state, text)
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_owned())
}

fn escaped(text: &str) -> String {
    text.replace('\'', "&#39;").replace('"', "&#34;")
}

#[tokio::test]
async fn the_index_lists_every_lab_and_each_page_has_a_protected_form() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let index = app.get("/labs").await;

    assert_status(&index, 200);
    for lab in authlab_classroom::labs::LABS {
        assert_body_contains(&index, &format!("href=\"/labs/{}\"", lab.slug));
        let page = app.get(&format!("/labs/{}", lab.slug)).await;
        assert_status(&page, 200);
        if lab.slug == "restart" {
            // Under `serve` there is no button, only how to start `authlab demo`.
            assert_body_contains(&page, r#"id="not-supervised""#);
        } else {
            assert_body_contains(&page, r#"name="csrf""#);
        }
        if lab.affects.is_some() {
            assert_body_contains(&page, r#"id="affects""#);
        }
    }
}

#[tokio::test]
async fn a_lab_button_without_the_csrf_token_is_refused() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.csrf_token().await;

    let response = app.post_form_as_is("/labs/rotate", &[], &[]).await;

    assert_status(&response, 403);
}

#[tokio::test]
async fn tampering_with_the_role_breaks_the_signature() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, BOB).await;

    let page = press(&app, "/jwt/labs/tamper", &[]).await;

    assert_status(&page, 200);
    assert_body_contains(&page, "role user → admin");
    assert_body_contains(&page, r#"data-status="200""#);
    assert_body_contains(&page, r#"data-status="401""#);
    assert_body_contains(&page, &escaped(Rejection::BadSignature.explanation()));
    assert_body_contains(&page, "curl -i -H &#39;Authorization: Bearer ");
}

#[tokio::test]
async fn tampering_without_a_token_says_to_log_in_first() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let page = press(&app, "/jwt/labs/tamper", &[]).await;

    assert_status(&page, 200);
    assert_body_contains(&page, r#"id="problem""#);
    assert_body_contains(&page, "log in to /jwt first");
}

#[tokio::test]
async fn alg_none_and_a_foreign_key_are_refused_with_their_reasons() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let page = press(&app, "/jwt/labs/forged", &[]).await;

    assert_status(&page, 200);
    assert_eq!(page.body.matches(r#"data-status="401""#).count(), 2);
    assert_body_contains(&page, &escaped(Rejection::WrongAlgorithm.explanation()));
    assert_body_contains(&page, &escaped(Rejection::BadSignature.explanation()));
    assert!(!page.body.contains(r#"data-status="200""#));
}

#[tokio::test]
async fn the_payload_is_decoded_without_the_key() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;
    let token = app.jar().get("authlab_jwt").expect("a token");
    let payload: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).expect("payload"))
            .expect("base64url"),
    )
    .expect("json");

    let page = press(&app, "/jwt/labs/decode", &[]).await;

    assert_status(&page, 200);
    let jti = payload["jti"].as_str().expect("jti");
    assert_body_contains(&page, jti);
    assert_body_contains(&page, &payload["exp"].to_string());
    assert_body_contains(&page, token.split('.').nth(2).expect("signature"));
    assert_body_contains(&page, "base64 -d");
}

#[tokio::test]
async fn a_short_token_expires_and_the_login_page_says_why() {
    let redis = RedisServer::start().expect("redis");
    let mut settings = TestApp::settings_for(&redis.url());
    settings.jwt_ttl = 2;
    let app = TestApp::spawn_with(settings).await;
    app.log_in(JWT, ALICE).await;

    let lab = press(&app, "/jwt/labs/expiry", &[]).await;
    let short = lab
        .set_cookie("authlab_jwt")
        .expect("the lab sets a token")
        .clone();
    let fresh = app.get_dashboard(JWT).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let later = app.get_dashboard(JWT).await;

    assert_body_contains(&lab, r#"id="countdown""#);
    let view: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(short.value().split('.').nth(1).expect("payload"))
            .expect("base64url"),
    )
    .expect("json");
    assert_eq!(
        view["exp"].as_i64().expect("exp") - view["iat"].as_i64().expect("iat"),
        2
    );
    assert_status(&fresh, 200);
    assert_is_redirect_to(&later, "/jwt/login?reason=expired");
    let login = app.get("/jwt/login?reason=expired").await;
    assert_body_contains(&login, Rejection::Expired.explanation());
}

#[tokio::test]
async fn the_expiry_check_asks_the_live_verifier() {
    let redis = RedisServer::start().expect("redis");
    let mut settings = TestApp::settings_for(&redis.url());
    settings.jwt_ttl = 1;
    let app = TestApp::spawn_with(settings).await;
    app.log_in(JWT, ALICE).await;
    press(&app, "/jwt/labs/expiry", &[]).await;

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let check = press(&app, "/jwt/labs/expiry/check", &[]).await;

    assert_status(&check, 200);
    assert_body_contains(&check, "UTC (expired)");
    assert_body_contains(&check, "verdict-bad");
}

#[tokio::test]
async fn after_logout_a_replayed_session_is_dead_and_a_replayed_jwt_still_works() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in login_mounts() {
        app.log_in(mount, ALICE).await;
    }

    for (mount, replayed_status) in [(SESSION, 401), (MEMORY, 401), (JWT, 200)] {
        let page = press(&app, &format!("/{mount}/labs/revocation"), &[]).await;

        assert_status(&page, 200);
        assert_body_contains(&page, &format!(r#"data-status="{replayed_status}""#));
        assert_body_contains(&page, &format!("curl -i -H &#39;Cookie: authlab_{mount}="));
        assert_is_redirect_to(&app.get_dashboard(mount).await, &format!("/{mount}/login"));
    }
}

#[tokio::test]
async fn the_copied_jwt_replays_again_later_but_not_with_the_denylist() {
    let redis = RedisServer::start().expect("redis");
    let plain = TestApp::spawn(&redis).await;
    let mut settings = TestApp::settings_for(&redis.url());
    settings.jwt_denylist = true;
    let with_denylist = TestApp::spawn_with(settings).await;

    let mut statuses = Vec::new();
    for app in [&plain, &with_denylist] {
        app.log_in(JWT, ALICE).await;
        let copy = app.jar().get("authlab_jwt").expect("token");
        press(app, "/jwt/labs/revocation", &[]).await;
        let again = press(app, "/jwt/labs/replay", &[("credential", &copy)]).await;
        statuses.push(between(&again.body, "data-status=\"", "\"").unwrap_or_default());
    }

    assert_eq!(statuses, ["200", "401"]);
}

#[tokio::test]
async fn promoting_bob_shows_at_once_on_sessions_and_not_on_the_jwt() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in login_mounts() {
        app.log_in(mount, BOB).await;
    }

    let page = press(&app, "/labs/roles", &[("user", "bob"), ("role", "admin")]).await;

    assert_body_contains(&page, "bob: user → admin");
    assert_eq!(
        status_of(&app, SESSION).await.1,
        "logged in as bob (role admin)"
    );
    assert_eq!(
        status_of(&app, MEMORY).await.1,
        "logged in as bob (role admin)"
    );
    assert_eq!(status_of(&app, JWT).await.1, "logged in as bob (role user)");
    assert_status(&app.get_admin(SESSION).await, 200);
    assert_status(&app.get_admin(JWT).await, 403);
    app.log_in(JWT, BOB).await;
    assert_status(&app.get_admin(JWT).await, 200);
}

#[tokio::test]
async fn authorization_lets_alice_into_admin_and_not_bob_on_every_mount() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let page = press(&app, "/labs/authorization", &[]).await;

    assert_status(&page, 200);
    for mount in login_mounts() {
        for (user, expected) in [("alice", "200 allowed"), ("bob", "403 forbidden")] {
            let row = between(
                &page.body,
                &format!(r#"data-mount="{mount}" data-user="{user}">"#),
                "</tr>",
            )
            .unwrap_or_else(|| panic!("no row for {user} on {mount}"));
            assert!(row.contains(expected), "{mount}/{user}: {row}");
        }
    }
}

#[tokio::test]
async fn flushing_redis_ends_redis_sessions_only() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in login_mounts() {
        app.log_in(mount, ALICE).await;
    }

    let page = press(&app, "/labs/flush", &[]).await;

    let deleted: usize = between(&page.body, "data-deleted=\"", "\"")
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(deleted >= 1, "the session record at least");
    assert_eq!(status_of(&app, SESSION).await.0, "out");
    assert_eq!(status_of(&app, MEMORY).await.0, "in");
    assert_eq!(status_of(&app, JWT).await.0, "in");
}

#[tokio::test]
async fn rotating_the_key_ends_every_jwt_login_and_replaces_the_key_file() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;
    app.log_in(SESSION, ALICE).await;
    let old_codec = app.jwt_codec();

    let page = press(&app, "/labs/rotate", &[]).await;

    assert_body_contains(&page, "replaced by key");
    assert_is_redirect_to(
        &app.get_dashboard(JWT).await,
        "/jwt/login?reason=bad_signature",
    );
    assert_status(&app.get_dashboard(SESSION).await, 200);
    app.log_in(JWT, ALICE).await;
    let token = app.jar().get("authlab_jwt").expect("token");
    assert!(
        app.jwt_codec().verify(&token).is_ok(),
        "the file holds the new key"
    );
    assert!(old_codec.verify(&token).is_err());
}

#[tokio::test]
async fn rotating_with_overlap_keeps_every_jwt_login_and_signs_new_ones_with_the_new_key() {
    // Arrange
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;
    let before = app.jar().get("authlab_jwt").expect("token");
    let old_codec = app.jwt_codec();

    // Act
    let page = press(&app, "/labs/rotate", &[("mode", "overlap")]).await;

    // Assert: the old token still opens the dashboard; a new login gets the new key's token.
    assert_body_contains(&page, "nobody was logged out");
    assert_status(&app.get_dashboard(JWT).await, 200);
    assert_status(&app.api_me(JWT, Some(&before)).await, 200);
    app.log_in(JWT, ALICE).await;
    let after = app.jar().get("authlab_jwt").expect("token");
    assert!(
        app.jwt_codec().verify(&after).is_ok(),
        "the file holds the new key"
    );
    assert!(
        old_codec.verify(&after).is_err(),
        "the new token is signed by the new key"
    );
}

#[tokio::test]
async fn rotation_is_refused_when_the_key_comes_from_the_environment() {
    let redis = RedisServer::start().expect("redis");
    let mut settings = TestApp::settings_for(&redis.url());
    // Strong enough for the start-up check (16+ distinct bytes), but set by hand.
    settings.jwt_secret = Some(authlab_core::Secret::new(
        *b"rotation-test-env-key-0123456789",
    ));
    let app = TestApp::spawn_with(settings).await;
    app.log_in(JWT, ALICE).await;

    let page = press(&app, "/labs/rotate", &[]).await;

    assert_body_contains(&page, "AUTHLAB_JWT_SECRET");
    assert_status(&app.get_dashboard(JWT).await, 200);
}

#[tokio::test]
async fn restart_under_serve_explains_how_to_start_the_demo() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let page = press(&app, "/labs/restart", &[]).await;

    assert_status(&page, 200);
    assert_body_contains(&page, r#"id="not-supervised""#);
    assert_body_contains(&page, "authlab demo");
    assert!(!page.body.contains(r#"id="restarting""#));
}

#[tokio::test]
async fn the_status_probe_asks_each_mount_with_its_own_cookie() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(MEMORY, BOB).await;

    let states = [
        status_of(&app, SESSION).await.0,
        status_of(&app, MEMORY).await.0,
        status_of(&app, JWT).await.0,
    ];
    app.jar().set("authlab_jwt", "not.a.token");
    let rejected = status_of(&app, JWT).await;

    assert_eq!(states, ["out", "in", "out"]);
    assert_eq!(rejected.0, "rejected");
}

#[tokio::test]
async fn flushing_with_redis_down_is_a_quick_clear_503() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in_as_teacher().await;
    let token = app.csrf_token().await;
    redis.stop();

    let started = std::time::Instant::now();
    let page = app
        .post_form_as_is("/labs/flush", &[("csrf", &token)], &[])
        .await;

    assert_status(&page, 503);
    assert_body_contains(&page, "Redis did not answer");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn the_revocation_lab_shows_the_dead_session_beside_the_live_jwt() {
    // Arrange
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;
    app.log_in(JWT, ALICE).await;

    // Act: log out of /session keeping a copy, then of /jwt carrying that copy along.
    let first = press(&app, "/session/labs/revocation", &[]).await;
    let copy = between(&first.body, r#"name="copy_session" value=""#, "\"").expect("the copy");
    let both = press(&app, "/jwt/labs/revocation", &[("copy_session", &copy)]).await;

    // Assert: both answers on one page, and the dead cookie's answer says a copy was sent.
    assert_body_contains(&both, r#"<div class="replay" data-mount="session">"#);
    assert_body_contains(&both, r#"<div class="replay" data-mount="jwt">"#);
    assert_body_contains(&both, r#"data-status="401""#);
    assert_body_contains(&both, r#"data-status="200""#);
    assert_body_contains(&both, "unknown_credential");
    assert!(!both.body.contains("no credentials were presented"));
    assert_eq!(
        between(&both.body, r#"id="verdict" data-verdict=""#, "\""),
        Some("jwt".to_owned())
    );
}

#[tokio::test]
async fn the_expiry_verdict_says_when_it_was_asked_so_it_cannot_contradict_the_countdown() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;

    let page = press(&app, "/jwt/labs/expiry", &[]).await;

    assert_body_contains(&page, "When this page was made (");
    assert_body_contains(&page, "UTC), the verifier accepted it");
    assert!(!page.body.contains("accepts it right now"));
}

#[tokio::test]
async fn the_replay_lab_compares_the_random_token_the_jwt_and_the_access_token() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let page = press(&app, "/labs/revocation/bearer", &[]).await;

    assert_status(&page, 200);
    for (mount, expected) in [
        (SESSION, "401: dead"),
        (MEMORY, "401: dead"),
        (JWT, "200: still works"),
        (authlab_testkit::REFRESH, "200: still works"),
    ] {
        let row = between(
            &page.body,
            &format!(r#"<tr data-mount="{mount}">"#),
            "</tr>",
        )
        .unwrap_or_else(|| panic!("no row for /{mount}: {}", page.body));
        assert!(row.contains(expected), "/{mount}: {row}");
    }
}
