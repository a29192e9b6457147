//! The `/jwt` inspector: the token taken apart, and the (absence of) server state.
//!
//! Decoding needs no key, and that is the lesson: base64url is an encoding, so the page shows
//! exactly what anyone holding the token could read. Nothing here verifies anything; the
//! dashboard that shows it is reached only after [`crate::JwtBackend`] accepted the token.

use authlab_core::{CookieFacts, CookieSetting, RecordCount, ServerFacts, TokenFacts};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;

use crate::JwtSettings;

/// The three parts of `token`, with the header and payload decoded. `None` when it is not three
/// base64url segments of JSON (a token the backend would have rejected anyway).
pub fn token_facts(token: &str) -> Option<TokenFacts> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header_value = decode_json(header)?;
    let payload_value = decode_json(payload)?;
    Some(TokenFacts {
        header: header.to_owned(),
        payload: payload.to_owned(),
        signature: signature.to_owned(),
        header_json: serde_json::to_string_pretty(&header_value).ok()?,
        payload_json: serde_json::to_string_pretty(&payload_value).ok()?,
        issued_at: payload_value.get("iat").and_then(Value::as_i64),
        expires_at: payload_value.get("exp").and_then(Value::as_i64),
    })
}

fn decode_json(part: &str) -> Option<Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// The token cookie as the backend sets it.
pub fn cookie_facts(settings: &JwtSettings, value: &str) -> CookieFacts {
    CookieFacts::of(
        CookieSetting {
            name: &settings.cookie_name,
            secure: settings.cookie_secure,
            path: &settings.cookie_path,
            max_age_secs: settings.ttl.as_secs(),
        },
        value,
    )
}

/// What the server holds: nothing, or the denylist's size when revocation is on.
pub fn server_facts(denylisted: Option<u64>) -> ServerFacts {
    match denylisted {
        None => ServerFacts::nothing(
            "The server keeps no record of this login. Everything it needs is in the token: it \
             checks the signature with its key and reads who you are from the payload. Logout \
             can only ask the browser to forget the cookie; a copy keeps working until exp.",
        ),
        Some(count) => ServerFacts {
            store: "Redis (denylist)".to_owned(),
            explanation: "The denylist is on (AUTHLAB_JWT_DENYLIST): the server stores the id \
                (jti) of every token logged out before its exp, and checks every request against \
                it. Logout now works at once, and /jwt needs Redis like /session does."
                .to_owned(),
            records: Vec::new(),
            count: Some(RecordCount {
                what: "revoked token ids".to_owned(),
                one: "revoked token id".to_owned(),
                count,
                at_least: false,
                total_bytes: None,
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_split_and_its_header_and_payload_decoded_without_a_key() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"alice","iat":10,"exp":20}"#);
        let token = format!("{header}.{payload}.c2lnbmF0dXJl");

        let facts = token_facts(&token).expect("three JSON parts");

        assert_eq!(facts.header, header);
        assert_eq!(facts.signature, "c2lnbmF0dXJl");
        assert!(facts.header_json.contains("\"alg\": \"HS256\""));
        assert!(facts.payload_json.contains("\"sub\": \"alice\""));
        assert_eq!((facts.issued_at, facts.expires_at), (Some(10), Some(20)));
    }

    #[test]
    fn garbage_is_not_taken_apart() {
        assert!(token_facts("not-a-token").is_none());
        assert!(token_facts("a.b.c.d").is_none());
        assert!(token_facts("e30.!!!.sig").is_none());
    }
}
