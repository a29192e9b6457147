//! The ring's public keys as a JSON Web Key Set (RFC 7517), for `GET /.well-known/jwks.json`.
//!
//! Under EdDSA every key that still verifies is listed, the current one and the previous ones in
//! their overlap, so that another service holding only this document can check any live token,
//! and picks the key by the token's `kid`. Under HS256 the set is empty: the key that verifies an
//! HS256 token is the key that signs it, and a shared secret is never published.

use serde::Serialize;

/// `{"keys": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

/// One Ed25519 public key (RFC 8037 §2: `kty: OKP`, `crv: Ed25519`, `x` the raw key in
/// base64url).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub x: String,
    pub kid: String,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub alg: &'static str,
}

impl Jwk {
    /// `x` is the base64url (no padding) of the 32-byte public key.
    pub fn ed25519(kid: &str, x: &str) -> Self {
        Jwk {
            kty: "OKP",
            crv: "Ed25519",
            x: x.to_owned(),
            kid: kid.to_owned(),
            use_: "sig",
            alg: "EdDSA",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_written_with_the_rfc_names() {
        let set = JwkSet {
            keys: vec![Jwk::ed25519("k1", "abc")],
        };

        let json = serde_json::to_value(&set).expect("json");

        assert_eq!(
            json,
            serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc",
                "kid": "k1", "use": "sig", "alg": "EdDSA"}]})
        );
    }
}
