//! A typed view of the session, so handlers and the backend never touch raw keys.

use actix_session::{Session, SessionExt, SessionInsertError};
use actix_web::HttpRequest;

const USERNAME: &str = "user";
const LOGIN_AT: &str = "login_at";

/// The login part of a session: who logged in, and when.
pub struct AuthSession(Session);

impl AuthSession {
    pub fn of(req: &HttpRequest) -> Self {
        AuthSession(req.get_session())
    }

    /// Start a login. The session id is renewed first: a session id planted before login (session
    /// fixation) must not become an authenticated one.
    pub fn start(&self, username: &str, login_at: i64) -> Result<(), SessionInsertError> {
        self.0.renew();
        self.0.insert(USERNAME, username)?;
        self.0.insert(LOGIN_AT, login_at)
    }

    /// The logged-in username. A record that does not parse counts as no login.
    pub fn username(&self) -> Option<String> {
        self.0.get::<String>(USERNAME).ok().flatten()
    }

    pub fn login_at(&self) -> Option<i64> {
        self.0.get::<i64>(LOGIN_AT).ok().flatten()
    }

    /// End the login: the middleware deletes the record from the store and clears the cookie.
    pub fn end(&self) {
        self.0.purge();
    }
}
