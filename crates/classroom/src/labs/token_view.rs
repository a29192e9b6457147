//! A token taken apart without the key: the "payload is public" lesson in code.
//!
//! Deliberately not jsonwebtoken's decoder: it would want a key and validation. Splitting on dots
//! and base64url-decoding is all anyone holding a token needs to read it.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

/// The three parts of a token, and the first two decoded.
#[derive(Debug, Clone)]
pub struct TokenView {
    pub header_b64: String,
    pub payload_b64: String,
    pub signature_b64: String,
    /// Pretty-printed JSON, or why it is not JSON.
    pub header: String,
    pub payload: String,
    pub payload_json: Option<serde_json::Value>,
}

impl TokenView {
    /// Take a token apart. `None` when it is not three dot-separated parts.
    pub fn of(token: &str) -> Option<TokenView> {
        let mut parts = token.split('.');
        let (header_b64, payload_b64, signature_b64) =
            (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let payload_json = decode_json(payload_b64);
        Some(TokenView {
            header_b64: header_b64.to_owned(),
            payload_b64: payload_b64.to_owned(),
            signature_b64: signature_b64.to_owned(),
            header: pretty(decode_json(header_b64)),
            payload: pretty(payload_json.clone()),
            payload_json,
        })
    }

    /// A claim of the payload as an integer (`iat`, `exp`).
    pub fn number(&self, claim: &str) -> Option<i64> {
        self.payload_json.as_ref()?.get(claim)?.as_i64()
    }

    pub fn string(&self, claim: &str) -> Option<String> {
        self.payload_json
            .as_ref()?
            .get(claim)?
            .as_str()
            .map(str::to_owned)
    }
}

fn decode_json(part: &str) -> Option<serde_json::Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn pretty(json: Option<serde_json::Value>) -> String {
    json.and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| "(not base64url JSON)".to_owned())
}

/// base64url of some JSON, as a token part.
pub fn encode_part(json: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_read_without_any_key() {
        let token = format!(
            "{}.{}.c2ln",
            encode_part(&serde_json::json!({"alg": "HS256"})),
            encode_part(&serde_json::json!({"sub": "alice", "exp": 5}))
        );

        let view = TokenView::of(&token).expect("three parts");

        assert_eq!(view.string("sub").as_deref(), Some("alice"));
        assert_eq!(view.number("exp"), Some(5));
        assert!(view.header.contains("HS256"));
        assert!(TokenView::of("a.b").is_none());
    }
}
