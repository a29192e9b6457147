//! The behaviour every session store owes the backend, each test written once.

use std::{collections::HashMap, time::Duration as StdDuration};

use actix_session::storage::{SessionKey, SessionStore};
use actix_web::cookie::time::Duration;
use authlab_session::store::{LoginStore, TokenLogin};

use crate::fixtures::Fixture;

const REMEMBER: StdDuration = StdDuration::from_secs(300);

fn ttl() -> Duration {
    Duration::minutes(5)
}

/// A record as a login leaves it (the values are JSON, as actix-session stores them).
fn login_state(login_id: &str, user: &str) -> HashMap<String, String> {
    HashMap::from([
        ("user".to_owned(), format!("\"{user}\"")),
        ("login_id".to_owned(), format!("\"{login_id}\"")),
        ("role".to_owned(), "\"user\"".to_owned()),
        ("login_at".to_owned(), "1767225600".to_owned()),
    ])
}

fn copy(key: &SessionKey) -> SessionKey {
    SessionKey::try_from(key.as_ref().to_owned()).expect("a valid key")
}

pub async fn saved_state_loads_back_until_deleted(fixture: impl Fixture) {
    let store = fixture.store();
    let state = HashMap::from([("user".to_owned(), "\"alice\"".to_owned())]);

    let key = store.save(state.clone(), &ttl()).await.expect("save");

    assert_eq!(store.load(&key).await.expect("load"), Some(state));
    assert_eq!(fixture.records_held(), 1);
    store.delete(&key).await.expect("delete");
    assert_eq!(store.load(&key).await.expect("load"), None);
}

pub async fn a_saved_login_loads_back_as_the_same_login(fixture: impl Fixture) {
    let store = fixture.store();
    let state = login_state("L1", "alice");

    let key = store.save(state.clone(), &ttl()).await.expect("save");
    let loaded = store.load(&key).await.expect("load").expect("live");

    for field in ["user", "login_id", "role", "login_at"] {
        assert_eq!(loaded.get(field), state.get(field), "{field}");
    }
    assert_eq!(fixture.records_held(), 1);
}

/// The race: a request loads a live session, the user logs out, then the request saves the
/// session (an update after a change, or a save after a renewal). actix-session alone would
/// store it under a new key and log the user back in.
pub async fn a_request_in_flight_during_logout_cannot_bring_the_login_back(fixture: impl Fixture) {
    let store = fixture.store();
    let key = store
        .save(login_state("L1", "alice"), &ttl())
        .await
        .expect("login saved");
    let in_flight = store.load(&key).await.expect("load").expect("live");

    store
        .revoke_login("alice", "L1", REMEMBER)
        .await
        .expect("logout");
    let updated = store
        .update(copy(&key), in_flight.clone(), &ttl())
        .await
        .expect("update");
    let renewed = store.save(in_flight, &ttl()).await.expect("save");

    assert_eq!(store.load(&updated).await.expect("load"), None);
    assert_eq!(store.load(&renewed).await.expect("load"), None);
    assert_eq!(
        fixture.records_held(),
        0,
        "no session record survives the logout"
    );
    assert_eq!(store.count_sessions(100).await.expect("count").sessions, 0);
}

pub async fn revoking_a_user_ends_all_their_logins_and_no_one_elses(fixture: impl Fixture) {
    let store = fixture.store();
    let laptop = store
        .save(login_state("A1", "alice"), &ttl())
        .await
        .expect("save");
    let phone = store
        .save(login_state("A2", "alice"), &ttl())
        .await
        .expect("save");
    let bob = store
        .save(login_state("B1", "bob"), &ttl())
        .await
        .expect("save");
    let in_flight = store.load(&phone).await.expect("load").expect("live");

    let ended = store.revoke_user("alice", REMEMBER).await.expect("revoke");
    let saved_back = store.save(in_flight, &ttl()).await.expect("save");

    assert_eq!(ended, 2);
    assert_eq!(store.load(&laptop).await.expect("load"), None);
    assert_eq!(store.load(&saved_back).await.expect("load"), None);
    assert!(store.load(&bob).await.expect("load").is_some());
    assert_eq!(fixture.records_held(), 1);
}

pub async fn updating_a_deleted_record_does_not_resurrect_its_key(fixture: impl Fixture) {
    let store = fixture.store();
    let state = HashMap::from([("user".to_owned(), "\"alice\"".to_owned())]);
    let key = store.save(state.clone(), &ttl()).await.expect("save");
    store.delete(&key).await.expect("delete");

    let new_key = store
        .update(copy(&key), state, &ttl())
        .await
        .expect("update");

    assert_ne!(new_key.as_ref(), key.as_ref());
    assert_eq!(store.load(&key).await.expect("load"), None);
}

/// A role change renews the session id (OWASP): the middleware deletes the old key and saves the
/// state anew. The new id carries the login; the old one is dead.
pub async fn a_renewed_session_id_carries_the_login_and_the_old_one_is_dead(fixture: impl Fixture) {
    let store = fixture.store();
    let old = store
        .save(login_state("L1", "alice"), &ttl())
        .await
        .expect("login saved");
    let mut state = store.load(&old).await.expect("load").expect("live");
    state.insert("role".to_owned(), "\"admin\"".to_owned());

    store.delete(&old).await.expect("delete");
    let renewed = store.save(state, &ttl()).await.expect("save");

    assert_ne!(renewed.as_ref(), old.as_ref());
    let loaded = store.load(&renewed).await.expect("load").expect("live");
    assert_eq!(loaded.get("role").map(String::as_str), Some("\"admin\""));
    assert_eq!(store.load(&old).await.expect("load"), None);
    assert_eq!(fixture.records_held(), 1);
}

pub async fn the_inspector_reads_the_visitors_record_back(fixture: impl Fixture) {
    let store = fixture.store();
    let key = store
        .save(login_state("L1", "alice"), &ttl())
        .await
        .expect("save");
    store
        .save(login_state("B1", "bob"), &ttl())
        .await
        .expect("save");

    let facts = store.server_facts(Some(key.as_ref())).await.expect("facts");

    let yours = facts
        .records
        .iter()
        .find(|record| record.yours)
        .expect("the visitor's record is shown");
    assert!(yours.value.contains("alice"), "{}", yours.value);
    assert!(yours.ttl_seconds.is_some_and(|ttl| ttl > 0 && ttl <= 300));
    assert!(yours.size_bytes.is_some_and(|bytes| bytes > 0));
    assert_eq!(facts.count.expect("a count").count, 2);
}

/// A login with a field the record does not know must fail loudly, not be kept as plain state
/// where no revocation check would see it.
pub async fn a_login_with_an_unknown_field_is_refused_not_kept_unguarded(fixture: impl Fixture) {
    let store = fixture.store();
    let mut state = login_state("L1", "alice");
    state.insert("cart".to_owned(), "[]".to_owned());

    let saved = store.save(state, &ttl()).await;

    assert!(saved.is_err());
    assert_eq!(fixture.records_held(), 0);
}

pub async fn the_store_declares_what_it_survives(fixture: impl Fixture) {
    let declared = fixture.store().capabilities();

    assert_eq!(declared, fixture.expected_capabilities());
}

pub async fn a_ready_store_answers_the_probe(fixture: impl Fixture) {
    let answer = fixture.store().ping().await;

    assert!(answer.is_ok(), "{answer:?}");
}

fn token_login(user: &str) -> TokenLogin {
    TokenLogin {
        user: user.to_owned(),
        login_at: 1_767_225_600,
    }
}

pub async fn a_kept_token_names_its_login_until_dropped(fixture: impl Fixture) {
    let store = fixture.store();
    let login = token_login("alice");

    store
        .keep_token("digest-1", &login, REMEMBER)
        .await
        .expect("keep");

    assert_eq!(
        store.token_login("digest-1").await.expect("read"),
        Some(login)
    );
    assert_eq!(store.token_login("digest-2").await.expect("read"), None);
    store.drop_token("digest-1").await.expect("drop");
    assert_eq!(store.token_login("digest-1").await.expect("read"), None);
}

pub async fn revoking_a_user_ends_their_tokens_and_no_one_elses(fixture: impl Fixture) {
    let store = fixture.store();
    store
        .keep_token("alices", &token_login("alice"), REMEMBER)
        .await
        .expect("keep");
    store
        .keep_token("bobs", &token_login("bob"), REMEMBER)
        .await
        .expect("keep");

    store.revoke_user("alice", REMEMBER).await.expect("revoke");

    assert_eq!(store.token_login("alices").await.expect("read"), None);
    assert_eq!(
        store.token_login("bobs").await.expect("read"),
        Some(token_login("bob"))
    );
}
