//! The session record's schema, in one place: its field names, how a store reads who a raw
//! record belongs to, and a typed view for handlers and the backend.
//!
//! actix-session hands stores a `HashMap<String, String>` whose values are JSON. The backend
//! writes and reads it only through [`AuthSession`]; the stores look at two of its fields (who,
//! and under which login id) through [`login_of`] for their revocation checks.

use std::collections::HashMap;

use actix_session::{Session, SessionExt, SessionInsertError};
use actix_web::HttpRequest;
use authlab_core::Role;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::Rng;

/// The logged-in username.
pub const USERNAME: &str = "user";
/// Names one login across session-id renewals (random, 16 bytes, base64url).
pub const LOGIN_ID: &str = "login_id";
/// When the login happened, Unix seconds: the absolute lifetime counts from here.
pub const LOGIN_AT: &str = "login_at";
/// The role the session was last issued for (a change renews the session id).
pub const ROLE: &str = "role";

/// `(login id, username)` of a record that holds a login.
pub fn login_of(state: &HashMap<String, String>) -> Option<(String, String)> {
    let field = |name: &str| {
        state
            .get(name)
            .and_then(|json| serde_json::from_str::<String>(json).ok())
    };
    Some((field(LOGIN_ID)?, field(USERNAME)?))
}

/// The login part of a session: who logged in, when, under which login id, with which role.
///
/// The login id names one login across session-id renewals; logout revokes it, which is what
/// stops a request in flight during logout from saving the session back (see `store`).
pub struct AuthSession(Session);

impl AuthSession {
    pub fn of(req: &HttpRequest) -> Self {
        AuthSession(req.get_session())
    }

    /// Start a login. The session id is renewed first: a session id planted before login (session
    /// fixation) must not become an authenticated one.
    pub fn start(
        &self,
        username: &str,
        role: Role,
        login_at: i64,
    ) -> Result<(), SessionInsertError> {
        let login_id: [u8; 16] = rand::rng().random();
        self.0.renew();
        self.0.insert(USERNAME, username)?;
        self.0.insert(LOGIN_ID, URL_SAFE_NO_PAD.encode(login_id))?;
        self.0.insert(ROLE, role)?;
        self.0.insert(LOGIN_AT, login_at)
    }

    /// The logged-in username. A record that does not parse counts as no login.
    pub fn username(&self) -> Option<String> {
        self.0.get::<String>(USERNAME).ok().flatten()
    }

    pub fn login_at(&self) -> Option<i64> {
        self.0.get::<i64>(LOGIN_AT).ok().flatten()
    }

    pub fn login_id(&self) -> Option<String> {
        self.0.get::<String>(LOGIN_ID).ok().flatten()
    }

    /// The role the session was last issued for.
    pub fn role(&self) -> Option<Role> {
        self.0.get::<Role>(ROLE).ok().flatten()
    }

    /// The user's role changed on the server: issue a new session id for the new privileges
    /// (OWASP: renew the id on any privilege change).
    pub fn change_role(&self, role: Role) -> Result<(), SessionInsertError> {
        self.0.renew();
        self.0.insert(ROLE, role)
    }

    /// End the login: the middleware deletes the record from the store and clears the cookie.
    pub fn end(&self) {
        self.0.purge();
    }
}
