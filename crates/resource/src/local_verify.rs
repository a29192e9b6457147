//! Checking a JWT here, with nothing but the issuer's public key: the signature, then `iss`,
//! `aud`, `exp` and `nbf` with zero leeway.
//!
//! jsonwebtoken's defaults would make this service more lenient than the issuer (60 s of
//! leeway, `nbf` ignored, `iss`/`aud` optional, `exp == now` accepted), so each is set here, as
//! the issuer's own codec does. The algorithm is fixed to EdDSA: the token's `alg` only has to
//! agree, it never chooses. Nothing in the header (`jku`, `jwk`, `x5u`) can point at a key; the
//! `kid` only selects among the keys the issuer published.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::verdict::{How, Refusal, Verified};

/// What the issuer signs into a token (the fields this service reads).
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    name: String,
    role: String,
    exp: i64,
    iss: String,
    aud: String,
}

/// The rules every token must meet.
pub struct Rules {
    validation: Validation,
}

impl Rules {
    pub fn new(expected_iss: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[expected_iss]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        Rules { validation }
    }

    /// Check `token` against `key` (the issuer's key `kid`) as of now.
    pub fn verify(&self, token: &str, kid: &str, key: &DecodingKey) -> Result<Verified, Refusal> {
        let data =
            jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(
                |err| match err.kind() {
                    ErrorKind::InvalidSignature => Refusal::BadSignature,
                    ErrorKind::ExpiredSignature => Refusal::Expired,
                    ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                    ErrorKind::InvalidIssuer => Refusal::WrongIssuer,
                    ErrorKind::InvalidAudience => Refusal::WrongAudience,
                    _ => Refusal::Malformed,
                },
            )?;
        let claims = data.claims;
        // RFC 7519 §4.1.4: the token is refused *on or after* exp; jsonwebtoken lets exp == now
        // through even with no leeway.
        if claims.exp <= unix_now() {
            return Err(Refusal::Expired);
        }
        Ok(Verified {
            sub: claims.sub,
            name: claims.name,
            role: claims.role,
            exp: claims.exp,
            iss: claims.iss,
            aud: claims.aud,
            how: How::LocalSignature {
                kid: kid.to_owned(),
            },
        })
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use ed25519_dalek::{pkcs8::EncodePrivateKey, SigningKey};
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    fn keys() -> (EncodingKey, DecodingKey) {
        jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
            .install_default()
            .ok();
        let signing = SigningKey::from_bytes(&[5u8; 32]);
        let der = signing.to_pkcs8_der().expect("pkcs8");
        let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
        (
            EncodingKey::from_ed_der(der.as_bytes()),
            DecodingKey::from_ed_components(&x).expect("public key"),
        )
    }

    fn sign(claims: serde_json::Value, key: &EncodingKey) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, key).expect("signed")
    }

    fn claims(exp_in: i64) -> serde_json::Value {
        let now = unix_now();
        json!({"sub": "alice", "name": "Alice", "role": "admin", "iat": now, "nbf": now,
               "exp": now + exp_in, "iss": "authlab", "aud": "authlab-demo", "jti": "j"})
    }

    #[test]
    fn a_good_token_verifies_and_every_rule_is_enforced_with_zero_leeway() {
        let (signing, verifying) = keys();
        let rules = Rules::new("authlab", "authlab-demo");
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut claims = claims(60);
            edit(&mut claims);
            rules.verify(&sign(claims, &signing), "k1", &verifying)
        };

        let good = with(&|_| {});
        let just_expired = with(&|c| c["exp"] = json!(unix_now()));
        let future = with(&|c| c["nbf"] = json!(unix_now() + 30));
        let other_iss = with(&|c| c["iss"] = json!("evil"));
        let other_aud = with(&|c| c["aud"] = json!("elsewhere"));
        let no_aud = with(&|c| {
            c.as_object_mut().expect("object").remove("aud");
        });

        assert_eq!(good.expect("accepted").sub, "alice");
        assert_eq!(just_expired, Err(Refusal::Expired));
        assert_eq!(future, Err(Refusal::NotYetValid));
        assert_eq!(other_iss, Err(Refusal::WrongIssuer));
        assert_eq!(other_aud, Err(Refusal::WrongAudience));
        assert_eq!(no_aud, Err(Refusal::Malformed));
    }

    #[test]
    fn a_tampered_payload_fails_the_signature() {
        let (signing, verifying) = keys();
        let rules = Rules::new("authlab", "authlab-demo");
        let token = sign(claims(60), &signing);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut payload = claims(60);
        payload["role"] = json!("superuser");
        parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());

        let refused = rules.verify(&parts.join("."), "k1", &verifying);

        assert_eq!(refused, Err(Refusal::BadSignature));
    }
}
