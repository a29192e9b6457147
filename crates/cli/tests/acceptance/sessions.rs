//! Session hardening: an absolute lifetime, a new id on a role change, logout that a request in
//! flight cannot undo, and "log out everywhere".

use std::{collections::HashMap, time::Duration};

use actix_session::storage::{SessionKey, SessionStore};
use actix_web::cookie::time;
use authlab_core::Role;
use authlab_session::store::{InProcessStore, RedisLink, RedisStore};
use authlab_testkit::{
    assert_is_redirect_to, assert_status, stateful_mounts, RedisServer, TestApp, ALICE, BOB,
};
use authlab_testkit::{MountSlug, JWT};

#[tokio::test]
async fn a_login_ends_after_its_absolute_lifetime_even_if_used() {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        session_absolute_ttl: 1,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    for mount in stateful_mounts() {
        app.log_in(mount, ALICE).await;
        assert_status(&app.get_dashboard(mount).await, 200);
    }

    tokio::time::sleep(Duration::from_millis(2100)).await;

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

    app.users().set_role("bob", Role::Admin);

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

fn login_state(login_id: &str) -> HashMap<String, String> {
    HashMap::from([
        ("user".to_owned(), "\"alice\"".to_owned()),
        ("login_id".to_owned(), format!("\"{login_id}\"")),
    ])
}

fn copy(key: &SessionKey) -> SessionKey {
    SessionKey::try_from(key.as_ref().to_owned()).expect("valid key")
}

/// The race: a request loads a live session, the user logs out, then the request saves the
/// session (an update after a change, or a save after a renewal). actix-session alone would
/// store it under a new key and log the user back in.
#[tokio::test]
async fn a_request_in_flight_during_logout_cannot_bring_a_redis_session_back() {
    let redis = RedisServer::start().expect("redis");
    let store = RedisStore::new(RedisLink::new(&redis.url(), Duration::from_secs(1)).expect("url"));
    let ttl = time::Duration::minutes(5);
    let key = store
        .save(login_state("L1"), &ttl)
        .await
        .expect("login saved");
    let in_flight = store.load(&key).await.expect("load").expect("live");

    store
        .revoke_login("L1", Duration::from_secs(300))
        .await
        .expect("logout");
    let updated = store
        .update(copy(&key), in_flight.clone(), &ttl)
        .await
        .expect("update");
    let renewed = store.save(in_flight, &ttl).await.expect("save");

    assert_eq!(store.load(&updated).await.expect("load"), None);
    assert_eq!(store.load(&renewed).await.expect("load"), None);
    let session_keys = redis
        .command("EVAL \"return #redis.call('KEYS', 'authlab:session:*')\" 0")
        .expect("count");
    assert_eq!(session_keys, ":0", "no session record survives the logout");
}

#[tokio::test]
async fn a_request_in_flight_during_logout_cannot_bring_a_memory_session_back() {
    let store = InProcessStore::new();
    let ttl = time::Duration::minutes(5);
    let key = store
        .save(login_state("L1"), &ttl)
        .await
        .expect("login saved");
    let in_flight = store.load(&key).await.expect("load").expect("live");

    store.revoke_login("L1", Duration::from_secs(300));
    let updated = store
        .update(copy(&key), in_flight.clone(), &ttl)
        .await
        .expect("update");
    let renewed = store.save(in_flight, &ttl).await.expect("save");

    assert_eq!(store.load(&updated).await.expect("load"), None);
    assert_eq!(store.load(&renewed).await.expect("load"), None);
    assert_eq!(store.stats().sessions, 0);
}
