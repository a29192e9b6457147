//! What the criterion benchmarks in `benches/` share: keys built once, a realistic session record.
//!
//! Keys are read from checked-in PEM test keys (`benches/keys/`, see its README) and built once
//! per benchmark run, as the server builds its key once at start-up: the figures are for signing
//! and verifying, never for parsing a key.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};

/// The claims the server puts in a token (same names and sizes).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BenchClaims {
    pub sub: String,
    pub name: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

pub fn claims() -> BenchClaims {
    let now = authlab_jwt::codec::unix_now();
    BenchClaims {
        sub: "bob".to_owned(),
        name: "Bob the Builder".to_owned(),
        role: "user".to_owned(),
        iss: "authlab".to_owned(),
        aud: "authlab-demo".to_owned(),
        iat: now,
        exp: now + 3600,
        jti: "Q2hlY2tlZCBpbiBmb3IgYmVuY2g".to_owned(),
    }
}

/// One algorithm with its keys, built once.
pub struct KeyPair {
    pub name: &'static str,
    pub algorithm: Algorithm,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
}

/// HS256 (64-byte secret, like the server's generated one), EdDSA, ES256 and RS256 (2048 bits).
pub fn key_pairs() -> anyhow::Result<Vec<KeyPair>> {
    authlab_jwt::codec::install_crypto_provider();
    let secret = [0x5au8; 64];
    Ok(vec![
        KeyPair {
            name: "HS256",
            algorithm: Algorithm::HS256,
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
        },
        KeyPair {
            name: "EdDSA",
            algorithm: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_pem(include_bytes!("../keys/ed25519-private.pem"))?,
            decoding: DecodingKey::from_ed_pem(include_bytes!("../keys/ed25519-public.pem"))?,
        },
        KeyPair {
            name: "ES256",
            algorithm: Algorithm::ES256,
            encoding: EncodingKey::from_ec_pem(include_bytes!("../keys/es256-private.pem"))?,
            decoding: DecodingKey::from_ec_pem(include_bytes!("../keys/es256-public.pem"))?,
        },
        KeyPair {
            name: "RS256",
            algorithm: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_pem(include_bytes!("../keys/rs256-private.pem"))?,
            decoding: DecodingKey::from_rsa_pem(include_bytes!("../keys/rs256-public.pem"))?,
        },
    ])
}

/// A session record shaped like the one a login leaves (values are JSON, as actix-session keeps
/// them).
pub fn session_state() -> HashMap<String, String> {
    HashMap::from([
        ("user".to_owned(), "\"bob\"".to_owned()),
        (
            "login_id".to_owned(),
            "\"Q2hlY2tlZCBpbiBmb3IgYmVuY2g\"".to_owned(),
        ),
        ("role".to_owned(), "\"user\"".to_owned()),
        ("login_at".to_owned(), "1764090000".to_owned()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_pair_signs_a_token_its_public_half_verifies() {
        let pairs = key_pairs().expect("the checked-in keys load");

        for pair in &pairs {
            // One set of claims per pair: RS256 signs slowly enough in a debug build for a second
            // call to `claims()` to land on the next second.
            let signed = claims();
            let token = jsonwebtoken::encode(
                &jsonwebtoken::Header::new(pair.algorithm),
                &signed,
                &pair.encoding,
            )
            .expect("signs");
            let mut validation = jsonwebtoken::Validation::new(pair.algorithm);
            validation.set_audience(&["authlab-demo"]);
            let decoded = jsonwebtoken::decode::<BenchClaims>(&token, &pair.decoding, &validation)
                .expect("verifies");
            assert_eq!(decoded.claims, signed, "{}", pair.name);
        }
    }
}
