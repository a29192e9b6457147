//! The attack labs over real HTTP: each forged token is accepted by the careless verifier the
//! page runs beside the real one, and refused by this server, with the reason.

use authlab_core::Rejection;
use authlab_jwt::JwtAlg;
use authlab_testkit::{assert_body_contains, assert_status, RedisServer, TestApp, TestResponse};

async fn press(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let token = app.csrf_token().await;
    let mut fields = fields.to_vec();
    fields.push(("csrf", &token));
    app.post_form_as_is(path, &fields, &[]).await
}

async fn app(alg: JwtAlg) -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("redis");
    let settings = authlab_web::Settings {
        jwt_alg: alg,
        ..TestApp::settings_for(&redis.url())
    };
    (redis, TestApp::spawn_with(settings).await)
}

fn escaped(text: &str) -> String {
    text.replace('\'', "&#39;").replace('"', "&#34;")
}

/// Every forgery on the page: the careless verifier accepted it, the server answered 401.
fn assert_accepted_by_the_careless_refused_by_us(page: &TestResponse, forgeries: usize) {
    assert_status(page, 200);
    assert_eq!(
        page.body.matches(r#"data-naive="accepted""#).count(),
        forgeries,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches(r#"data-status="401""#).count(), forgeries);
    assert!(!page.body.contains(r#"data-status="200""#));
}

#[tokio::test]
async fn the_notes_secret_is_cracked_from_one_token_and_the_forged_admin_is_refused() {
    let (_redis, app) = app(JwtAlg::Hs256).await;

    let notes = press(&app, "/labs/weak-secret", &[("victim", "0")]).await;
    let piyush = press(&app, "/labs/weak-secret", &[("victim", "1")]).await;

    assert_accepted_by_the_careless_refused_by_us(&notes, 1);
    assert_body_contains(&notes, r#"<code id="found-secret">12@34$56</code>"#);
    assert_body_contains(&notes, &escaped(Rejection::BadSignature.explanation()));
    assert_body_contains(
        &notes,
        "authlab refuses to start with it: the JWT secret is 8 bytes long",
    );
    assert_body_contains(&piyush, r#"<code id="found-secret">PIYUSH$123@</code>"#);
}

#[tokio::test]
async fn a_key_injected_in_the_jwk_header_is_ignored_under_either_algorithm() {
    for alg in [JwtAlg::Hs256, JwtAlg::EdDsa] {
        let (_redis, app) = app(alg).await;

        let page = press(&app, "/labs/jwk-injection", &[]).await;

        assert_accepted_by_the_careless_refused_by_us(&page, 1);
    }
}

#[tokio::test]
async fn path_and_sql_kids_pick_the_careless_verifiers_key_and_not_ours() {
    let (_redis, app) = app(JwtAlg::Hs256).await;

    let page = press(&app, "/labs/kid-injection", &[]).await;

    assert_accepted_by_the_careless_refused_by_us(&page, 2);
    assert_body_contains(&page, "/dev/null (0 bytes read");
    assert_body_contains(&page, "UNION SELECT");
}

#[tokio::test]
async fn an_hs256_token_keyed_with_our_public_key_is_refused_as_the_wrong_algorithm() {
    let (_redis, eddsa) = app(JwtAlg::EdDsa).await;
    let (_redis2, hs256) = app(JwtAlg::Hs256).await;

    let page = press(&eddsa, "/labs/alg-confusion", &[]).await;
    let nothing_public = press(&hs256, "/labs/alg-confusion", &[]).await;

    assert_accepted_by_the_careless_refused_by_us(&page, 1);
    assert_body_contains(&page, &escaped(Rejection::WrongAlgorithm.explanation()));
    assert_status(&nothing_public, 200);
    assert_body_contains(&nothing_public, r#"id="problem""#);
    assert_body_contains(&nothing_public, "AUTHLAB_JWT_ALG=EdDSA");
}

#[tokio::test]
async fn the_second_service_lab_accepts_an_eddsa_token_both_ways_and_an_hs256_one_only_by_asking() {
    let (_redis, eddsa) = app(JwtAlg::EdDsa).await;
    let (_redis2, hs256) = app(JwtAlg::Hs256).await;
    eddsa
        .log_in(authlab_testkit::JWT, authlab_testkit::ALICE)
        .await;
    hs256
        .log_in(authlab_testkit::JWT, authlab_testkit::ALICE)
        .await;

    let both = press(&eddsa, "/jwt/labs/second-service", &[]).await;
    let asked = press(&hs256, "/jwt/labs/second-service", &[]).await;

    assert_status(&both, 200);
    assert_body_contains(&both, r#"id="way-local" data-accepted="true""#);
    assert_body_contains(&both, r#"id="way-introspection" data-accepted="true""#);
    assert_body_contains(&both, "Accepted: Alice Liddell (alice), role admin.");
    assert_status(&asked, 200);
    assert_body_contains(&asked, r#"id="way-local" data-accepted="false""#);
    assert_body_contains(&asked, r#"id="way-introspection" data-accepted="true""#);
    assert_body_contains(&asked, "its JWKS is empty");
}
