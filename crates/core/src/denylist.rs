//! Revoking individual tokens before they expire: the state a stateless backend needs the
//! moment it wants a logout that really ends the login.

use async_trait::async_trait;

use crate::BackendError;

/// A shared list of revoked token ids (`jti`), each kept for as long as its token could live.
///
/// Checking it costs the JWT backend what the session backend always pays: one round trip to a
/// store on every request. An implementation that cannot answer must return an error, and the
/// backend then fails closed (503) rather than accept a token it cannot check.
#[async_trait(?Send)]
pub trait Denylist: Send + Sync + 'static {
    async fn revoke(&self, jti: &str, ttl_secs: u64) -> Result<(), BackendError>;

    async fn is_revoked(&self, jti: &str) -> Result<bool, BackendError>;

    /// How many token ids are on the list now (for the inspector and the memory benchmark).
    async fn entries(&self) -> Result<u64, BackendError>;
}
