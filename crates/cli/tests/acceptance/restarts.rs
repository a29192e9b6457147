//! What a restart of the app, or a second instance, does to each mount's logins.

use authlab_testkit::{
    assert_is_redirect_to, assert_status, login_mounts, RedisServer, TestApp, ALICE,
};
use authlab_testkit::{JWT, MEMORY, SESSION};

#[tokio::test]
async fn an_app_restart_keeps_redis_sessions_and_jwts_and_loses_in_memory_sessions() {
    let redis = RedisServer::start().expect("redis");
    let mut app = TestApp::spawn(&redis).await;
    for mount in login_mounts() {
        app.log_in(mount, ALICE).await;
    }

    app.restart().await;

    assert_status(&app.get_dashboard(SESSION).await, 200);
    assert_status(&app.get_dashboard(JWT).await, 200);
    assert_is_redirect_to(&app.get_dashboard(MEMORY).await, "/memory/login");
}

#[tokio::test]
async fn a_second_instance_accepts_redis_sessions_and_jwts_but_not_in_memory_sessions() {
    let redis = RedisServer::start().expect("redis");
    let first = TestApp::spawn(&redis).await;
    for mount in login_mounts() {
        first.log_in(mount, ALICE).await;
    }
    let second = first.another_instance().await;

    for mount in login_mounts() {
        let cookie = TestApp::auth_cookie_name(mount);
        second
            .jar()
            .set(&cookie, &first.jar().get(&cookie).expect("logged in"));
    }

    assert_status(&second.get_dashboard(SESSION).await, 200);
    assert_status(&second.get_dashboard(JWT).await, 200);
    assert_is_redirect_to(&second.get_dashboard(MEMORY).await, "/memory/login");
}

#[tokio::test]
async fn a_redis_restart_without_persistence_logs_session_users_out_but_not_jwt_users() {
    let mut redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;
    app.log_in(JWT, ALICE).await;

    redis.restart().expect("redis restarts");

    assert_is_redirect_to(&app.get_dashboard(SESSION).await, "/session/login");
    assert_status(&app.get_dashboard(JWT).await, 200);
}
