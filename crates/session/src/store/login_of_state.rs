//! Reading who a raw session record belongs to, for the stores' revocation checks.
//!
//! actix-session hands stores a `HashMap<String, String>` whose values are JSON; the stores look
//! at two of them without going through the typed [`crate::AuthSession`].

use std::collections::HashMap;

pub const USERNAME: &str = "user";
pub const LOGIN_ID: &str = "login_id";

/// `(login id, username)` of a record that holds a login.
pub fn login_of(state: &HashMap<String, String>) -> Option<(String, String)> {
    let field = |name: &str| {
        state
            .get(name)
            .and_then(|json| serde_json::from_str::<String>(json).ok())
    };
    Some((field(LOGIN_ID)?, field(USERNAME)?))
}
