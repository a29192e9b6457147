//! The bodies of the fuzz targets: every parser that reads bytes an attacker controls.
//!
//! They live in a library so that two drivers share them: `cargo fuzz` (coverage-guided, in
//! `fuzz/`, for long runs) and this crate's own test (`tests/smoke.rs`, random and mutated
//! inputs on stable Rust, run with the test suite). A target must never panic, whatever it is fed.

use std::sync::OnceLock;

use actix_web::cookie::{Cookie, CookieJar, Key};
use authlab_core::{Identity, Role, Secret};
use authlab_jwt::{codec::unix_now, JwtSettings, TokenCodec};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A fixed key for the targets: what matters is the parsing, not the secret.
pub const FUZZ_KEY: [u8; 64] = [7; 64];

fn codec() -> &'static TokenCodec {
    static CODEC: OnceLock<TokenCodec> = OnceLock::new();
    CODEC.get_or_init(|| {
        TokenCodec::new(&JwtSettings::new(
            Secret::new(FUZZ_KEY),
            std::time::Duration::from_secs(900),
        ))
        .expect("a 64-byte key is valid")
    })
}

/// A bearer token or JWT cookie value, as the server would receive it.
pub fn jwt_token(data: &[u8]) {
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = codec().verify(token);
    }
}

/// What the differential target saw: whether the own path accepted the token by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// The own path accepted, and the reference accepted the same claims.
    AcceptedByBoth,
    /// The own path left it to the reference, whose answer the codec returned.
    DecidedByReference,
    /// The clock moved on a second during the comparison: not compared.
    ClockTicked,
}

/// The own HS256 path against the reference (`jsonwebtoken::decode` with the strict rules).
/// Panics on the first token where they disagree: the own path accepts what the reference
/// refuses, or the codec's answer differs from the reference's.
///
/// The first byte chooses what the rest is: `0` a raw token; `1` a payload JSON signed with the
/// fuzz key under the codec's own header; `2` a header JSON, a zero byte and a payload JSON,
/// signed. In JSON, `$now`, `$exp` and `$old` stand for now, now + 600 and now − 1000 seconds, so
/// that a coverage-guided fuzzer can reach tokens that are on time.
pub fn jwt_differential(data: &[u8]) -> Agreement {
    let Some((mode, rest)) = data.split_first() else {
        return Agreement::DecidedByReference;
    };
    let now = unix_now();
    let token = match mode % 3 {
        0 => match std::str::from_utf8(rest) {
            Ok(token) => token.to_owned(),
            Err(_) => return Agreement::DecidedByReference,
        },
        1 => signed(own_header().as_bytes(), &with_times(rest, now)),
        _ => {
            let (header, payload) = match rest.iter().position(|b| *b == 0) {
                Some(at) => (&rest[..at], &rest[at + 1..]),
                None => (rest, &b""[..]),
            };
            let header = URL_SAFE_NO_PAD.encode(with_times(header, now));
            signed(header.as_bytes(), &with_times(payload, now))
        }
    };
    let fast = codec().accept_fast(&token, now, now);
    let reference = codec().verify_reference_at(&token, now);
    let served = codec().verify_at(&token, now);
    if unix_now() != now {
        return Agreement::ClockTicked;
    }
    assert_eq!(
        served, reference,
        "the codec and the reference differ on {token}"
    );
    match fast {
        Some(claims) => {
            assert_eq!(
                reference,
                Ok(claims),
                "the own path accepted what the reference refuses: {token}"
            );
            Agreement::AcceptedByBoth
        }
        None => Agreement::DecidedByReference,
    }
}

/// The header segment of the tokens the codec issues.
fn own_header() -> &'static str {
    static HEADER: OnceLock<String> = OnceLock::new();
    HEADER.get_or_init(|| {
        let identity = Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        };
        let (token, _) = codec().issue(&identity).expect("the fuzz codec signs");
        token.split('.').next().unwrap_or_default().to_owned()
    })
}

fn with_times(json: &[u8], now: i64) -> Vec<u8> {
    String::from_utf8_lossy(json)
        .replace("$now", &now.to_string())
        .replace("$exp", &(now + 600).to_string())
        .replace("$old", &(now - 1000).to_string())
        .into_bytes()
}

/// `header.payload.signature` with the fuzz key; `header` is already encoded.
fn signed(header: &[u8], payload: &[u8]) -> String {
    let header = String::from_utf8_lossy(header);
    let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let mut mac = Hmac::<Sha256>::new_from_slice(&FUZZ_KEY).expect("any key length");
    mac.update(signing_input.as_bytes());
    let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{tag}")
}

/// A login form body.
pub fn login_form(data: &[u8]) {
    let _ = authlab_web::forms::parse(data);
}

/// A `Cookie` header carrying a session cookie: parsed the way actix-web parses it, then
/// decrypted and read as a session key the way actix-session does.
pub fn session_cookie(data: &[u8]) {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let key = Key::from(&FUZZ_KEY);
    for part in header.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Ok(cookie) = Cookie::parse_encoded(part.to_owned()) else {
            continue;
        };
        let mut jar = CookieJar::new();
        jar.add_original(cookie.clone());
        if let Some(plain) = jar.private(&key).get(cookie.name()) {
            let _ = actix_session::storage::SessionKey::try_from(plain.value().to_owned());
        }
    }
}
