//! What the JWT backend needs to be told.

use std::{fmt, str::FromStr, time::Duration};

use authlab_core::{CookieName, MountSlug, Secret};

/// The `/jwt` mount's slug and cookie, named once: `JWT_MOUNT` and the default settings read them.
pub const SLUG: MountSlug = MountSlug::new("jwt");
pub const COOKIE: CookieName = CookieName::new("authlab_jwt");

/// HS256 keys shorter than this are refused: RFC 7518 §3.2 asks for a key at least as long as the
/// hash output (256 bits), and jsonwebtoken itself accepts even an empty key.
pub const MIN_SECRET_BYTES: usize = 32;

/// An Ed25519 private key is its 32-byte seed (RFC 8032 §5.1.5).
pub const ED25519_SEED_BYTES: usize = 32;

/// The one algorithm a server signs and accepts (`AUTHLAB_JWT_ALG`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JwtAlg {
    /// HMAC-SHA256 with a shared secret: whoever can verify can also sign.
    #[default]
    Hs256,
    /// Ed25519 signatures: the private key signs, the published public key verifies.
    EdDsa,
}

impl JwtAlg {
    /// The `alg` header value.
    pub fn name(self) -> &'static str {
        match self {
            JwtAlg::Hs256 => "HS256",
            JwtAlg::EdDsa => "EdDSA",
        }
    }

    /// How many random bytes a generated key of this algorithm has.
    pub fn generated_key_bytes(self) -> usize {
        match self {
            JwtAlg::Hs256 => 64,
            JwtAlg::EdDsa => ED25519_SEED_BYTES,
        }
    }

    /// The key file in the data directory.
    pub fn key_file_name(self) -> &'static str {
        match self {
            JwtAlg::Hs256 => "jwt-hs256.key",
            JwtAlg::EdDsa => "jwt-ed25519.key",
        }
    }
}

impl fmt::Display for JwtAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for JwtAlg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "HS256" => Ok(JwtAlg::Hs256),
            "EdDSA" => Ok(JwtAlg::EdDsa),
            other => Err(format!("unknown JWT algorithm {other:?}: HS256 or EdDSA")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub algorithm: JwtAlg,
    /// The HS256 secret, or the Ed25519 private key's seed.
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
    #[error("the Ed25519 key file holds {0} bytes; an Ed25519 private key is a {ED25519_SEED_BYTES}-byte seed (delete the file to have one made; this logs every EdDSA user out)")]
    BadEd25519Key(usize),
    #[error("the JWT lifetime must be at least one second")]
    ZeroTtl,
}

impl JwtSettings {
    /// Settings with the defaults of the `/jwt` mount for a given secret.
    pub fn new(secret: Secret, ttl: Duration) -> Self {
        JwtSettings {
            algorithm: JwtAlg::Hs256,
            secret,
            ttl,
            issuer: "authlab".to_owned(),
            audience: "authlab-demo".to_owned(),
            cookie_name: COOKIE.as_str().to_owned(),
            cookie_path: SLUG.prefix(),
            cookie_secure: true,
        }
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        match self.algorithm {
            JwtAlg::Hs256 if self.secret.len() < MIN_SECRET_BYTES => {
                return Err(SettingsError::SecretTooShort(self.secret.len()));
            }
            JwtAlg::EdDsa if self.secret.len() != ED25519_SEED_BYTES => {
                return Err(SettingsError::BadEd25519Key(self.secret.len()));
            }
            _ => {}
        }
        if self.ttl.as_secs() == 0 {
            return Err(SettingsError::ZeroTtl);
        }
        Ok(())
    }
}
