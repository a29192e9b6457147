//! The inspector as a student sees it: the token's three parts decoded, a live countdown, and the
//! record each session mount keeps.

use std::time::Duration;

use authlab_testkit::{TestApp, ALICE};
use authlab_testkit::{JWT, MEMORY, SESSION};

use crate::Classroom;

#[tokio::test]
async fn the_jwt_inspector_decodes_the_token_and_counts_down_to_exp() {
    // Arrange
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;

    // Act
    classroom.log_in(JWT, ALICE).await;

    // Assert: the three parts on the page are the cookie the browser holds.
    let cookie = browser
        .cookie(&TestApp::auth_cookie_name(JWT))
        .await
        .expect("cookies")
        .expect("the token cookie");
    let parts = [
        browser.text("#token-header").await.expect("header part"),
        browser.text("#token-payload").await.expect("payload part"),
        browser
            .text("#token-signature")
            .await
            .expect("signature part"),
    ];
    assert_eq!(parts.join("."), cookie);
    let header = browser.text("#token-header-json").await.expect("header");
    let payload = browser.text("#token-payload-json").await.expect("payload");
    assert!(header.contains(r#""alg": "HS256""#), "{header}");
    assert!(payload.contains(r#""sub": "alice""#), "{payload}");
    assert!(payload.contains(r#""role": "admin""#), "{payload}");
    assert_eq!(browser.text("#store").await.expect("store"), "nothing");

    // The countdown is live (app.js ran under the CSP): its text changes within two seconds.
    let first = browser
        .text("#expires-at .countdown")
        .await
        .expect("countdown");
    assert!(first.starts_with("in 1"), "{first}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later = browser
        .text("#expires-at .countdown")
        .await
        .expect("countdown");
    assert_ne!(first, later, "the countdown did not move");
    assert!(browser
        .text("#auth-cost")
        .await
        .expect("cost")
        .contains("HS256 verify"));
    browser
        .screenshot("inspector-jwt")
        .await
        .expect("screenshot");

    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_session_inspectors_show_the_record_on_the_server() {
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;

    for (mount, store, step) in [
        (SESSION, "Redis", "redis MGET"),
        (
            MEMORY,
            "this server process's memory",
            "in-process map lookup",
        ),
    ] {
        classroom.log_in(mount, ALICE).await;

        assert_eq!(browser.text("#store").await.expect("store"), store);
        let yours = browser
            .text(".record.yours .record-value")
            .await
            .expect("your record");
        assert!(yours.contains("alice"), "{yours}");
        let key = browser
            .text(".record.yours .record-key")
            .await
            .expect("key");
        if mount == SESSION {
            assert!(key.starts_with("authlab:session:"), "{key}");
        }
        assert!(browser
            .text("#record-count")
            .await
            .expect("count")
            .contains("live sessions"));
        let note = browser.text("#credential-note").await.expect("note");
        assert!(note.contains("decrypts it to"), "{note}");
        assert!(browser
            .text("#auth-cost")
            .await
            .expect("cost")
            .contains(step));
        browser
            .screenshot(&format!("inspector-{mount}"))
            .await
            .expect("screenshot");
    }
    classroom.assert_clean().await;
    classroom.close().await;
}
