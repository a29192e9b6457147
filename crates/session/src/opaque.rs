//! An opaque token: 32 random bytes, base64url, known to the server only by its SHA-256. The
//! notes' "random token" (`/session`'s and `/memory`'s bearer token) and `/refresh`'s refresh
//! token are both one.
//!
//! A hash is enough (no salt, no slow hash) because the token is 256 random bits, not a
//! password: nobody can guess one whose hash they have seen, so a copy of Redis does not hand out
//! logins. A type rather than a `String` so that the raw token cannot reach a log line or a Redis
//! key by accident: its `Debug` is redacted and the only way to a key is [`OpaqueToken::digest`].

use std::fmt;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;
/// Characters of a token in base64url without padding.
pub const TOKEN_CHARS: usize = 43;

#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueToken(String);

impl OpaqueToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        OpaqueToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as a client sent it; `None` for anything this server never issues.
    pub fn parse(text: &str) -> Option<Self> {
        let mut bytes = [0u8; TOKEN_BYTES + 3];
        let ok = text.len() == TOKEN_CHARS
            && URL_SAFE_NO_PAD.decode_slice(text, &mut bytes).ok() == Some(TOKEN_BYTES);
        ok.then(|| OpaqueToken(text.to_owned()))
    }

    /// What goes to the client, and only there.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token, hex: the only form in which the server keeps it.
    pub fn digest(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpaqueToken([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_parses_and_its_digest_does_not_contain_it() {
        let token = OpaqueToken::generate();

        let parsed = OpaqueToken::parse(token.expose());

        assert_eq!(parsed.as_ref(), Some(&token));
        assert_eq!(token.expose().len(), TOKEN_CHARS);
        assert_eq!(token.digest().len(), 64);
        assert!(!token.digest().contains(token.expose()));
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn anything_else_is_not_a_token() {
        for text in [
            "",
            "short",
            "a.b.c",
            &"A".repeat(44),
            &"*".repeat(43),
            // 43 characters whose last one carries bits past the 32nd byte.
            &format!("{}B", "A".repeat(42)),
        ] {
            assert_eq!(OpaqueToken::parse(text), None, "{text}");
        }
    }
}
