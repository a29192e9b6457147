//! The session record's schema, in one place: its field names, the compact form both stores
//! keep a login in, and a typed view for handlers and the backend.
//!
//! actix-session hands stores a `HashMap<String, String>` whose values are JSON. The backend
//! writes and reads it only through [`AuthSession`]. A state that is exactly a login (the four
//! fields below, plus the store's epoch) is a [`LoginRecord`], which the stores keep as one short
//! line of text instead of a JSON map (the memory benchmark's lesson is what a login costs, not
//! what JSON costs); any other state is kept as actix-session's JSON.
//!
//! The line is `user login_id role login_at epoch`, space-separated (the user percent-encoded so
//! it holds no space and no brace); a store may append fields of its own after it (the Redis
//! store appends the session key's secret).

use std::collections::HashMap;

use actix_session::{Session, SessionExt, SessionInsertError};
use actix_web::HttpRequest;
use authlab_core::Role;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use rand::Rng;

/// The logged-in username.
pub const USERNAME: &str = "user";
/// Names one login across session-id renewals (random, 16 bytes, base64url).
pub const LOGIN_ID: &str = "login_id";
/// When the login happened, Unix seconds: the absolute lifetime counts from here.
pub const LOGIN_AT: &str = "login_at";
/// The role the session was last issued for (a change renews the session id).
pub const ROLE: &str = "role";
/// The user's epoch when the login was loaded, put there by the store: a write that carries an
/// epoch older than the user's current one comes from before a "log out everywhere" and is
/// refused. Absent in a login that was never stored yet.
pub const EPOCH: &str = "epoch";

/// What the user's name may not hold in a record or a Redis hash tag.
const USER_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'%')
    .add(b'{')
    .add(b'}')
    .add(b':')
    .add(b'*')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\');

/// A state that names a login (it has a login id) but is not exactly one: a field was added to
/// the session without teaching the record about it. Stores refuse it, so that no login is ever
/// kept without their revocation checks.
#[derive(Debug, thiserror::Error)]
#[error(
    "a session state holds a login but not the login record's fields (it has {fields:?}); \
     teach crate::record the new field"
)]
pub struct NotALoginRecord {
    pub fields: Vec<String>,
}

/// A login, as both stores keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRecord {
    pub user: String,
    pub login_id: String,
    pub role: Role,
    pub login_at: i64,
    /// The user's epoch this login belongs to; `None` for a login never stored yet.
    pub epoch: Option<u64>,
}

impl LoginRecord {
    /// The login a session state holds (`None`: the state holds no login, keep it as it is).
    pub fn of_state(state: &HashMap<String, String>) -> Result<Option<Self>, NotALoginRecord> {
        if !state.contains_key(LOGIN_ID) {
            return Ok(None);
        }
        Self::from_state(state).map(Some).ok_or_else(|| {
            let mut fields: Vec<String> = state.keys().cloned().collect();
            fields.sort();
            NotALoginRecord { fields }
        })
    }

    /// The login a session state holds, when the state is exactly a login.
    pub fn from_state(state: &HashMap<String, String>) -> Option<Self> {
        let string = |name: &str| serde_json::from_str::<String>(state.get(name)?).ok();
        let epoch = match state.get(EPOCH) {
            Some(json) => Some(serde_json::from_str::<u64>(json).ok()?),
            None => None,
        };
        let expected_fields = if epoch.is_some() { 5 } else { 4 };
        if state.len() != expected_fields {
            return None;
        }
        let login_id = string(LOGIN_ID)?;
        if login_id.is_empty()
            || !login_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        Some(LoginRecord {
            user: string(USERNAME)?,
            login_id,
            role: Role::parse(&string(ROLE)?)?,
            login_at: serde_json::from_str(state.get(LOGIN_AT)?).ok()?,
            epoch,
        })
    }

    /// The session state actix-session hands the backend (with the epoch the store read).
    pub fn to_state(&self) -> HashMap<String, String> {
        let json = |text: &str| serde_json::Value::from(text).to_string();
        let mut state = HashMap::from([
            (USERNAME.to_owned(), json(&self.user)),
            (LOGIN_ID.to_owned(), json(&self.login_id)),
            (ROLE.to_owned(), json(self.role.as_str())),
            (LOGIN_AT.to_owned(), self.login_at.to_string()),
        ]);
        if let Some(epoch) = self.epoch {
            state.insert(EPOCH.to_owned(), epoch.to_string());
        }
        state
    }

    /// `user login_id role login_at`: the line up to its epoch.
    pub fn line_head(&self) -> String {
        format!(
            "{} {} {} {}",
            escaped_user(&self.user),
            self.login_id,
            self.role.as_str(),
            self.login_at
        )
    }

    /// The whole line, with `epoch`.
    pub fn line(&self, epoch: u64) -> String {
        format!("{} {epoch}", self.line_head())
    }

    /// A stored line back into a login, and the fields a store appended after it.
    pub fn parse_line(line: &str) -> Option<(Self, Vec<&str>)> {
        let mut fields = line.split(' ');
        let user = percent_decode_str(fields.next()?)
            .decode_utf8()
            .ok()?
            .into_owned();
        let login_id = fields.next()?.to_owned();
        let role = Role::parse(fields.next()?)?;
        let login_at = fields.next()?.parse().ok()?;
        let epoch = fields.next()?.parse().ok()?;
        let record = LoginRecord {
            user,
            login_id,
            role,
            login_at,
            epoch: Some(epoch),
        };
        Some((record, fields.collect()))
    }
}

/// The user's name as a record and a Redis hash tag hold it (`alice` stays `alice`).
pub fn escaped_user(user: &str) -> String {
    utf8_percent_encode(user, USER_ESCAPES).to_string()
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
        // A new login belongs to the user's current epoch, whatever this session held before.
        self.0.remove(EPOCH);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> LoginRecord {
        LoginRecord {
            user: "alice".to_owned(),
            login_id: "bG9naW4taWQtMTIzNDU2".to_owned(),
            role: Role::Admin,
            login_at: 1_767_225_600,
            epoch: Some(3),
        }
    }

    #[test]
    fn a_login_goes_through_the_state_and_the_line_unchanged() {
        let login = alice();

        let line = format!("{} secret", login.line(3));

        let from_state = LoginRecord::from_state(&login.to_state());
        let from_line = LoginRecord::parse_line(&line);

        assert_eq!(from_state, Some(login.clone()));
        assert_eq!(from_line, Some((login, vec!["secret"])));
    }

    #[test]
    fn the_line_is_short_and_readable() {
        let line = alice().line(3);

        assert_eq!(line, "alice bG9naW4taWQtMTIzNDU2 admin 1767225600 3");
    }

    #[test]
    fn a_name_with_spaces_or_braces_cannot_break_the_line_or_a_hash_tag() {
        let login = LoginRecord {
            user: "a {b} c:d".to_owned(),
            ..alice()
        };

        let line = login.line(0);

        assert!(!escaped_user(&login.user).contains(['{', '}', ' ', ':']));
        assert_eq!(
            LoginRecord::parse_line(&line).map(|(l, _)| l.user),
            Some(login.user)
        );
    }

    #[test]
    fn a_state_with_anything_more_than_a_login_is_not_a_login() {
        let mut state = alice().to_state();
        state.insert("cart".to_owned(), "[]".to_owned());

        assert_eq!(LoginRecord::from_state(&state), None);
        assert!(
            LoginRecord::of_state(&state).is_err(),
            "a login must not be kept unguarded"
        );
        assert_eq!(
            LoginRecord::from_state(&HashMap::from([(
                USERNAME.to_owned(),
                "\"alice\"".to_owned()
            )])),
            None
        );
    }
}
