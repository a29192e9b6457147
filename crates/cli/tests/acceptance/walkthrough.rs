//! The walkthrough shows this browser's real exchanges, step by step, and nobody else's.

use authlab_core::Rejection;
use authlab_testkit::{assert_body_contains, assert_status, RedisServer, TestApp, ALICE, BOB};
use authlab_testkit::{MountSlug, JWT, SESSION};

/// The part of the walkthrough about one mount.
fn flow(page: &str, mount: MountSlug) -> &str {
    let start = page
        .find(&format!(r#"id="flow-{mount}""#))
        .unwrap_or_else(|| panic!("no flow for {mount}"));
    let rest = &page[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn the_jwt_flow_shows_the_login_the_token_and_the_next_request() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, BOB).await;
    app.get_dashboard(JWT).await;
    app.get_admin(JWT).await;
    let token = app.jar().get("authlab_jwt").expect("token");

    let page = app.get("/walkthrough").await;

    assert_status(&page, 200);
    let jwt = flow(&page.body, JWT);
    assert!(jwt.contains("POST /jwt/login HTTP/1.1"), "{jwt}");
    assert!(jwt.contains("HTTP/1.1 303"));
    assert!(jwt.contains("Location: /jwt/dashboard"));
    assert!(jwt.contains(&format!("Set-Cookie: authlab_jwt={}", &token[..12])));
    assert!(jwt.contains("HttpOnly"));
    assert!(jwt.contains("GET /jwt/dashboard HTTP/1.1"));
    assert!(jwt.contains(&format!("authlab_jwt={}…", &token[..12])));
    assert!(jwt.contains("403: authenticated, but your role may not open /admin"));
    assert!(jwt.contains("3. Token signed"));
    assert!(
        !page.body.contains(&token),
        "values are shortened, never whole"
    );
}

#[tokio::test]
async fn the_session_flow_says_a_record_was_created_and_a_rejection_is_explained() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;
    app.get_dashboard(SESSION).await;
    app.log_in(JWT, ALICE).await;
    let token = app.jar().get("authlab_jwt").expect("token");
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[2] = "AAAA";
    app.jar().set("authlab_jwt", &parts.join("."));
    app.get_dashboard(JWT).await;

    let page = app.get("/walkthrough").await;

    let session = flow(&page.body, SESSION);
    assert!(session.contains("3. Session created"));
    assert!(session.contains("Set-Cookie: authlab_session="));
    assert!(session.contains("200: verified"));
    let jwt = flow(&page.body, JWT);
    assert!(
        jwt.contains(&Rejection::BadSignature.explanation().replace('\'', "&#39;")),
        "{jwt}"
    );
}

#[tokio::test]
async fn another_browser_sees_none_of_these_exchanges() {
    let redis = RedisServer::start().expect("redis");
    let mut app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;

    app.become_another_browser_at([127, 0, 0, 2].into());
    let page = app.get("/walkthrough").await;

    assert_status(&page, 200);
    assert!(!page.body.contains("POST /jwt/login HTTP/1.1"));
    assert_body_contains(&page, "Not seen yet");
}
