//! The core flow, in a real browser: log in and out on each mount, with JavaScript on.

use authlab_testkit::{TestApp, ALICE, LOGIN_MOUNTS};

use crate::Classroom;

#[tokio::test]
async fn a_student_logs_in_and_out_on_each_mount() {
    // Arrange
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;

    for mount in LOGIN_MOUNTS {
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
