//! What checking a presented token comes to: who it is for and how the service knew, or why it
//! was refused, or that the issuer could not be asked. The words are written once here, for the
//! JSON API and the page alike.

/// A token this service accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub sub: String,
    pub name: String,
    pub role: String,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub how: How,
}

/// How the service knew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// The Ed25519 signature checked here with the issuer's public key `kid` from its JWKS: no
    /// request to the issuer (unless the key was new).
    LocalSignature { kid: String },
    /// The issuer's `POST /introspect` said the token is active: one round trip per request.
    Introspection,
}

impl How {
    /// The machine-readable name (`verified_by` in the JSON).
    pub fn code(&self) -> &'static str {
        match self {
            How::LocalSignature { .. } => "local_signature",
            How::Introspection => "introspection",
        }
    }

    pub fn explanation(&self) -> String {
        match self {
            How::LocalSignature { kid } => format!(
                "Checked here: the token's Ed25519 signature verifies with the issuer's public key \
                 {kid} from its JWKS (cached), and iss, aud, exp and nbf hold with zero leeway. \
                 The issuer was not asked, so it would not know about a logout until the token \
                 expires."
            ),
            How::Introspection => "Asked the issuer: this token is opaque (or not one this \
                 service can check with a public key), so it was posted to the issuer's \
                 /introspect, which said it is active. Every request pays that round trip, and a \
                 logout on the issuer is seen at the next request."
                .to_owned(),
        }
    }
}

/// Why a token was refused: a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no bearer token was presented")]
    Missing,
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token is larger than any the issuer makes")]
    TooLarge,
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's header names no key id (kid)")]
    NoKeyId,
    #[error("the token's key id is not in the issuer's JWKS, even after fetching it again")]
    UnknownKey,
    #[error("the signature does not verify with the issuer's public key")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    #[error("the token was issued by someone else (iss)")]
    WrongIssuer,
    #[error("the token is meant for another audience (aud)")]
    WrongAudience,
    #[error("the issuer's introspection says the token is not active")]
    Inactive,
    #[error(
        "the token is opaque, and this service was given no introspection secret to ask the \
         issuer about it"
    )]
    CannotIntrospect,
}

impl Refusal {
    /// For `WWW-Authenticate: Bearer error="…"` (RFC 6750 §3.1).
    pub fn bearer_error(self) -> &'static str {
        match self {
            Refusal::Missing => "invalid_request",
            _ => "invalid_token",
        }
    }
}

/// The issuer could not be asked (down, slow, or refusing our introspection secret): a 503. The
/// detail is logged, never shown.
#[derive(Debug, thiserror::Error)]
#[error("the issuer is unavailable: {0}")]
pub struct IssuerUnavailable(pub String);

/// Either way a check can fail.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Unavailable(#[from] IssuerUnavailable),
}
