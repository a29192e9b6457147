//! The hostile-input corpus: checked-in descriptions of bad tokens and cookies (in
//! `tests/vectors/`), each sent to the real app. Every one must get a 401 (or, where the HTTP
//! layer refuses a header that large, a 400 or 431), never a 5xx.

use authlab_core::{Rejection, Secret};
use authlab_jwt::{codec::unix_now, JwtSettings, TokenCodec};
use authlab_testkit::{assert_is_redirect_to, assert_status, RedisServer, TestApp, ALICE};
use authlab_testkit::{JWT, SESSION};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const SERVER_KEY: &[u8] = b"the-corpus-tests-own-hs256-key-of-48-bytes!!!!!";
const TTL: i64 = 900;

fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn app() -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_secret: Some(Secret::new(SERVER_KEY)),
        jwt_ttl: u64::try_from(TTL).expect("positive"),
        ..TestApp::settings_for(&redis.url())
    };
    (redis, TestApp::spawn_with(settings).await)
}

fn hs256(key: &[u8], message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(message.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// `$now`, `$now+N`, `$now-N` and `$padN` in a JSON text.
fn expand(raw: &str, now: i64) -> String {
    if let Some(n) = raw.strip_prefix("\"$pad").and_then(|r| r.strip_suffix('"')) {
        return format!("\"{}\"", "x".repeat(n.parse().expect("a length")));
    }
    let Some(rest) = raw.strip_prefix("$now") else {
        return raw.to_owned();
    };
    if rest.is_empty() {
        return now.to_string();
    }
    let (sign, number) = rest.split_at(1);
    if let Ok(n) = number.parse::<i64>() {
        return (if sign == "+" { now + n } else { now - n }).to_string();
    }
    // A fractional offset: keep the fraction so the claim is a float.
    let n: f64 = number.parse().expect("a number");
    format!("{}", now as f64 + if sign == "+" { n } else { -n })
}

/// The JSON text of the claims after the case's edits, in a fixed order.
fn payload_text(case: &Value, now: i64) -> String {
    let mut claims: Vec<(String, String)> = [
        ("sub", "\"alice\"".to_owned()),
        ("name", "\"Alice\"".to_owned()),
        ("role", "\"user\"".to_owned()),
        ("iat", now.to_string()),
        ("nbf", now.to_string()),
        ("exp", (now + TTL).to_string()),
        ("iss", "\"authlab\"".to_owned()),
        ("aud", "\"authlab-demo\"".to_owned()),
        ("jti", "\"corpus\"".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let edits = &case["claims"];
    for name in edits["remove"].as_array().into_iter().flatten() {
        claims.retain(|(k, _)| Some(k.as_str()) != name.as_str());
    }
    for (name, raw) in edits["set"].as_object().into_iter().flatten() {
        let value = expand(raw.as_str().expect("JSON text"), now);
        match claims.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => claims.push((name.clone(), value)),
        }
    }
    if let (Some(name), Some(value)) = (edits["duplicate"].as_str(), edits["value"].as_str()) {
        claims.push((name.to_owned(), value.to_owned()));
    }
    let fields: Vec<String> = claims.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!("{{{}}}", fields.join(","))
}

fn build_token(case: &Value, now: i64) -> String {
    let header = match &case["header"] {
        Value::Null => r#"{"alg":"HS256","typ":"JWT"}"#.to_owned(),
        header => header.to_string(),
    };
    let mut payload = URL_SAFE_NO_PAD.encode(payload_text(case, now));
    if case["mutate"].as_str() == Some("pad_payload") {
        // Signed as sent, so only the base64 strictness can refuse it.
        payload.push_str("==");
    }
    let signing_input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(&header));
    let mut signature = match case["key"].as_str() {
        Some("server") => hs256(SERVER_KEY, &signing_input),
        Some("empty") => hs256(b"", &signing_input),
        Some("weak") => hs256(b"secret", &signing_input),
        _ => String::new(),
    };
    if case["mutate"].as_str() == Some("non_canonical_signature") {
        // The last character carries two unused bits; set one. Lenient decoders read the
        // same bytes, a strict one must refuse.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = signature.pop().expect("a signature");
        let index = ALPHABET
            .iter()
            .position(|c| *c == last as u8)
            .expect("base64url");
        signature.push(ALPHABET[index | 1] as char);
    }
    let mut token = format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode(&header));
    if case["mutate"].as_str() == Some("fourth_segment") {
        token.push_str(".e30");
    }
    token
}

#[tokio::test]
async fn every_hostile_jwt_in_the_corpus_is_refused_with_its_reason() {
    let (_redis, app) = app().await;
    let corpus = vectors("hostile_jwts.json");
    let cases = corpus["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30, "the corpus lost cases");

    for case in cases {
        let name = case["name"].as_str().expect("name");
        let expected = case["expect"].as_str().expect("expect");
        assert!(
            Rejection::from_code(expected).is_some(),
            "{name}: unknown reason {expected}"
        );
        let token = build_token(case, unix_now());

        let api = app.api_me(JWT, Some(&token)).await;
        let http_layer_refused = case["http_layer_may_refuse"].as_bool() == Some(true)
            && matches!(api.status.as_u16(), 400 | 431);
        if !http_layer_refused {
            assert_eq!(api.status.as_u16(), 401, "{name}: {}", api.body);
            assert_eq!(api.json()["reason"], expected, "{name}");
        }
        if token.len() < 8 * 1024 {
            app.jar().set("authlab_jwt", &token);
            let page = app.get_dashboard(JWT).await;
            assert_is_redirect_to(&page, &format!("/jwt/login?reason={expected}"));
        }
    }
}

#[tokio::test]
async fn a_well_formed_corpus_token_is_accepted_so_the_rejections_mean_something() {
    let (_redis, app) = app().await;
    let valid = serde_json::json!({ "name": "control", "key": "server" });

    let token = build_token(&valid, unix_now());

    assert_status(&app.api_me(JWT, Some(&token)).await, 200);
}

#[test]
fn wycheproof_hs256_vectors_verify_exactly_as_published() {
    let vectors = vectors("wycheproof_hs256.json");
    let key = URL_SAFE_NO_PAD
        .decode(vectors["key_base64url"].as_str().expect("key"))
        .expect("base64url key");
    let codec = TokenCodec::new(&JwtSettings::new(
        Secret::new(key),
        std::time::Duration::from_secs(900),
    ))
    .expect("a 32-byte key");

    for test in vectors["tests"].as_array().expect("tests") {
        let id = &test["tcId"];
        let outcome = codec.verify(test["jws"].as_str().expect("jws"));
        match test["result"].as_str() {
            // The payload is "foo", not a claim set: the signature must verify, and the token
            // still be refused, for what it is, never for its signature.
            Some("valid") => {
                let rejection = outcome.expect_err("not a claim set");
                assert_ne!(rejection, Rejection::BadSignature, "tcId {id}");
            }
            _ => assert!(outcome.is_err(), "tcId {id} must be refused"),
        }
    }
}

#[tokio::test]
async fn wycheproof_hs256_vectors_get_401_from_the_app_never_a_5xx() {
    let (_redis, app) = app().await;
    for test in vectors("wycheproof_hs256.json")["tests"]
        .as_array()
        .expect("tests")
    {
        let response = app.api_me(JWT, test["jws"].as_str()).await;
        assert_status(&response, 401);
    }
}

#[tokio::test]
async fn hostile_session_cookies_are_anonymous_and_a_valid_one_survives_garbage_beside_it() {
    let (_redis, app) = app().await;
    app.log_in(SESSION, ALICE).await;
    let valid = app.jar().get("authlab_session").expect("a session");
    let foreign = {
        let other = app.another_instance_with_fresh_keys().await;
        other.log_in(SESSION, ALICE).await;
        other.jar().get("authlab_session").expect("a session")
    };
    let flipped = {
        let mut bytes = valid.clone().into_bytes();
        let middle = bytes.len() / 2;
        bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).expect("ascii")
    };
    app.jar().clear();

    let anonymous = [
        "authlab_session=".to_owned(),
        "authlab_session=garbage".to_owned(),
        format!("authlab_session={flipped}"),
        format!("authlab_session={foreign}"),
        format!("authlab_session={}", "A".repeat(5000)),
    ];
    for cookie in &anonymous {
        let response = app
            .get_with_headers("/session/api/me", &[("cookie", cookie)])
            .await;
        assert_status(&response, 401);
    }
    // Garbage beside the valid cookie, including a same-named one first (a cookie of our name
    // from another path or another port's app): each same-named cookie is tried (issue 15).
    for beside_garbage in [
        format!("=; ;;junk; authlab_session={valid}; x=%zz"),
        format!("authlab_session=garbage; authlab_session={valid}"),
    ] {
        let response = app
            .get_with_headers("/session/api/me", &[("cookie", &beside_garbage)])
            .await;
        assert_status(&response, 200);
    }
}
