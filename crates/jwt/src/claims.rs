//! What a token says. Everything here is readable by anyone who holds the token.

use authlab_core::{Identity, Role};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The username.
    pub sub: String,
    /// The display name, so pages need no lookup.
    pub name: String,
    /// The role at the time of signing: a later change on the server does not reach it.
    pub role: Role,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Expires at, seconds since the epoch: the token is refused from this second on.
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// A unique id, what a denylist would store to revoke this one token.
    pub jti: String,
    /// The login (refresh-token family) an access token of `/refresh` belongs to; `/jwt`'s own
    /// tokens have none. It keeps the two mounts' tokens apart although one key ring signs both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl Claims {
    pub fn identity(&self) -> Identity {
        Identity {
            username: self.sub.clone(),
            display_name: self.name.clone(),
            role: self.role,
        }
    }
}
