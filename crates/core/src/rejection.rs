//! Why a backend refused credentials that a client did present.
//!
//! A rejection is not an error: it is an answer ("this token expired") that the pages explain to
//! the student in words and the API returns as a 401. It travels in URLs as [`Rejection::code`],
//! never as free text, so a crafted link cannot put words in the page's mouth.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The signature does not match the header and payload: the token was altered, or signed
    /// with another key.
    BadSignature,
    /// The token's lifetime (`exp`) is over.
    Expired,
    /// The token is not valid yet (`nbf` or `iat` in the future).
    NotYetValid,
    /// The header names an algorithm the server does not accept (`none`, or another family).
    WrongAlgorithm,
    /// The token is not three base64url segments of JSON, or lacks a required claim.
    Malformed,
    /// The token is larger than any token this server issues.
    TooLarge,
    /// The header carries fields this server never issues (`kid`, `jku`, `jwk`, `x5u`, …).
    UnexpectedHeader,
    /// The token was issued by someone else or for another audience.
    WrongIssuerOrAudience,
    /// The login was ended (logout, revocation) before the credential expired.
    Revoked,
    /// A refresh token that had already been spent was presented again after the grace: someone
    /// holds a copy, so the whole login (every refresh token of its family) was ended.
    RefreshReused,
}

impl Rejection {
    pub const ALL: [Rejection; 10] = [
        Rejection::BadSignature,
        Rejection::Expired,
        Rejection::NotYetValid,
        Rejection::WrongAlgorithm,
        Rejection::Malformed,
        Rejection::TooLarge,
        Rejection::UnexpectedHeader,
        Rejection::WrongIssuerOrAudience,
        Rejection::Revoked,
        Rejection::RefreshReused,
    ];

    /// A stable, URL-safe name (used in `?reason=` and in JSON).
    pub fn code(self) -> &'static str {
        match self {
            Rejection::BadSignature => "bad_signature",
            Rejection::Expired => "expired",
            Rejection::NotYetValid => "not_yet_valid",
            Rejection::WrongAlgorithm => "wrong_algorithm",
            Rejection::Malformed => "malformed",
            Rejection::TooLarge => "too_large",
            Rejection::UnexpectedHeader => "unexpected_header",
            Rejection::WrongIssuerOrAudience => "wrong_issuer_or_audience",
            Rejection::Revoked => "revoked",
            Rejection::RefreshReused => "refresh_reused",
        }
    }

    pub fn from_code(code: &str) -> Option<Rejection> {
        Rejection::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The sentence a student reads on the login page.
    pub fn explanation(self) -> &'static str {
        match self {
            Rejection::BadSignature => {
                "The signature did not match: the token was changed after it was signed, \
                 or it was signed with another key."
            }
            Rejection::Expired => "The token expired: its exp time has passed. Log in again.",
            Rejection::NotYetValid => {
                "The token is not valid yet (its nbf or iat is in the future)."
            }
            Rejection::WrongAlgorithm => {
                "The token names an algorithm this server does not accept (for example alg: none)."
            }
            Rejection::Malformed => {
                "The token is malformed: it is not header.payload.signature in base64url JSON \
                 with the claims this server requires."
            }
            Rejection::TooLarge => "The token is larger than any token this server issues.",
            Rejection::UnexpectedHeader => {
                "The token's header names a key or key source (kid, jku, jwk, x5u…). This server \
                 never issues those and never lets a token choose the key that checks it."
            }
            Rejection::WrongIssuerOrAudience => {
                "The token was issued by another server or for another audience."
            }
            Rejection::Revoked => "This login was ended on the server.",
            Rejection::RefreshReused => {
                "This login was ended because an old refresh token was used again: a copy of \
                 it is in someone else's hands, so every token of this login was revoked."
            }
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
