//! Signing and checking tokens, with the jsonwebtoken defaults that would make a lesson lie
//! turned off.
//!
//! jsonwebtoken's `Validation::default()` allows 60 s of leeway, ignores `nbf`, accepts
//! `exp == now`, does not require `iss`/`aud` even when they are set, and has no size limit. A
//! "30-second token" would then work for 90 seconds. Every one of those is closed here, and the
//! keys are built once: a request pays for an HMAC and a JSON parse, never for key parsing.
//!
//! Verifying goes first through the server's own path ([`crate::fast_hs256`], under a
//! microsecond), which can only accept tokens shaped exactly as this codec signs them; anything
//! else, and every refusal, is decided by the reference path here (`jsonwebtoken::decode` and the
//! checks below), so the reasons a token is refused are the reference's.

use std::time::{SystemTime, UNIX_EPOCH};

use authlab_core::{Identity, Rejection, Secret};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
    errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, TokenData, Validation,
};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::{
    fast_hs256::{FastHs256, Rules},
    settings::{JwtAlg, SettingsError},
    Claims, JwtSettings,
};

/// No token this server issues comes near this size; anything larger is refused before a byte of
/// it is decoded.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Installs jsonwebtoken's pure-Rust crypto provider. jsonwebtoken 10 panics on the first
/// sign/verify when no provider is selected, so this runs before any key is built.
pub fn install_crypto_provider() {
    // An Err means one is installed already, which is all we need.
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

/// The keys and rules for one signing key, built once at start-up (or at a rotation).
pub struct TokenCodec {
    settings: JwtSettings,
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    header: Header,
    kid: String,
    /// Under EdDSA, the public key (base64url), for the JWKS.
    public_x: Option<String>,
    /// The own verify path; `None` under EdDSA (or if the header we sign with were not plain).
    fast: Option<FastHs256>,
    ttl_secs: i64,
}

impl TokenCodec {
    pub fn new(settings: &JwtSettings) -> Result<Self, SettingsError> {
        settings.validate()?;
        install_crypto_provider();
        let algorithm = match settings.algorithm {
            JwtAlg::Hs256 => Algorithm::HS256,
            JwtAlg::EdDsa => Algorithm::EdDSA,
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        // set_issuer/set_audience check the claims only when present; requiring them closes that.
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let keys = KeyMaterial::of(settings)?;
        let mut header = Header::new(algorithm);
        header.kid = Some(keys.kid.clone());
        let fast = match settings.algorithm {
            JwtAlg::Hs256 => fast_path_for(&header, &keys.kid, settings.secret.expose()),
            JwtAlg::EdDsa => None,
        };
        Ok(TokenCodec {
            settings: settings.clone(),
            algorithm,
            encoding: keys.encoding,
            decoding: keys.decoding,
            validation,
            header,
            kid: keys.kid,
            public_x: keys.public_x,
            fast,
            ttl_secs: i64::try_from(settings.ttl.as_secs()).unwrap_or(i64::MAX),
        })
    }

    /// A codec with the same rules and a freshly generated key (a rotation).
    pub fn with_new_key(&self) -> Result<Self, SettingsError> {
        let mut bytes = vec![0u8; self.settings.algorithm.generated_key_bytes()];
        rand::rng().fill_bytes(&mut bytes);
        TokenCodec::new(&JwtSettings {
            secret: Secret::new(bytes),
            ..self.settings.clone()
        })
    }

    /// The claims a login for `identity` at `now` gets.
    pub fn claims_for(&self, identity: &Identity, now: i64) -> Claims {
        let jti: [u8; 16] = rand::rng().random();
        Claims {
            sub: identity.username.clone(),
            name: identity.display_name.clone(),
            role: identity.role,
            iat: now,
            nbf: Some(now),
            exp: now.saturating_add(self.ttl_secs),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            jti: URL_SAFE_NO_PAD.encode(jti),
            sid: None,
        }
    }

    /// Sign any claims with this server's key (the labs use it to make expired tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&self.header, claims, &self.encoding)
    }

    /// Sign a fresh login for `identity`.
    pub fn issue(
        &self,
        identity: &Identity,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        let claims = self.claims_for(identity, unix_now());
        Ok((self.sign(&claims)?, claims))
    }

    /// Check a token as of now.
    pub fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        let now = unix_now();
        self.verify_with_clocks(token, now, now)
    }

    /// Check a token as of `now` (seconds since the epoch). The reference also checks `exp` and
    /// `nbf` against the wall clock, so `now` can only make the check stricter, never looser.
    pub fn verify_at(&self, token: &str, now: i64) -> Result<Claims, Rejection> {
        self.verify_with_clocks(token, now, unix_now())
    }

    fn verify_with_clocks(&self, token: &str, now: i64, wall: i64) -> Result<Claims, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::TooLarge);
        }
        if let Some(claims) = self.accept_fast(token, now, wall) {
            return Ok(claims);
        }
        self.verify_reference_at(token, now)
    }

    /// The own path alone: `Some` only for a token the reference accepts too (see
    /// [`crate::fast_hs256`]); `None` means "let the reference decide". Public for the
    /// differential fuzz target and the benchmarks.
    pub fn accept_fast(&self, token: &str, now: i64, wall: i64) -> Option<Claims> {
        let rules = Rules {
            issuer: &self.settings.issuer,
            audience: &self.settings.audience,
            ttl_secs: self.ttl_secs,
        };
        self.fast.as_ref()?.accept(token, &rules, now, wall)
    }

    /// The reference path alone: `jsonwebtoken::decode` with the strict validation, then the
    /// checks the crate does not make. It decides every token the own path does not accept.
    pub fn verify_reference_at(&self, token: &str, now: i64) -> Result<Claims, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::TooLarge);
        }
        let TokenData { header, claims } =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
                .map_err(|err| rejection_for(err.kind(), token, self.algorithm))?;
        if header.typ.as_deref().is_some_and(|typ| typ != "JWT") {
            return Err(Rejection::Malformed);
        }
        if !is_plain(&header, &self.kid) {
            return Err(Rejection::UnexpectedHeader);
        }
        // No token of ours lives longer than the configured lifetime: a longer one was not made
        // by this server's rules, whoever signed it.
        if claims.exp.saturating_sub(claims.iat) > self.ttl_secs {
            return Err(Rejection::Malformed);
        }
        // RFC 7519 §4.1.4: the token must be refused "on or after" exp; the crate accepts exp == now.
        if claims.exp <= now {
            return Err(Rejection::Expired);
        }
        if claims.iat > now || claims.nbf.is_some_and(|nbf| nbf > now) {
            return Err(Rejection::NotYetValid);
        }
        Ok(claims)
    }

    /// The signature, issuer and audience of a token, whatever its times say: for a `/refresh`
    /// access token that has expired, to learn whose login it named (never to accept it).
    pub fn verify_ignoring_time(&self, token: &str) -> Result<Claims, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::TooLarge);
        }
        let mut validation = self.validation.clone();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let TokenData { header, claims } =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
                .map_err(|err| rejection_for(err.kind(), token, self.algorithm))?;
        if !is_plain(&header, &self.kid) {
            return Err(Rejection::UnexpectedHeader);
        }
        Ok(claims)
    }

    /// The key this codec signs with (the rotate lab shows a fingerprint of it).
    pub fn secret(&self) -> &Secret {
        &self.settings.secret
    }

    /// The `kid` every token of this key carries.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> JwtAlg {
        self.settings.algorithm
    }

    /// The header segment of this key's tokens followed by `.`: the ring picks a key by it
    /// without decoding a header.
    pub fn header_prefix(&self) -> String {
        match serde_json::to_vec(&self.header) {
            Ok(json) => format!("{}.", URL_SAFE_NO_PAD.encode(json)),
            Err(_) => String::new(),
        }
    }

    /// Under EdDSA, the public key as a JWK `x` (base64url of the 32 raw bytes).
    pub fn public_key_x(&self) -> Option<&str> {
        self.public_x.as_deref()
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }
}

/// The signing and verifying keys of one algorithm, and the key id they are known by.
struct KeyMaterial {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    public_x: Option<String>,
}

impl KeyMaterial {
    fn of(settings: &JwtSettings) -> Result<Self, SettingsError> {
        let secret = settings.secret.expose();
        match settings.algorithm {
            // A key id must not help guess the key: a hash of a >= 256-bit random secret,
            // truncated to 96 bits, with a label so it is no other protocol's hash of it.
            JwtAlg::Hs256 => Ok(KeyMaterial {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                kid: URL_SAFE_NO_PAD
                    .encode(&Sha256::digest([b"authlab HS256 key id\0", secret].concat())[..12]),
                public_x: None,
            }),
            JwtAlg::EdDsa => {
                use ed25519_dalek::pkcs8::EncodePrivateKey;
                let seed: [u8; 32] = secret
                    .try_into()
                    .map_err(|_| SettingsError::BadEd25519Key(secret.len()))?;
                let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
                let der = signing
                    .to_pkcs8_der()
                    .map_err(|_| SettingsError::BadEd25519Key(secret.len()))?;
                let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
                let decoding = DecodingKey::from_ed_components(&x)
                    .map_err(|_| SettingsError::BadEd25519Key(secret.len()))?;
                // RFC 7638: the JWK thumbprint, what a JWKS client can recompute itself.
                let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
                Ok(KeyMaterial {
                    encoding: EncodingKey::from_ed_der(der.as_bytes()),
                    decoding,
                    kid: URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())),
                    public_x: Some(x),
                })
            }
        }
    }
}

/// The own path for tokens signed with `header`, provided the reference itself reads that header
/// as plain HS256: the fast path skips the header checks only because this one passed them.
fn fast_path_for(header: &Header, kid: &str, secret: &[u8]) -> Option<FastHs256> {
    let encoded = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).ok()?);
    let parsed = jsonwebtoken::decode_header(format!("{encoded}.e30.")).ok()?;
    let plain = parsed.alg == Algorithm::HS256
        && parsed.typ.as_deref().is_none_or(|typ| typ == "JWT")
        && is_plain(&parsed, kid);
    plain.then(|| FastHs256::new(secret, &encoded))
}

/// Only `alg`, `typ` and this key's own `kid` (or none, as tokens made before key ids had):
/// the header of every token this server issues. Other key-selection fields (`jku`, `jwk`,
/// `x5u`, `x5c`…, or a `kid` we do not hold) would invite the token to pick its own key
/// (RFC 8725 §3.10); the ring chooses the key, never the token.
fn is_plain(header: &Header, kid: &str) -> bool {
    header.cty.is_none()
        && header.jku.is_none()
        && header.jwk.is_none()
        && header.kid.as_deref().is_none_or(|own| own == kid)
        && header.x5u.is_none()
        && header.x5c.is_none()
        && header.x5t.is_none()
        && header.x5t_s256.is_none()
        && header.crit.is_none()
        && header.enc.is_none()
        && header.zip.is_none()
        && header.url.is_none()
        && header.nonce.is_none()
        && header.extras.is_empty()
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn rejection_for(kind: &ErrorKind, token: &str, algorithm: Algorithm) -> Rejection {
    match kind {
        ErrorKind::InvalidSignature => Rejection::BadSignature,
        ErrorKind::ExpiredSignature => Rejection::Expired,
        ErrorKind::ImmatureSignature => Rejection::NotYetValid,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidAlgorithmName => Rejection::WrongAlgorithm,
        ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => Rejection::WrongIssuerOrAudience,
        // The crate cannot parse `alg: none` (it has no such algorithm), so it reports a JSON error;
        // look at the header ourselves, on this error path only, to name the real reason.
        _ if names_a_foreign_algorithm(token, algorithm) => Rejection::WrongAlgorithm,
        _ => Rejection::Malformed,
    }
}

fn names_a_foreign_algorithm(token: &str, algorithm: Algorithm) -> bool {
    let ours = match algorithm {
        Algorithm::EdDSA => "EdDSA",
        _ => "HS256",
    };
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    json.get("alg")
        .and_then(|alg| alg.as_str())
        .is_some_and(|alg| alg != ours)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use authlab_core::Role;

    use super::*;

    fn codec() -> TokenCodec {
        let settings = JwtSettings::new(Secret::new([7u8; 32]), Duration::from_secs(60));
        TokenCodec::new(&settings).expect("valid settings")
    }

    fn alice() -> Identity {
        Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        }
    }

    fn encode_raw(header: &str, payload: &str, signature: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            signature
        )
    }

    #[test]
    fn a_signed_token_verifies_with_the_provider_installed() {
        let codec = codec();

        let (token, claims) = codec.issue(&alice()).expect("sign");

        assert_eq!(codec.verify(&token), Ok(claims));
    }

    #[test]
    fn the_lifetime_is_exact_with_no_leeway() {
        let codec = codec();
        let now = unix_now();
        let claims = codec.claims_for(&alice(), now);
        let token = codec.sign(&claims).expect("sign");

        assert!(codec.verify_at(&token, now + 59).is_ok());
        assert_eq!(codec.verify_at(&token, now + 60), Err(Rejection::Expired));
        assert_eq!(codec.verify_at(&token, now + 61), Err(Rejection::Expired));
    }

    #[test]
    fn a_token_from_the_future_is_not_yet_valid() {
        let codec = codec();
        let claims = codec.claims_for(&alice(), unix_now() + 600);
        let token = codec.sign(&claims).expect("sign");

        assert_eq!(codec.verify(&token), Err(Rejection::NotYetValid));
    }

    #[test]
    fn a_changed_payload_breaks_the_signature() {
        let codec = codec();
        let (token, mut claims) = codec.issue(&alice()).expect("sign");
        claims.role = Role::User;
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

        assert_eq!(codec.verify(&forged), Err(Rejection::BadSignature));
    }

    #[test]
    fn another_key_is_a_bad_signature() {
        let other = TokenCodec::new(&JwtSettings::new(
            Secret::new([9u8; 32]),
            Duration::from_secs(60),
        ))
        .expect("valid");
        let (token, _) = other.issue(&alice()).expect("sign");

        assert_eq!(codec().verify(&token), Err(Rejection::BadSignature));
    }

    #[test]
    fn alg_none_is_a_wrong_algorithm() {
        let codec = codec();
        let claims = codec.claims_for(&alice(), unix_now());
        let payload = serde_json::to_string(&claims).expect("json");

        for alg in ["none", "None", "NONE", "nOnE"] {
            let token = encode_raw(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#), &payload, "");
            assert_eq!(
                codec.verify(&token),
                Err(Rejection::WrongAlgorithm),
                "{alg}"
            );
        }
    }

    #[test]
    fn garbage_is_malformed_and_oversize_is_refused_unread() {
        let codec = codec();

        assert_eq!(codec.verify("not a token"), Err(Rejection::Malformed));
        assert_eq!(codec.verify(""), Err(Rejection::Malformed));
        assert_eq!(codec.verify("a.b.c.d"), Err(Rejection::Malformed));
        assert_eq!(
            codec.verify(&"a".repeat(MAX_TOKEN_BYTES + 1)),
            Err(Rejection::TooLarge)
        );
    }

    #[test]
    fn missing_issuer_or_audience_is_refused() {
        let codec = codec();
        let claims = codec.claims_for(&alice(), unix_now());
        let mut json = serde_json::to_value(&claims).expect("json");
        json.as_object_mut().expect("object").remove("aud");
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json,
            &EncodingKey::from_secret(&[7u8; 32]),
        )
        .expect("sign");

        assert!(codec.verify(&token).is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        let settings = JwtSettings::new(Secret::new("too short"), Duration::from_secs(60));

        assert!(TokenCodec::new(&settings).is_err());
    }
}
