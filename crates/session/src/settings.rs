//! What a session mount needs to be told.

use std::fmt;

use actix_web::cookie::Key;
use authlab_core::Secret;

use crate::SessionPolicy;

/// actix-web's `Key` (signing + encryption) needs 64 bytes; shorter material would panic there.
pub const MIN_KEY_BYTES: usize = 64;

#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub cookie_name: String,
    pub cookie_path: String,
    pub cookie_secure: bool,
    /// How long a login lives: the middleware's TTL and the cookie's Max-Age (`idle`), and the
    /// backend's absolute lifetime.
    pub policy: SessionPolicy,
    /// Encrypts the session cookie. Persisted, so that a restart does not log anyone out by itself.
    pub cookie_key: CookieKey,
}

/// The key that signs and encrypts session cookies, checked for length once, printed as
/// `[redacted]`.
#[derive(Clone)]
pub struct CookieKey(Key);

impl CookieKey {
    pub fn new(secret: &Secret) -> Result<Self, KeyTooShort> {
        Key::try_from(secret.expose())
            .map(CookieKey)
            .map_err(|_| KeyTooShort(secret.len()))
    }

    pub fn key(&self) -> &Key {
        &self.0
    }

    /// Whether `value` is a session cookie `name` that this key encrypted (what actix-session
    /// will accept), without opening a session: used to pick ours among same-named cookies.
    pub fn opens(&self, name: &str, value: &str) -> bool {
        let cookie = actix_web::cookie::Cookie::new(name.to_owned(), value.to_owned());
        actix_web::cookie::CookieJar::new()
            .private(&self.0)
            .decrypt(cookie)
            .is_some()
    }
}

impl fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the session cookie key is {0} bytes long; it must be at least {MIN_KEY_BYTES} bytes")]
pub struct KeyTooShort(pub usize);
