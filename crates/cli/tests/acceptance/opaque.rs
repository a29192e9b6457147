//! Opaque bearer tokens on the session mounts (the notes' "random token": `POST /login →
//! {"token": …}`, then `Authorization: Bearer …`), and what Redis holds of every opaque token:
//! its SHA-256, never the token.

use std::time::{Duration, Instant};

use authlab_testkit::{assert_is_redirect_to, assert_status, RedisServer, TestApp, ALICE, BOB};
use authlab_testkit::{MountSlug, MEMORY, REFRESH, SESSION};

const SESSION_MOUNTS: [MountSlug; 2] = [SESSION, MEMORY];

/// `POST /{mount}/api/login` and the bearer token of its answer.
async fn token(app: &TestApp, mount: MountSlug, (user, password): (&str, &str)) -> String {
    let login = app.api_login(mount, user, password).await;
    assert_status(&login, 200);
    login.json()["token"]
        .as_str()
        .unwrap_or_else(|| panic!("/{mount} answered no token: {}", login.body))
        .to_owned()
}

/// Every key in Redis with its value (all of this project's keys are strings).
fn every_key_and_value(redis: &RedisServer) -> Vec<(String, String)> {
    let client = redis::Client::open(redis.url()).expect("url");
    let mut connection = client.get_connection().expect("connect");
    let mut keys = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(1000)
            .query(&mut connection)
            .expect("SCAN");
        keys.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    keys.into_iter()
        .map(|key| {
            let value: Option<String> = redis::cmd("GET")
                .arg(&key)
                .query(&mut connection)
                .unwrap_or_default();
            (key, value.unwrap_or_default())
        })
        .collect()
}

#[tokio::test]
async fn the_session_mounts_answer_an_opaque_bearer_token_that_works_without_the_cookie() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in SESSION_MOUNTS {
        let login = app.api_login(mount, BOB.0, BOB.1).await;
        let body = login.json();
        let token = body["token"].as_str().expect("a token").to_owned();
        app.jar().clear();

        let me = app.api_me(mount, Some(&token)).await;

        assert_eq!(token.len(), 43, "/{mount}: 32 random bytes, base64url");
        assert_eq!(body["token_type"], "Bearer", "/{mount}");
        assert_eq!(body["expires_in"], 3600, "/{mount}: the session's idle TTL");
        assert_status(&me, 200);
        assert_eq!(me.json()["username"], "bob");
        assert_eq!(me.json()["mount"], mount.as_str());
    }
}

#[tokio::test]
async fn the_cookie_of_an_api_login_keeps_working_beside_the_token() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in SESSION_MOUNTS {
        token(&app, mount, BOB).await;

        let me = app.api_me(mount, None).await;

        assert_status(&me, 200);
    }
}

#[tokio::test]
async fn api_logout_with_the_bearer_token_ends_it_at_once() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in SESSION_MOUNTS {
        let token = token(&app, mount, ALICE).await;
        app.jar().clear();

        let logout = app.api_logout(mount, Some(&token)).await;

        assert_status(&logout, 204);
        assert_status(&app.api_me(mount, Some(&token)).await, 401);
    }
}

#[tokio::test]
async fn a_token_is_refused_by_every_other_mount_and_a_made_up_one_everywhere() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let session = token(&app, SESSION, BOB).await;
    let memory = token(&app, MEMORY, BOB).await;
    app.jar().clear();
    let made_up = "A".repeat(43);

    assert_status(&app.api_me(MEMORY, Some(&session)).await, 401);
    assert_status(&app.api_me(SESSION, Some(&memory)).await, 401);
    assert_status(&app.api_me(REFRESH, Some(&session)).await, 401);
    for mount in SESSION_MOUNTS {
        assert_status(&app.api_me(mount, Some(&made_up)).await, 401);
        assert_status(&app.api_me(mount, Some("not a token at all")).await, 401);
    }
}

#[tokio::test]
async fn log_out_everywhere_ends_the_users_bearer_tokens_too() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in SESSION_MOUNTS {
        let alices = token(&app, mount, ALICE).await;
        let bobs = token(&app, mount, BOB).await;
        app.jar().clear();
        app.log_in(mount, ALICE).await;

        let response = app.post_logout_everywhere(mount).await;

        assert_is_redirect_to(&response, &format!("/{mount}/login"));
        assert_status(&app.api_me(mount, Some(&alices)).await, 401);
        assert_status(&app.api_me(mount, Some(&bobs)).await, 200);
    }
}

#[tokio::test]
async fn a_bearer_token_ends_with_the_sessions_absolute_lifetime() {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        session_absolute_ttl: 1,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    for mount in SESSION_MOUNTS {
        let token = token(&app, mount, ALICE).await;
        app.jar().clear();
        let deadline = Instant::now() + Duration::from_secs(10);

        while app.api_me(mount, Some(&token)).await.status == 200 {
            assert!(
                Instant::now() < deadline,
                "/{mount}: the token outlived its login"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        assert_status(&app.api_me(mount, Some(&token)).await, 401);
    }
}

#[tokio::test]
async fn a_redis_token_survives_an_app_restart_and_an_in_process_one_does_not() {
    let redis = RedisServer::start().expect("redis");
    let mut app = TestApp::spawn(&redis).await;
    let session = token(&app, SESSION, ALICE).await;
    let memory = token(&app, MEMORY, ALICE).await;
    app.jar().clear();

    app.restart().await;

    assert_status(&app.api_me(SESSION, Some(&session)).await, 200);
    assert_status(&app.api_me(MEMORY, Some(&memory)).await, 401);
}

#[tokio::test]
async fn with_redis_down_a_session_bearer_token_gets_a_503_and_a_memory_one_works() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let session = token(&app, SESSION, ALICE).await;
    let memory = token(&app, MEMORY, ALICE).await;
    app.jar().clear();

    redis.stop();

    assert_status(&app.api_me(SESSION, Some(&session)).await, 503);
    assert_status(&app.api_me(MEMORY, Some(&memory)).await, 200);
}

#[tokio::test]
async fn no_raw_refresh_or_opaque_token_appears_in_any_redis_key_or_value() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let mut raw = Vec::new();
    // /session's opaque token.
    raw.push(token(&app, SESSION, ALICE).await);
    // /refresh's refresh tokens: from the API, rotated, and from the login form's cookie.
    let login = app.api_login(REFRESH, BOB.0, BOB.1).await.json();
    let first = login["refresh_token"].as_str().expect("refresh").to_owned();
    let rotated = app.post_token(&first, None).await.json()["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    app.log_in(REFRESH, ALICE).await;
    let cookie = app.jar().get("authlab_refresh_token").expect("cookie");
    raw.extend([first, rotated, cookie]);

    let stored = every_key_and_value(&redis);

    assert!(
        stored
            .iter()
            .any(|(key, _)| key.starts_with("authlab:refresh:")),
        "the refresh tokens' hashes are there: {stored:?}"
    );
    assert!(
        stored
            .iter()
            .any(|(key, _)| key.starts_with("authlab:token:")),
        "the opaque token's hash is there: {stored:?}"
    );
    for token in &raw {
        for (key, value) in &stored {
            assert!(
                !key.contains(token.as_str()) && !value.contains(token.as_str()),
                "a raw token is stored in Redis: {key} = {value}"
            );
        }
    }
}
