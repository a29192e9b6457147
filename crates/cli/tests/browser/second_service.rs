//! The second service in a browser: the lab that checks your token both ways, and the page of a
//! real `authlab resource` process saying who you are and how it knew.

use authlab_procs::AppCommand;
use authlab_testkit::{RedisServer, TestApp, ALICE, JWT};

use crate::Classroom;

async fn eddsa_classroom() -> Classroom {
    let redis = RedisServer::start().expect("redis-server");
    let settings = authlab_web::Settings {
        jwt_alg: authlab_jwt::JwtAlg::EdDsa,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    Classroom::with_app(redis, app).await
}

/// How far the page scrolls sideways (0: it fits).
async fn overflow(classroom: &Classroom) -> serde_json::Value {
    classroom
        .browser
        .eval("var d = document.documentElement; return d.scrollWidth - d.clientWidth")
        .await
        .expect("widths")
}

#[tokio::test]
async fn the_lab_shows_both_ways_accepting_the_token_with_their_measured_cost() {
    // Arrange: alice logged in to /jwt on an EdDSA server.
    let classroom = eddsa_classroom().await;
    let browser = &classroom.browser;
    classroom.log_in(JWT, ALICE).await;

    // Act
    browser
        .open(&classroom.url("/labs/second-service"))
        .await
        .expect("open the lab");
    browser.click("#run").await.expect("press the button");

    // Assert
    for way in ["#way-local", "#way-introspection"] {
        assert_eq!(
            browser
                .attr(way, "data-accepted")
                .await
                .expect("a verdict")
                .as_deref(),
            Some("true"),
            "{way}"
        );
    }
    for cost in ["#local-cost", "#introspection-cost"] {
        let text = browser.text(cost).await.expect("a cost");
        assert!(text.contains("µs") || text.contains("ms"), "{cost}: {text}");
    }
    super::labs::shoot(browser, "lab-second-service").await;
    browser
        .client()
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    assert_eq!(overflow(&classroom).await, serde_json::json!(0));
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_resource_page_says_who_you_are_and_that_it_checked_the_signature_itself() {
    // Arrange: a real `authlab resource` process trusting the in-process issuer.
    let classroom = eddsa_classroom().await;
    let browser = &classroom.browser;
    let resource = AppCommand::resource(env!("CARGO_BIN_EXE_authlab"), classroom.app.base_url())
        .env("AUTHLAB_RESOURCE_WORKERS", "1")
        .start()
        .await
        .expect("authlab resource starts");
    let login = classroom.app.api_login(JWT, ALICE.0, ALICE.1).await.json();
    let token = login["token"].as_str().expect("a token");

    // Act: paste the token into the resource server's page.
    browser
        .open(&format!("{}/", resource.base_url()))
        .await
        .expect("open the resource page");
    browser
        .submit_form("form.login", &[("token", token)])
        .await
        .expect("submit the token");

    // Assert
    assert_eq!(
        browser
            .attr("#resource-verdict", "data-verified-by")
            .await
            .expect("a verdict")
            .as_deref(),
        Some("local_signature")
    );
    let how = browser.text("#resource-how").await.expect("how it knew");
    assert!(how.contains("Ed25519 signature"), "{how}");
    super::labs::shoot(browser, "resource-page").await;
    browser
        .client()
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    assert_eq!(overflow(&classroom).await, serde_json::json!(0));
    let errors = browser.console_errors().await.expect("console");
    assert!(errors.is_empty(), "{errors:?}");
    classroom.close().await;
}
