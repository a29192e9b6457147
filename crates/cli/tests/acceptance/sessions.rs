//! Session hardening: an absolute lifetime, a new id on a role change, logout that a request in
//! flight cannot undo, and "log out everywhere".
//!
//! The store-level race (a write after a logout must not bring the login back) is written once,
//! for both stores, in the session crate's conformance suite
//! (`crates/session/tests/conformance`).

use std::time::Duration;

use authlab_core::Role;
use authlab_testkit::{
    assert_is_redirect_to, assert_status, stateful_mounts, RedisServer, TestApp, ALICE, BOB,
};
use authlab_testkit::{MountSlug, JWT};

#[tokio::test]
async fn a_login_ends_after_its_absolute_lifetime_even_if_used() {
    let redis = RedisServer::start().expect("redis");
    // Two seconds, not one: login times are whole seconds, so with one a dashboard opened right
    // after a login could already be a second past it.
    let settings = authlab_web::Settings {
        session_absolute_ttl: 2,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    for mount in stateful_mounts() {
        app.log_in(mount, ALICE).await;
        assert_status(&app.get_dashboard(mount).await, 200);
    }

    tokio::time::sleep(Duration::from_millis(3100)).await;

    for mount in stateful_mounts() {
        assert_is_redirect_to(&app.get_dashboard(mount).await, &format!("/{mount}/login"));
    }
}

#[tokio::test]
async fn a_role_change_takes_effect_at_once_with_a_new_session_id() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in stateful_mounts() {
        app.log_in(mount, BOB).await;
    }
    let before: Vec<String> = stateful_mounts()
        .into_iter()
        .map(|m| {
            app.jar()
                .get(&TestApp::auth_cookie_name(m))
                .expect("cookie")
        })
        .collect();

    app.users().set_role("bob", Role::Admin).expect("kept");

    for (mount, old_cookie) in stateful_mounts().into_iter().zip(before) {
        assert_status(&app.get_admin(mount).await, 200);
        let new_cookie = app
            .jar()
            .get(&TestApp::auth_cookie_name(mount))
            .expect("cookie");
        assert_ne!(
            new_cookie, old_cookie,
            "{mount}: the id must change with the privileges"
        );
        app.jar()
            .set(&TestApp::auth_cookie_name(mount), &old_cookie);
        assert_eq!(
            app.api_me(mount, None).await.status,
            401,
            "{mount}: the old id is dead"
        );
    }
}

async fn log_in_on_a_new_device(app: &TestApp, mount: MountSlug, who: (&str, &str)) -> String {
    let cookie = TestApp::auth_cookie_name(mount);
    app.jar().remove(&cookie);
    app.log_in(mount, who).await;
    let value = app.jar().get(&cookie).expect("logged in");
    app.jar().remove(&cookie);
    value
}

#[tokio::test]
async fn log_out_everywhere_ends_the_logins_on_other_devices() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in stateful_mounts() {
        let cookie = TestApp::auth_cookie_name(mount);
        // Each device is a browser of its own: start each from an empty cookie.
        let laptop = log_in_on_a_new_device(&app, mount, ALICE).await;
        let bob = log_in_on_a_new_device(&app, mount, BOB).await;
        app.log_in(mount, ALICE).await; // the phone, which asks to log out everywhere

        let response = app.post_logout_everywhere(mount).await;

        assert_is_redirect_to(&response, &format!("/{mount}/login"));
        app.jar().set(&cookie, &laptop);
        assert_eq!(app.api_me(mount, None).await.status, 401, "{mount}: laptop");
        app.jar().set(&cookie, &bob);
        assert_eq!(app.api_me(mount, None).await.status, 200, "{mount}: bob");
    }
}

#[tokio::test]
async fn a_stateless_login_cannot_be_ended_everywhere_and_the_page_says_why() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;

    let response = app.post_logout_everywhere(JWT).await;

    assert_status(&response, 409);
    assert!(response.body.contains("denylist"));
}
