//! A short fuzz run inside the test suite: random bytes and mutations of valid inputs through
//! every target. It cannot find what coverage guidance finds (that is `cargo fuzz`, see
//! docs/security.md), but it fails the build the day a parser panics on garbage.

use actix_web::cookie::{Cookie, CookieJar, Key};
use authlab_core::{Identity, Role, Secret};
use authlab_fuzz_targets::{
    jwt_differential, jwt_token, login_form, session_cookie, Agreement, FUZZ_KEY,
};
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

/// Payloads around the edges of the rules, `$now`/`$exp`/`$old` filled in by the target.
fn edge_payloads() -> Vec<String> {
    let base = [
        ("sub", r#""alice""#),
        ("name", r#""Alice""#),
        ("role", r#""admin""#),
        ("iat", "$now"),
        ("nbf", "$now"),
        ("exp", "$exp"),
        ("iss", r#""authlab""#),
        ("aud", r#""authlab-demo""#),
        ("jti", r#""j""#),
    ];
    let text = |edit: &dyn Fn(&str, &str) -> Option<String>, extra: &str| {
        let fields: Vec<String> = base
            .iter()
            .filter_map(|(k, v)| edit(k, v).map(|v| format!(r#""{k}":{v}"#)))
            .collect();
        format!("{{{}{extra}}}", fields.join(","))
    };
    let keep = |_: &str, v: &str| Some(v.to_owned());
    let mut payloads = vec![text(&keep, "")];
    let replacements: [(&str, &str); 17] = [
        ("nbf", "null"),
        ("nbf", "-1"),
        ("nbf", "$exp"),
        ("exp", "-1"),
        ("exp", "$now"),
        ("exp", "$now.0"),
        ("exp", r#""$exp""#),
        ("exp", "1e3"),
        ("exp", "99999999999999999999"),
        ("exp", "9223372036854775808"),
        ("iat", "-9223372036854775808"),
        ("iat", "$exp"),
        ("iat", "$old"),
        ("aud", r#"["authlab-demo"]"#),
        ("iss", r#""authla\u0062""#),
        ("role", r#""root""#),
        ("sub", "null"),
    ];
    for (field, value) in replacements {
        payloads.push(text(
            &|k, v| Some(if k == field { value } else { v }.to_owned()),
            "",
        ));
    }
    for field in ["nbf", "exp", "iat", "iss", "aud", "sub", "jti"] {
        payloads.push(text(&|k, v| (k != field).then(|| v.to_owned()), ""));
    }
    payloads.push(text(&keep, r#","role":"admin""#));
    payloads.push(text(&keep, r#","x":1,"x":2"#));
    payloads.push(text(&keep, r#","nbf":null"#));
    payloads.push(format!(" {} ", text(&keep, "")));
    payloads.push(format!("\u{feff}{}", text(&keep, "")));
    payloads.push(format!("{}x", text(&keep, "")));
    payloads
}

fn differential_seeds() -> Vec<Vec<u8>> {
    let headers = [
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"typ":"JWT","alg":"HS256","alg":"HS256"}"#,
        r#"{"typ":"JWT","alg":"HS256","kid":"k"}"#,
        r#"{"typ":"JWT","alg":"HS256","crit":["exp"]}"#,
        r#"{"typ":"jwt","alg":"HS256"}"#,
        r#"{"typ":"JWT","alg":"HS512"}"#,
        r#"{"typ":"JWT","alg":"HS256","x":"y"}"#,
    ];
    let mut seeds = vec![[&[0u8][..], &valid_token()].concat()];
    for payload in edge_payloads() {
        seeds.push([&[1u8][..], payload.as_bytes()].concat());
        for header in headers {
            seeds.push([&[2u8][..], header.as_bytes(), &[0], payload.as_bytes()].concat());
        }
    }
    seeds
}

/// Usually `usual`, sometimes one of `choices`.
fn pick(rng: &mut StdRng, choices: &[&str], usual: &str) -> String {
    if rng.random_bool(0.85) {
        usual.to_owned()
    } else {
        choices[rng.random_range(0..choices.len())].to_owned()
    }
}

/// Claim sets that stay JSON: fields shuffled, spaced, escaped, extended with unknown keys, with
/// times around every boundary. Byte mutations mostly break the JSON; these reach the checks.
fn structured_payloads(rng: &mut StdRng, count: usize) -> Vec<Vec<u8>> {
    let strings = [
        r#""alice""#,
        r#""\u0061lice""#,
        r#""Al\"ice""#,
        r#""Ålice 🦀""#,
        r#""""#,
        "null",
        "1",
    ];
    let times = [
        "$now",
        "$exp",
        "$old",
        "0",
        "-1",
        "1.5",
        "null",
        r#""$now""#,
    ];
    (0..count)
        .map(|_| {
            let mut fields = vec![
                ("sub", pick(rng, &strings, r#""alice""#)),
                ("name", pick(rng, &strings, r#""Alice""#)),
                (
                    "role",
                    pick(rng, &[r#""user""#, r#""Admin""#, "0"], r#""admin""#),
                ),
                ("iat", pick(rng, &times, "$now")),
                ("nbf", pick(rng, &times, "$now")),
                ("exp", pick(rng, &times, "$exp")),
                (
                    "iss",
                    pick(rng, &[r#""authlab ""#, r#"["authlab"]"#], r#""authlab""#),
                ),
                (
                    "aud",
                    pick(rng, &[r#""authlab""#, "null"], r#""authlab-demo""#),
                ),
                ("jti", pick(rng, &strings, r#""j""#)),
            ];
            if rng.random_bool(0.1) {
                fields.remove(rng.random_range(0..fields.len()));
            }
            if rng.random_bool(0.2) {
                fields.push(("extra", pick(rng, &strings, "{\"a\":[1,2]}")));
            }
            if rng.random_bool(0.05) {
                let again = fields[rng.random_range(0..fields.len())].clone();
                fields.push(again);
            }
            for i in (1..fields.len()).rev() {
                fields.swap(i, rng.random_range(0..=i));
            }
            let space = if rng.random_bool(0.3) { " \n" } else { "" };
            let body: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!(r#"{space}"{k}"{space}:{space}{v}"#))
                .collect();
            let json = format!("{{{}{space}}}", body.join(","));
            let mode = if rng.random_bool(0.8) { 1u8 } else { 2u8 };
            let header: &[u8] = if mode == 2 {
                br#"{"alg":"HS256","typ":"JWT"}"#
            } else {
                b""
            };
            let separator: &[u8] = if mode == 2 { &[0] } else { b"" };
            [&[mode][..], header, separator, json.as_bytes()].concat()
        })
        .collect()
}

#[test]
fn the_own_hs256_path_accepts_nothing_the_reference_refuses() {
    let mut rng = StdRng::seed_from_u64(4);
    let seeds = differential_seeds();
    let structured = structured_payloads(&mut rng, 5_000);
    let mut accepted_by_both = 0;

    let mutated = inputs(&seeds, &mut rng);
    for input in seeds.iter().cloned().chain(structured).chain(mutated) {
        if jwt_differential(&input) == Agreement::AcceptedByBoth {
            accepted_by_both += 1;
        }
    }

    // The inputs must reach the own path's "yes" often, or the run proved nothing.
    assert!(
        accepted_by_both >= 500,
        "only {accepted_by_both} inputs were accepted by the own path"
    );
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
