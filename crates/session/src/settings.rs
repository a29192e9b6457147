//! What a session mount needs to be told.

use std::time::Duration;

use authlab_core::Secret;

/// actix-web's `Key` (signing + encryption) needs 64 bytes; shorter material would panic there.
pub const MIN_KEY_BYTES: usize = 64;

#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub cookie_name: String,
    pub cookie_path: String,
    pub cookie_secure: bool,
    /// How long a login lives in the store (and the cookie's Max-Age).
    pub ttl: Duration,
    /// Encrypts the session cookie. Persisted, so that a restart does not log anyone out by itself.
    pub cookie_key: Secret,
}

#[derive(Debug, thiserror::Error)]
#[error("the session cookie key is {0} bytes long; it must be at least {MIN_KEY_BYTES} bytes")]
pub struct KeyTooShort(pub usize);
