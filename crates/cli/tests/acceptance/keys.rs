//! Keys that can change and be shared: EdDSA tokens with a `kid`, the JWKS read by a client
//! nobody here wrote (PyJWT's `PyJWKClient`), rotation with overlap, emergency revocation.

use authlab_jwt::JwtAlg;
use authlab_testkit::JWT;
use authlab_testkit::{assert_status, RedisServer, TestApp, ALICE, BOB};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;

async fn app(alg: JwtAlg, ttl: u64) -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_alg: alg,
        jwt_ttl: ttl,
        ..TestApp::settings_for(&redis.url())
    };
    (redis, TestApp::spawn_with(settings).await)
}

async fn token_of(app: &TestApp, (username, password): (&str, &str)) -> String {
    let body = app.api_login(JWT, username, password).await.json();
    body["token"].as_str().expect("a token").to_owned()
}

fn header_of(token: &str) -> Value {
    let header = token.split('.').next().expect("a header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url")).expect("json")
}

async fn jwks_kids(app: &TestApp) -> Vec<String> {
    let jwks = app.get("/.well-known/jwks.json").await.json();
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("kid").to_owned())
        .collect()
}

/// What PyJWT says of `token`, given only the JWKS URL: the `sub` it verified, or its error.
/// Awaited, not blocking: a blocked runtime would leave the client's idle connections unread and
/// reuse one the server has closed meanwhile.
async fn pyjwt_verify(jwks_url: &str, token: &str) -> Result<String, String> {
    const SCRIPT: &str = r#"
import sys, jwt
url, token = sys.argv[1], sys.argv[2]
try:
    key = jwt.PyJWKClient(url).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key, algorithms=["EdDSA"], audience="authlab-demo",
                        issuer="authlab", options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    print("ok", claims["sub"])
except Exception as err:
    print("refused", type(err).__name__, err)
"#;
    let output = tokio::process::Command::new("python3")
        .args(["-c", SCRIPT, jwks_url, token])
        .output()
        .await
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        output.status.success(),
        "PyJWT is needed (.ci/run installs it: pip install pyjwt cryptography): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    match stdout.strip_prefix("ok ") {
        Some(sub) => Ok(sub.to_owned()),
        None => Err(stdout),
    }
}

#[tokio::test]
async fn eddsa_tokens_verify_with_pyjwks_client_from_the_jwks_alone() {
    let (_redis, app) = app(JwtAlg::EdDsa, 900).await;
    let token = token_of(&app, ALICE).await;
    let served = app.api_me(JWT, Some(&token)).await;
    let url = format!("{}/.well-known/jwks.json", app.base_url());
    let jwks = app.get("/.well-known/jwks.json").await;
    let mut tampered = token.clone().into_bytes();
    let middle = token.find('.').expect("dot") + 5;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");

    let verdict = pyjwt_verify(&url, &token).await;
    let tampered_verdict = pyjwt_verify(&url, &tampered).await;
    app.jwt_keys().rotate_with_overlap().expect("rotate");
    let after_rotation = token_of(&app, BOB).await;
    let new_key_verdict = pyjwt_verify(&url, &after_rotation).await;
    let old_key_verdict = pyjwt_verify(&url, &token).await;

    assert_status(&served, 200);
    assert_status(&jwks, 200);
    assert!(jwks
        .header("cache-control")
        .is_some_and(|v| v.contains("max-age=")));
    let key = &jwks.json()["keys"][0];
    assert_eq!(
        (&key["kty"], &key["crv"], &key["use"], &key["alg"]),
        (
            &"OKP".into(),
            &"Ed25519".into(),
            &"sig".into(),
            &"EdDSA".into()
        )
    );
    let header = header_of(&token);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], key["kid"]);
    assert_eq!(verdict, Ok("alice".to_owned()));
    assert!(tampered_verdict.is_err(), "{tampered_verdict:?}");
    assert_eq!(
        new_key_verdict,
        Ok("bob".to_owned()),
        "PyJWT follows the rotation"
    );
    assert_eq!(old_key_verdict, Ok("alice".to_owned()), "and the overlap");
}

#[tokio::test]
async fn under_hs256_the_jwks_is_empty_and_tokens_carry_a_kid() {
    let (_redis, app) = app(JwtAlg::Hs256, 900).await;

    let jwks = app.get("/.well-known/jwks.json").await;
    let token = token_of(&app, ALICE).await;

    assert_status(&jwks, 200);
    assert_eq!(jwks.json(), serde_json::json!({ "keys": [] }));
    assert!(header_of(&token)["kid"].is_string());
    assert_status(&app.api_me(JWT, Some(&token)).await, 200);
}

#[tokio::test]
async fn a_token_from_before_a_rotation_works_after_it_until_its_key_leaves_the_ring() {
    let (_redis, app) = app(JwtAlg::EdDsa, 2).await;
    let before = token_of(&app, ALICE).await;
    let old_kid = header_of(&before)["kid"].as_str().expect("kid").to_owned();

    app.jwt_keys().rotate_with_overlap().expect("rotate");
    let during = app.api_me(JWT, Some(&before)).await;
    let kids_during = jwks_kids(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let later = app.api_me(JWT, Some(&before)).await;
    let kids_later = jwks_kids(&app).await;

    assert_status(&during, 200);
    assert!(
        kids_during.contains(&old_kid),
        "the old key is still published"
    );
    assert_eq!(kids_during.len(), 2);
    assert_status(&later, 401);
    assert!(!kids_later.contains(&old_kid), "the old key left the ring");
    assert_eq!(kids_later.len(), 1);
}

#[tokio::test]
async fn the_previous_key_survives_a_restart() {
    let (_redis, mut app) = app(JwtAlg::EdDsa, 900).await;
    let before = token_of(&app, ALICE).await;
    app.jwt_keys().rotate_with_overlap().expect("rotate");
    let after = token_of(&app, BOB).await;

    app.restart().await;

    assert_status(&app.api_me(JWT, Some(&before)).await, 200);
    assert_status(&app.api_me(JWT, Some(&after)).await, 200);
    assert_eq!(jwks_kids(&app).await.len(), 2);
}

#[tokio::test]
async fn an_emergency_revocation_refuses_every_earlier_token_at_once() {
    for alg in [JwtAlg::Hs256, JwtAlg::EdDsa] {
        let (_redis, app) = app(alg, 900).await;
        let before = token_of(&app, ALICE).await;
        app.jwt_keys().rotate_with_overlap().expect("rotate");
        let between = token_of(&app, BOB).await;

        app.jwt_keys().revoke_all().expect("revoke");
        let fresh = token_of(&app, ALICE).await;

        for old in [&before, &between] {
            let refused = app.api_me(JWT, Some(old)).await;
            assert_status(&refused, 401);
            assert_eq!(refused.json()["reason"], "bad_signature", "{alg}");
        }
        assert_status(&app.api_me(JWT, Some(&fresh)).await, 200);
    }
}

#[tokio::test]
async fn a_malformed_ed25519_key_file_refuses_the_start() {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_alg: JwtAlg::EdDsa,
        ..TestApp::settings_for(&redis.url())
    };
    std::fs::create_dir_all(&settings.data_dir).expect("data dir");
    // 48 bytes of valid base64: long enough for the key-file reader, not an Ed25519 seed.
    std::fs::write(
        settings.data_dir.join(JwtAlg::EdDsa.key_file_name()),
        base64::engine::general_purpose::STANDARD.encode([7u8; 48]),
    )
    .expect("write");

    let started = authlab::AppState::new(settings.clone());

    let err = started.err().expect("refused").to_string();
    assert!(err.contains("Ed25519"), "{err}");
    assert!(!err.contains("Bwc"), "the key is never shown: {err}");
    let _ = std::fs::remove_dir_all(&settings.data_dir);
}
