//! A short fuzz run inside the test suite: random bytes and mutations of valid inputs through
//! every target. It cannot find what coverage guidance finds (that is `cargo fuzz`, see
//! docs/security.md), but it fails the build the day a parser panics on garbage.

use actix_web::cookie::{Cookie, CookieJar, Key};
use authlab_core::{Identity, Role, Secret};
use authlab_fuzz_targets::{jwt_token, login_form, session_cookie, FUZZ_KEY};
use authlab_jwt::{JwtSettings, TokenCodec};
use rand::{rngs::StdRng, Rng, SeedableRng};

const ROUNDS: usize = 20_000;

/// Random bytes, or a seed with a few bytes flipped, inserted, cut or duplicated.
fn inputs(seeds: &[Vec<u8>], rng: &mut StdRng) -> Vec<Vec<u8>> {
    (0..ROUNDS)
        .map(|_| {
            if rng.random_bool(0.2) {
                let len = rng.random_range(0..512);
                return (0..len).map(|_| rng.random()).collect();
            }
            let mut input = seeds[rng.random_range(0..seeds.len())].clone();
            for _ in 0..rng.random_range(1..6) {
                if input.is_empty() {
                    input.push(rng.random());
                    continue;
                }
                let at = rng.random_range(0..input.len());
                match rng.random_range(0..4) {
                    0 => input[at] = rng.random(),
                    1 => input.insert(at, rng.random()),
                    2 => input.truncate(at),
                    _ => {
                        let tail = input[at..].to_vec();
                        input.extend_from_slice(&tail);
                    }
                }
            }
            input
        })
        .collect()
}

fn valid_token() -> Vec<u8> {
    let codec = TokenCodec::new(&JwtSettings::new(
        Secret::new(FUZZ_KEY),
        std::time::Duration::from_secs(900),
    ))
    .expect("valid key");
    let identity = Identity {
        username: "alice".into(),
        display_name: "Alice".into(),
        role: Role::Admin,
    };
    codec.issue(&identity).expect("sign").0.into_bytes()
}

fn valid_cookie_header() -> Vec<u8> {
    let mut jar = CookieJar::new();
    jar.private_mut(&Key::from(&FUZZ_KEY))
        .add(Cookie::new("authlab_session", "a".repeat(64)));
    let cookie = jar
        .delta()
        .next()
        .expect("one cookie")
        .encoded()
        .to_string();
    format!("x=1; {cookie}; y=%20").into_bytes()
}

#[test]
fn the_jwt_verifier_survives_random_and_mutated_tokens() {
    let mut rng = StdRng::seed_from_u64(1);
    let seeds = vec![
        valid_token(),
        b"a.b.c".to_vec(),
        b"eyJhbGciOiJub25lIn0.e30.".to_vec(),
    ];
    for input in inputs(&seeds, &mut rng) {
        jwt_token(&input);
    }
}

#[test]
fn the_form_parser_survives_random_and_mutated_forms() {
    let mut rng = StdRng::seed_from_u64(2);
    let seeds = vec![
        b"username=alice&password=wonder+land%21&csrf=abc".to_vec(),
        b"a=%ff&&=&b".to_vec(),
    ];
    for input in inputs(&seeds, &mut rng) {
        login_form(&input);
    }
}

#[test]
fn the_session_cookie_reader_survives_random_and_mutated_headers() {
    let mut rng = StdRng::seed_from_u64(3);
    let seeds = vec![valid_cookie_header(), b"authlab_session=; =x; ;;".to_vec()];
    for input in inputs(&seeds, &mut rng) {
        session_cookie(&input);
    }
}
