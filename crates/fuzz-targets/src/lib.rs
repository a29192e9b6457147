//! The bodies of the fuzz targets: every parser that reads bytes an attacker controls.
//!
//! They live in a library so that two drivers share them: `cargo fuzz` (coverage-guided, in
//! `fuzz/`, for long runs) and this crate's own test (`tests/smoke.rs`, random and mutated
//! inputs on stable Rust, run with the test suite). A target must never panic, whatever it is fed.

use std::sync::OnceLock;

use actix_web::cookie::{Cookie, CookieJar, Key};
use authlab_core::Secret;
use authlab_jwt::{JwtSettings, TokenCodec};

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
