//! What the JWT backend needs to be told.

use std::time::Duration;

use authlab_core::Secret;

/// HS256 keys shorter than this are refused: RFC 7518 §3.2 asks for a key at least as long as the
/// hash output (256 bits), and jsonwebtoken itself accepts even an empty key.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub secret: Secret,
    /// How long a token lives. Exact: validation runs with zero leeway.
    pub ttl: Duration,
    pub issuer: String,
    pub audience: String,
    pub cookie_name: String,
    pub cookie_path: String,
    pub cookie_secure: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "the JWT secret is {0} bytes long; HS256 needs at least {MIN_SECRET_BYTES} bytes of secret \
         (leave AUTHLAB_JWT_SECRET unset to have one generated and kept in the data directory)"
    )]
    SecretTooShort(usize),
    #[error("the JWT lifetime must be at least one second")]
    ZeroTtl,
}

impl JwtSettings {
    /// Settings with the defaults of the `/jwt` mount for a given secret.
    pub fn new(secret: Secret, ttl: Duration) -> Self {
        JwtSettings {
            secret,
            ttl,
            issuer: "authlab".to_owned(),
            audience: "authlab-demo".to_owned(),
            cookie_name: "authlab_jwt".to_owned(),
            cookie_path: "/jwt".to_owned(),
            cookie_secure: true,
        }
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.secret.len() < MIN_SECRET_BYTES {
            return Err(SettingsError::SecretTooShort(self.secret.len()));
        }
        if self.ttl.as_secs() == 0 {
            return Err(SettingsError::ZeroTtl);
        }
        Ok(())
    }
}
