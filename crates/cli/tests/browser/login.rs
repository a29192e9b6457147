//! The core flow, in a real browser: log in and out on each mount, with JavaScript on.

use authlab_testkit::JWT;
use authlab_testkit::{login_mounts, TestApp, ALICE};

use crate::Classroom;

#[tokio::test]
async fn a_student_logs_in_and_out_on_each_mount() {
    // Arrange
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;

    for mount in login_mounts() {
        // Act: log in.
        classroom.log_in(mount, ALICE).await;

        // Assert: the dashboard greets alice, and the browser holds the mount's cookie.
        assert_eq!(
            browser.current_path().await.expect("url"),
            format!("/{mount}/dashboard")
        );
        assert_eq!(browser.text("#username").await.expect("username"), "alice");
        let cookie = TestApp::auth_cookie_name(mount);
        assert!(
            browser.cookie(&cookie).await.expect("cookies").is_some(),
            "no {cookie} cookie after logging in to /{mount}"
        );
        browser
            .screenshot(&format!("login-{mount}-dashboard"))
            .await
            .expect("screenshot");

        // Act: log out.
        browser
            .click(&format!(
                "form[action=\"/{mount}/logout\"] [type=\"submit\"]"
            ))
            .await
            .expect("log out");

        // Assert: back on the login page, and the dashboard no longer opens.
        assert_eq!(
            browser.current_path().await.expect("url"),
            format!("/{mount}/login")
        );
        browser
            .open(&classroom.url(&format!("/{mount}/dashboard")))
            .await
            .expect("open the dashboard");
        assert_eq!(
            browser.current_path().await.expect("url"),
            format!("/{mount}/login"),
            "after logout the dashboard of /{mount} must send the browser to the login page"
        );
    }

    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn with_javascript_off_the_compare_view_still_logs_in_to_each_mount() {
    // Arrange: a browser that runs no page script.
    let redis = authlab_testkit::RedisServer::start().expect("redis-server");
    let app = TestApp::spawn(&redis).await;
    let classroom = Classroom::with_browser(
        redis,
        app,
        authlab_testkit::Browser::launch_without_javascript,
    )
    .await;
    let browser = &classroom.browser;
    browser.open(&classroom.url("/")).await.expect("open /");

    for mount in login_mounts() {
        // Act
        browser
            .enter_frame(&format!("iframe[name=\"compare-{mount}\"]"))
            .await
            .expect("enter the frame");
        browser
            .submit_form(
                "form.login",
                &[("username", ALICE.0), ("password", ALICE.1)],
            )
            .await
            .expect("log in inside the frame");

        // Assert: the dashboard and its server-rendered inspector, without a line of script.
        assert_eq!(browser.text("#username").await.expect("user"), "alice");
        let store = browser.text("#store").await.expect("inspector");
        assert!(!store.is_empty());
        if mount == JWT {
            // Proof that scripts really are off: the countdown stays as the server wrote it.
            let first = browser.text("#expires-at .countdown").await.expect("exp");
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            let later = browser.text("#expires-at .countdown").await.expect("exp");
            assert_eq!(first, later, "app.js ran although JavaScript is off");
        }
        browser.leave_frame().await.expect("leave the frame");
    }
    browser
        .screenshot("compare-view-javascript-off")
        .await
        .expect("screenshot");
    classroom.assert_clean().await;
    classroom.close().await;
}
