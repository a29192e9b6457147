//! The compare view: the mounts side by side, one login in each frame.

use authlab_testkit::{login_mounts, ALICE};

use crate::Classroom;

#[tokio::test]
async fn the_compare_view_logs_in_to_each_mount_in_its_own_frame() {
    // Arrange
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    browser.open(&classroom.url("/")).await.expect("open /");

    for mount in login_mounts() {
        // Act: log in inside this mount's frame.
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

        // Assert: the frame now shows that mount's dashboard with its inspector.
        assert_eq!(
            browser
                .eval("return location.pathname")
                .await
                .expect("path"),
            format!("/{mount}/dashboard")
        );
        assert_eq!(browser.text("#username").await.expect("user"), "alice");
        assert!(browser.has("#inspector").await.expect("inspector"));
        browser.leave_frame().await.expect("leave the frame");
    }

    // Each frame tells a different story about the same login.
    let mut stores = Vec::new();
    for mount in login_mounts() {
        browser
            .enter_frame(&format!("iframe[name=\"compare-{mount}\"]"))
            .await
            .expect("enter the frame");
        stores.push(browser.text("#store").await.expect("store"));
        // Readable in a narrow column: nothing (a long session id, a token) forces sideways
        // scrolling.
        let overflow = browser
            .eval("var d = document.documentElement; return d.scrollWidth - d.clientWidth")
            .await
            .expect("widths");
        assert_eq!(overflow, 0, "/{mount} scrolls sideways in its frame");
        browser.leave_frame().await.expect("leave the frame");
    }
    assert_eq!(
        stores,
        ["Redis", "this server process's memory", "nothing", "Redis"],
        "what the server holds, per mount"
    );
    // One click reloads every frame, and each keeps its own login.
    browser
        .click("#reload-all")
        .await
        .expect("reload all three");
    for mount in login_mounts() {
        browser
            .enter_frame(&format!("iframe[name=\"compare-{mount}\"]"))
            .await
            .expect("enter the frame");
        assert_eq!(browser.text("#username").await.expect("user"), "alice");
        browser.leave_frame().await.expect("leave the frame");
    }
    // The landing text and links are still there around the frames.
    let text = browser.page_text().await.expect("text");
    assert!(text.contains("Two ways to stay logged in"));
    assert!(browser.has("a[href=\"/jwt/login\"]").await.expect("link"));
    browser
        .screenshot("compare-view")
        .await
        .expect("screenshot");

    classroom.assert_clean().await;
    classroom.close().await;
}
