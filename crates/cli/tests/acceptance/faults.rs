//! Redis trouble: `/session` answers 503 quickly and clearly, the other mounts carry on, and
//! `/session` recovers by itself.

use std::time::{Duration, Instant};

use authlab_testkit::{
    assert_body_contains, assert_is_redirect_to, assert_status, RedisServer, TestApp, ALICE, BOB,
};
use authlab_testkit::{JWT, MEMORY, SESSION};

/// A 503 within 1 s (the default Redis timeout is 500 ms), never a minute-long hang.
const PROMPT: Duration = Duration::from_secs(1);

#[tokio::test]
async fn with_redis_stopped_session_answers_503_promptly_and_the_others_keep_working() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;
    app.log_in(MEMORY, ALICE).await;
    app.log_in(JWT, ALICE).await;

    redis.stop();

    let started = Instant::now();
    let page = app.get_dashboard(SESSION).await;
    let page_took = started.elapsed();
    let started = Instant::now();
    let api = app.api_me(SESSION, None).await;
    let api_took = started.elapsed();
    let login = app.post_login(SESSION, BOB.0, BOB.1).await;

    crate::measured::record(
        "faults-redis-stopped",
        &format!(
            "Redis stopped: `/session` page answered 503 in {page_took:.1?}, the API in \
             {api_took:.1?} (bound: {PROMPT:?}); `/memory` and `/jwt` kept answering 200.\n"
        ),
    );
    assert_status(&page, 503);
    assert_body_contains(&page, "Redis is not answering");
    assert!(page_took < PROMPT, "the page took {page_took:?}");
    assert_status(&api, 503);
    assert_eq!(api.json()["error"], "store_unavailable");
    assert!(api_took < PROMPT, "the API took {api_took:?}");
    assert_status(&login, 503);
    assert_status(&app.get_dashboard(MEMORY).await, 200);
    assert_status(&app.get_dashboard(JWT).await, 200);
    assert_eq!(app.get_healthz().await.json()["redis"], "down");
}

#[tokio::test]
async fn the_session_login_page_says_redis_is_down_before_anyone_types_a_password() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    redis.stop();
    let response = app.get_login(SESSION).await;

    assert_status(&response, 503);
    assert_body_contains(&response, "Redis is not answering");
    assert_status(&app.get_login(JWT).await, 200);
}

#[tokio::test]
async fn session_recovers_by_itself_when_redis_is_back() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;
    redis.stop();
    assert_status(&app.get_dashboard(SESSION).await, 503);

    redis.start_again().expect("redis restarts");

    // Redis kept nothing on disk, so the old login is gone; a new one works with no app restart.
    let after = app.get_dashboard(SESSION).await;
    assert_is_redirect_to(&after, "/session/login");
    app.log_in(SESSION, BOB).await;
    assert_status(&app.get_dashboard(SESSION).await, 200);
    assert_eq!(app.get_healthz().await.json()["redis"], "up");
}

#[tokio::test]
async fn the_app_starts_and_serves_with_redis_down_from_the_beginning() {
    let mut redis = RedisServer::start().expect("redis");
    redis.stop();

    let app = TestApp::spawn(&redis).await;

    assert_status(&app.get_login(SESSION).await, 503);
    app.log_in(JWT, ALICE).await;
    app.log_in(MEMORY, ALICE).await;
    assert_eq!(app.get_healthz().await.json()["redis"], "down");

    redis.start_again().expect("redis starts");
    app.log_in(SESSION, ALICE).await;
    assert_status(&app.get_dashboard(SESSION).await, 200);
}

#[tokio::test]
async fn a_paused_redis_is_bounded_by_the_timeout() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;

    redis.command("CLIENT PAUSE 3000 ALL").expect("pause");
    let started = Instant::now();
    let response = app.api_me(SESSION, None).await;
    let took = started.elapsed();

    crate::measured::record(
        "faults-redis-paused",
        &format!(
            "Redis paused (`CLIENT PAUSE 3000 ALL`): `/session` API answered 503 in {took:.1?} \
             (bound: {PROMPT:?}, Redis timeout {} ms).\n",
            app.settings.redis_timeout_ms
        ),
    );
    assert_status(&response, 503);
    assert!(took < PROMPT, "took {took:?}");
}

#[tokio::test]
async fn flushing_redis_logs_session_users_out_without_errors() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;

    redis.command("FLUSHALL").expect("flush");

    assert_is_redirect_to(&app.get_dashboard(SESSION).await, "/session/login");
}
