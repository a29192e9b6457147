//! "Is this token active, and for whom?": the one question an introspection endpoint (RFC 7662)
//! asks of whatever issued the token.
//!
//! A signed JWT answers it from its signature and claims; an opaque bearer token (a random
//! string) only through the store that holds it. The endpoint must not care which, so each kind
//! of token is a [`TokenIntrospector`] and the endpoint asks them in turn: the first that knows
//! the token answers. A token none of them knows is simply not active (RFC 7662 §2.2 says the
//! endpoint must not tell "unknown" from "expired" or "revoked").

use async_trait::async_trait;

use crate::{BackendError, Role};

/// What kind of token an introspector vouched for (`token_type` in the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A signed JWT: the resource server could have checked it itself, given the JWKS.
    Jwt,
    /// A random string that means something only to the store holding it.
    Opaque,
}

impl TokenKind {
    /// The RFC 7662 `token_type` value: both are presented as `Authorization: Bearer`.
    pub fn token_type(self) -> &'static str {
        "Bearer"
    }

    /// How the issuer knew, for pages and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Jwt => "jwt",
            TokenKind::Opaque => "opaque",
        }
    }
}

/// An active token's facts, as the endpoint publishes them to resource servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    pub kind: TokenKind,
    /// The username.
    pub sub: String,
    pub name: String,
    pub role: Role,
    /// Seconds since the epoch.
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Something that can say whether a presented token is active and for whom.
///
/// `Ok(None)`: not one of mine, or no longer active (expired, revoked, tampered) — the endpoint
/// answers `{"active": false}` either way. `Err`: I could not tell (the store is down), which the
/// endpoint must not turn into "inactive" (a resource server would log a user out over an
/// outage) but into a 503.
#[async_trait(?Send)]
pub trait TokenIntrospector: Send + Sync {
    async fn introspect(&self, token: &str) -> Result<Option<ActiveToken>, BackendError>;
}
