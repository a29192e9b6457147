//! The careless verifiers the attack labs compare the real one with, run for real.
//!
//! Each attack lab shows two verdicts on the same forged token: what this server's verifier said
//! (a real request to `/jwt/api/me`) and what a verifier making the textbook mistake would have
//! said. The second is computed here, by code that makes that mistake on purpose, so the lab
//! shows a result and not a claim: it believes the header's `alg`, and takes its key from
//! wherever it is told (a header's `jwk`, a `kid` path, a public key's bytes). Nothing here is
//! used to authenticate anyone.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// What the careless verifier made of a token.
pub struct NaiveVerdict {
    /// What it did, in one sentence.
    pub how: String,
    /// `Some(who)` when it accepted the token ("alice (admin)").
    pub accepted_as: Option<String>,
}

impl NaiveVerdict {
    pub fn new(how: impl Into<String>, claims: Option<Value>) -> Self {
        NaiveVerdict {
            how: how.into(),
            accepted_as: claims.map(|claims| who(&claims)),
        }
    }
}

/// "alice (admin)" from a token's claims.
pub fn who(claims: &Value) -> String {
    format!(
        "{} ({})",
        claims.get("sub").and_then(Value::as_str).unwrap_or("?"),
        claims.get("role").and_then(Value::as_str).unwrap_or("?")
    )
}

pub fn encode_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, the empty one included: that is the lesson.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
        <Hmac<Sha256> as Mac>::new_from_slice(&[0]).expect("a one-byte HMAC key")
    });
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `header.payload.signature`, HMAC-SHA256 with `key`, whatever the header says.
pub fn sign_hs256(header: &Value, claims: &Value, key: &[u8]) -> String {
    let input = format!("{}.{}", encode_json(header), encode_json(claims));
    let signature = URL_SAFE_NO_PAD.encode(hmac_sha256(key, input.as_bytes()));
    format!("{input}.{signature}")
}

/// Whether `token`'s signature is the HMAC-SHA256 of its first two parts under `key`.
pub fn hs256_signature_matches(token: &str, key: &[u8]) -> bool {
    let Some((input, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    hmac_sha256(key, input.as_bytes()) == signature
}

/// The header and claims of a token, read without any check.
pub fn parts(token: &str) -> Option<(Value, Value)> {
    let mut split = token.split('.');
    let header = URL_SAFE_NO_PAD.decode(split.next()?).ok()?;
    let claims = URL_SAFE_NO_PAD.decode(split.next()?).ok()?;
    Some((
        serde_json::from_slice(&header).ok()?,
        serde_json::from_slice(&claims).ok()?,
    ))
}

/// The mistake at its plainest: if the header says HS256, check an HMAC with `key`, and believe
/// the claims if it matches.
pub fn accepts_hs256_with(token: &str, key: &[u8]) -> Option<Value> {
    let (header, claims) = parts(token)?;
    (header.get("alg").and_then(Value::as_str) == Some("HS256")
        && hs256_signature_matches(token, key))
    .then_some(claims)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_hmac_token_signed_with_a_key_is_accepted_with_that_key_only() {
        let token = sign_hs256(
            &json!({"alg": "HS256"}),
            &json!({"sub": "alice"}),
            b"12@34$56",
        );

        assert!(accepts_hs256_with(&token, b"12@34$56").is_some());
        assert!(accepts_hs256_with(&token, b"12@34$57").is_none());
        assert!(
            accepts_hs256_with(&sign_hs256(&json!({"alg": "HS256"}), &json!({}), b""), b"")
                .is_some()
        );
    }
}
