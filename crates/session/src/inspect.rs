//! The session mounts' inspector: the opaque cookie, and the record it points at.
//!
//! actix-session encrypts the cookie (`CookieContentSecurity::Private`), so the browser holds a
//! value that means nothing without the server's key; the server decrypts it to the session id
//! and reads the record stored under it. The inspector does both steps in the open, because
//! "the browser holds a random id, the server holds who you are" is the lesson of these mounts.

use actix_web::cookie::{Cookie, CookieJar};
use authlab_core::{CookieFacts, CookieSetting, RecordCount, ServerFacts, StoredRecord};

use crate::SessionSettings;

/// The session id inside the encrypted cookie, or `None` if it does not decrypt with this key.
pub fn session_id(settings: &SessionSettings, cookie: &Cookie<'_>) -> Option<String> {
    let mut jar = CookieJar::new();
    jar.add_original(cookie.clone().into_owned());
    jar.private(settings.cookie_key.key())
        .get(&settings.cookie_name)
        .map(|plain| plain.value().to_owned())
}

/// The session cookie as the middleware sets it.
pub fn cookie_facts(settings: &SessionSettings, value: &str) -> CookieFacts {
    CookieFacts::of(
        CookieSetting {
            name: &settings.cookie_name,
            secure: settings.cookie_secure,
            path: &settings.cookie_path,
            max_age_secs: settings.policy.idle.as_secs(),
        },
        value,
    )
}

/// The words under the cookie: what its value is, and what it decrypts to.
pub fn credential_note(session_id: Option<&str>) -> String {
    match session_id {
        Some(id) => format!(
            "The cookie's value is a random session id, encrypted and signed with the server's \
             cookie key, so it reveals nothing and cannot be forged. The server decrypts it to \
             {id} and looks up the record stored under that id. Everything about you is on \
             the server."
        ),
        None => "The cookie's value is a random session id, encrypted with the server's cookie \
                 key; it did not decrypt with the current key."
            .to_owned(),
    }
}

/// The record in Redis and how many others there are (at least `sessions` when `at_least`).
pub fn redis_facts(record: Option<StoredRecord>, sessions: u64, at_least: bool) -> ServerFacts {
    ServerFacts {
        store: "Redis".to_owned(),
        explanation: "Redis holds one record per login, under the session id. Every request \
            reads it back (one round trip); logout deletes it, so the old cookie is dead at \
            once; when Redis is down nobody is logged in."
            .to_owned(),
        records: record.into_iter().collect(),
        count: Some(RecordCount {
            what: "live sessions in Redis".to_owned(),
            one: "live session in Redis".to_owned(),
            count: sessions,
            at_least,
            total_bytes: None,
        }),
    }
}

/// Your record in this process's memory, and how many others there are. Only yours is shown:
/// the others' session ids, login ids, roles and login times are other visitors' business.
pub fn memory_facts(records: Vec<StoredRecord>, sessions: u64, total_bytes: u64) -> ServerFacts {
    ServerFacts {
        store: "this server process's memory".to_owned(),
        explanation: "A map inside the server process holds one record per login (yours is \
            below; the others are only counted). Lookups cost no network round trip, but the map \
            dies with the process: restart the server and every record is gone. A second server \
            instance cannot see them either."
            .to_owned(),
        records: records.into_iter().filter(|r| r.yours).collect(),
        count: Some(RecordCount {
            what: "live sessions in this process".to_owned(),
            one: "live session in this process".to_owned(),
            count: sessions,
            at_least: false,
            total_bytes: Some(total_bytes),
        }),
    }
}
