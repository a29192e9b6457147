//! The two session mounts, `/session` (records in Redis) and `/memory` (records in this process),
//! as values: their words, and how each wraps its routes in actix-session's middleware.
//!
//! Both are the same [`SessionBackend`] behind the same middleware; only the store differs, and
//! with it what the mount survives. The words differ for the same reason and nowhere else.

use std::sync::Arc;

use actix_web::{middleware::from_fn, HttpResponse};
use authlab_core::{
    CookieName, Credential, Mount, MountInfo, MountSlug, StateHome, StepWords, UserDirectory,
};

use crate::{outage, session_middleware, store::LoginStore, SessionBackend, SessionSettings};

/// `/session`: the record in Redis.
pub const REDIS_MOUNT: MountInfo = MountInfo {
    slug: MountSlug::new("session"),
    title: "Session in Redis",
    summary: "Stateful: the browser holds only a random session id; the server keeps who you \
              are in Redis and looks it up on every request. Logout deletes the record, so the \
              old cookie is dead at once, but every request needs Redis.",
    credential: Credential {
        cookie: Some(CookieName::new("authlab_session")),
        renewal_cookie: None,
        bearer: false,
        what: "a random session id",
    },
    home: StateHome::Redis,
    login: true,
    words: StepWords {
        created: "Redis gets one key for this login (authlab:session:{you}:<login id>) holding \
                  your username, role and login time, with a TTL.",
        ..SESSION_WORDS
    },
};

/// `/memory`: the record in this server process.
pub const MEMORY_MOUNT: MountInfo = MountInfo {
    slug: MountSlug::new("memory"),
    title: "Session in server memory",
    summary: "Stateful, like /session, but the records live in this server process's memory. It \
              is the course notes' warning made visible: restart the server and everyone is \
              logged out.",
    credential: Credential {
        cookie: Some(CookieName::new("authlab_memory")),
        renewal_cookie: None,
        bearer: false,
        what: "a random session id",
    },
    home: StateHome::Process,
    login: true,
    words: StepWords {
        created: "This server process's memory gets a new record under a random key, holding \
                  your username and login time. A restart of the process loses it.",
        ..SESSION_WORDS
    },
};

const SESSION_WORDS: StepWords = StepWords {
    created_title: "Session created",
    created: "",
    sent: "Receives Set-Cookie with the session id (encrypted by actix-session). The id means \
           nothing by itself: it is a key into the server's records.",
    stored: "Keeps the record; the browser holds only its key.",
    verified: "Looks the record up by the cookie's key (one store lookup per request), then your \
               current role in the user directory.",
    authorized: "Checks the role it just looked up: a role change applies at once.",
    ended: "Logout deletes the record: the old cookie is dead at once, even if copied.",
};

/// How the product answers when a store is down: `(what is down, is it an API request)`.
pub type StoreDownAnswer = fn(&'static str, bool) -> HttpResponse;

/// A session mount over `store`: the backend, and actix-session's middleware around its scope,
/// both built from the same `settings` (cookie and [`crate::SessionPolicy`]). `store_down`
/// answers the requests during which the store failed (a 503, not actix-session's opaque 500);
/// `None` for a store that cannot fail.
pub fn session_mount<S: LoginStore + Clone + Send + Sync + 'static>(
    info: &'static MountInfo,
    users: Arc<UserDirectory>,
    store: S,
    settings: SessionSettings,
    lifetime: String,
    store_down: Option<StoreDownAnswer>,
) -> Mount {
    let backend = SessionBackend::new(users, store.clone(), settings.clone());
    Mount::new(info, lifetime, Arc::new(backend)).with_install(Arc::new(move |cfg, scope| {
        let scope = scope.wrap(session_middleware(store.clone(), &settings));
        match store_down {
            // Outermost, so it sees what actix-session makes of a store failure.
            Some(answer) => cfg.service(scope.wrap(from_fn(move |req, next| {
                outage::answer_503_when_the_store_is_down(req, next, answer)
            }))),
            None => cfg.service(scope),
        };
    }))
}
