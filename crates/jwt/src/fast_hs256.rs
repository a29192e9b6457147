//! The server's own HS256 verify path: a token this server signed, accepted in well under a
//! microsecond, and nothing accepted that the strict `jsonwebtoken` configuration refuses.
//!
//! # Why a path of our own
//! `jsonwebtoken::decode` took about 2.6 µs for the server's nine-claim token, three times the cost
//! of signing it. The HMAC itself is a small part of that: the crate parses the header as JSON into
//! a sixteen-field struct with a flattened `HashMap`, builds a boxed verifier per call (keying the
//! HMAC again, two SHA-256 blocks), decodes every segment into a fresh `Vec`, and deserializes the
//! payload twice (the caller's claims, then its own `ClaimsForValidation`). On the server's
//! hottest line that is the lesson's noise, not its signal: "a JWT costs a signature check".
//!
//! This path does only what the signature check needs, over the same well-kept crates the
//! `jsonwebtoken` rust_crypto backend uses (`hmac` 0.12, `sha2` 0.10, `base64` 0.22,
//! `serde_json`), so there is no new cryptography here:
//! - the **header** is not parsed at all: the encoded header segment must be byte for byte the
//!   one this key signs with (`typ`, `alg`, its own `kid`; computed once with `jsonwebtoken`'s
//!   own serialisation, and checked once by the reference's header rules);
//! - the **HMAC** is keyed once, at start-up, and cloned per token; the tag is compared with
//!   `hmac`'s constant-time `verify_slice`;
//! - the **signature and payload** are decoded with the same strict base64url engine (no padding,
//!   canonical trailing bits) into stack buffers;
//! - the **payload** is deserialized once, into a struct with the same field names and types as
//!   [`crate::Claims`] (so the same duplicate-key, missing-field and type rules), except that
//!   `exp` and `nbf` must be non-negative integers, as `jsonwebtoken`'s own numeric check demands
//!   (it refuses `"nbf": null` and a negative `exp`, which `Claims` alone would let through).
//!
//! # What guarantees the equivalence
//! The path can only say **yes**. It returns `None` whenever anything differs from the shape the
//! server issues (another header, another `kid`, a missing claim, a wrong type, a bad signature, an
//! expired token ...) and the caller then runs the reference path, `jsonwebtoken::decode` plus
//! the codec's extra checks, which decides the answer and the reason. So:
//! - every **reason** for a refusal is the reference's, unchanged;
//! - a token is **accepted** if the reference accepts it (the fallback), or if this path accepts
//!   it; the second set must be inside the first. For the fixed plain header this path demands,
//!   every check the reference makes is repeated here: alg allowlist and header rules (implied by
//!   the byte-equal header), signature, strict base64url, claim types, required claims (`exp`,
//!   `iat`, `iss`, `aud`, `sub` are non-optional fields), `exp` against the wall clock and `now`
//!   with zero leeway and `exp == now` refused, `nbf` and `iat` not in the future, `iss`/`aud`
//!   equal, the lifetime no longer than this server issues, and the size limit (checked by the
//!   caller before either path).
//!
//! That inclusion is what the differential fuzz target (`authlab_fuzz_targets::jwt_differential`)
//! asserts on every input, signed or not: when this path accepts, the reference accepts with the
//! same claims, and the codec's answer always equals the reference's. The hostile corpus and the
//! Wycheproof vectors go through [`crate::TokenCodec::verify`], hence through this path first.

use authlab_core::Role;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer};
use sha2::Sha256;

use crate::{Claims, MAX_TOKEN_BYTES};

const SMALL_PAYLOAD_BYTES: usize = 768;

/// The claims as this path reads them: [`Claims`] with `exp`/`nbf` as `jsonwebtoken` validates
/// them (non-negative integers; `nbf` absent, never `null`).
#[derive(Deserialize)]
struct StrictClaims {
    sub: String,
    name: String,
    role: Role,
    iat: i64,
    #[serde(default, deserialize_with = "present_number")]
    nbf: Option<u64>,
    exp: u64,
    iss: String,
    aud: String,
    jti: String,
    #[serde(default)]
    sid: Option<String>,
}

fn present_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    u64::deserialize(deserializer).map(Some)
}

/// What the fast path checks besides the signature, the same values the reference is given.
pub(crate) struct Rules<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub ttl_secs: i64,
}

/// One key's fast verifier: the encoded header it signs with, and the HMAC keyed once.
pub(crate) struct FastHs256 {
    /// The header segment followed by its `.`.
    header_prefix: String,
    mac: Hmac<Sha256>,
}

impl FastHs256 {
    /// `encoded_header` is the base64url header segment this key's tokens are signed with; the
    /// caller vouches that the reference accepts that header (plain, `alg: HS256`).
    pub(crate) fn new(secret: &[u8], encoded_header: &str) -> Self {
        FastHs256 {
            header_prefix: format!("{encoded_header}."),
            mac: Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length"),
        }
    }

    /// `Some(claims)` when the token is one the reference path accepts as of `now` (the codec's
    /// time) and `wall` (the clock `jsonwebtoken` reads); `None` when the reference must decide.
    pub(crate) fn accept(&self, token: &str, rules: &Rules, now: i64, wall: i64) -> Option<Claims> {
        if token.len() > MAX_TOKEN_BYTES {
            return None;
        }
        let rest = token.strip_prefix(self.header_prefix.as_str())?;
        let (payload, signature) = rest.split_once('.')?;
        if signature.len() != 43 {
            return None;
        }
        let mut tag = [0u8; 33];
        if URL_SAFE_NO_PAD.decode_slice(signature, &mut tag).ok()? != 32 {
            return None;
        }
        let mut mac = self.mac.clone();
        mac.update(&token.as_bytes()[..self.header_prefix.len() + payload.len()]);
        mac.verify_slice(&tag[..32]).ok()?;

        // The server's payloads are a few hundred bytes: a small stack buffer (zeroing the full
        // 3 KiB one showed in the profile), the heap only for the rare larger token.
        let mut small = [0u8; SMALL_PAYLOAD_BYTES];
        let mut large = Vec::new();
        let buffer: &mut [u8] = if payload.len() / 4 * 3 + 3 <= SMALL_PAYLOAD_BYTES {
            &mut small
        } else {
            large.resize(MAX_TOKEN_BYTES / 4 * 3 + 3, 0);
            &mut large
        };
        let len = URL_SAFE_NO_PAD.decode_slice(payload, buffer).ok()?;
        let claims: StrictClaims = serde_json::from_slice(&buffer[..len]).ok()?;

        let exp = i64::try_from(claims.exp).ok()?;
        let nbf = match claims.nbf {
            Some(nbf) => Some(i64::try_from(nbf).ok()?),
            None => None,
        };
        let on_time = exp > now
            && exp >= wall
            && claims.iat <= now
            && nbf.is_none_or(|nbf| nbf <= now && nbf <= wall)
            && exp.saturating_sub(claims.iat) <= rules.ttl_secs;
        if !on_time || claims.iss != rules.issuer || claims.aud != rules.audience {
            return None;
        }
        Some(Claims {
            sub: claims.sub,
            name: claims.name,
            role: claims.role,
            iat: claims.iat,
            nbf,
            exp,
            iss: claims.iss,
            aud: claims.aud,
            jti: claims.jti,
            sid: claims.sid,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use authlab_core::{Identity, Rejection, Secret};

    use super::*;
    use crate::{codec::unix_now, JwtSettings, TokenCodec};

    const KEY: [u8; 32] = [3; 32];

    fn codec() -> TokenCodec {
        TokenCodec::new(&JwtSettings::new(Secret::new(KEY), Duration::from_secs(60)))
            .expect("valid settings")
    }

    fn alice() -> Identity {
        Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        }
    }

    fn signed(header: &str, payload: &str) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(&KEY).expect("any length");
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn payload(now: i64, nbf: &str) -> String {
        format!(
            r#"{{"sub":"alice","name":"Alice","role":"admin","iat":{now},"nbf":{nbf},"exp":{},"iss":"authlab","aud":"authlab-demo","jti":"j"}}"#,
            now + 30
        )
    }

    #[test]
    fn a_token_this_server_signed_is_accepted_by_the_own_path() {
        let codec = codec();
        let now = unix_now();
        let claims = codec.claims_for(&alice(), now);
        let token = codec.sign(&claims).expect("sign");

        let accepted = codec.accept_fast(&token, now, now);

        assert_eq!(accepted, Some(claims));
    }

    #[test]
    fn another_plain_header_is_left_to_the_reference_which_accepts_it() {
        let codec = codec();
        let now = unix_now();
        let token = signed(r#"{"alg":"HS256"}"#, &payload(now, &now.to_string()));

        assert_eq!(codec.accept_fast(&token, now, now), None);
        assert!(codec.verify_at(&token, now).is_ok());
    }

    #[test]
    fn a_null_nbf_is_not_accepted_because_jsonwebtoken_refuses_it() {
        let codec = codec();
        let now = unix_now();
        let token = signed(r#"{"typ":"JWT","alg":"HS256"}"#, &payload(now, "null"));

        assert_eq!(codec.accept_fast(&token, now, now), None);
        assert_eq!(codec.verify_at(&token, now), Err(Rejection::Malformed));
    }

    #[test]
    fn exp_equal_to_now_is_not_accepted() {
        let codec = codec();
        let now = unix_now();
        let claims = codec.claims_for(&alice(), now);
        let token = codec.sign(&claims).expect("sign");

        assert_eq!(
            codec.accept_fast(&token, claims.exp - 1, now),
            Some(claims.clone())
        );
        assert_eq!(codec.accept_fast(&token, claims.exp, now), None);
        assert_eq!(codec.accept_fast(&token, now, claims.exp + 1), None);
    }
}
