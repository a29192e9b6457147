//! `/refresh` in a real browser: the dashboard carries on across an access-token expiry, and the
//! stolen-refresh-token lab ends both browsers' logins with the reason shown.

use std::time::{Duration, Instant};

use authlab_testkit::{Browser, RedisServer, TestApp, ALICE, BOB, REFRESH};

use crate::Classroom;

#[tokio::test]
async fn the_dashboard_keeps_working_across_an_access_token_expiry() {
    // Arrange: access tokens that live 2 s; bob logged in to /refresh.
    let redis = RedisServer::start().expect("redis-server");
    let settings = authlab_web::Settings {
        access_ttl: 2,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    let classroom = Classroom::with_app(redis, app).await;
    let browser = &classroom.browser;
    classroom.log_in(REFRESH, BOB).await;
    let first = browser
        .cookie("authlab_refresh_access")
        .await
        .expect("cookies")
        .expect("an access token");

    // Act: keep using the dashboard until the access token underneath has changed.
    let deadline = Instant::now() + Duration::from_secs(20);
    let renewed = loop {
        browser
            .open(&classroom.url("/refresh/dashboard"))
            .await
            .expect("open the dashboard");
        // Assert, on every page: still the dashboard, still bob.
        assert_eq!(
            browser.current_path().await.expect("path"),
            "/refresh/dashboard"
        );
        assert_eq!(browser.text("#username").await.expect("username"), "bob");
        let now = browser
            .cookie("authlab_refresh_access")
            .await
            .expect("cookies");
        if now.as_deref().is_some_and(|token| token != first) {
            break now;
        }
        assert!(Instant::now() < deadline, "the access token never changed");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    assert!(renewed.is_some());
    browser
        .screenshot("refresh-dashboard-after-refresh")
        .await
        .expect("screenshot");
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_stolen_refresh_token_lab_ends_both_logins_with_the_reason_shown() {
    // Arrange: no reuse grace, so the owner's use right after the thief's counts as reuse; the
    // owner (alice) logged in to /refresh, and a second browser for the thief.
    let redis = RedisServer::start().expect("redis-server");
    let settings = authlab_web::Settings {
        refresh_reuse_grace: 0,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    let classroom = Classroom::with_app(redis, app).await;
    let owner = &classroom.browser;
    let thief = Browser::launch()
        .await
        .unwrap_or_else(|err| panic!("{err:#}"));
    classroom.log_in(REFRESH, ALICE).await;
    owner
        .open(&classroom.url("/labs/stolen-refresh"))
        .await
        .expect("open the lab");
    owner
        .click("#open-under-mount")
        .await
        .expect("the lab under /refresh");
    let copied = owner.text("#refresh-token").await.expect("the token");

    // Act: the thief uses the copy; then the owner refreshes, then the thief again.
    thief
        .open(&classroom.url("/refresh/labs/stolen-refresh"))
        .await
        .expect("open the lab");
    thief.fill("#token", copied.trim()).await.expect("paste");
    thief.click("#use-copy").await.expect("use the copy");
    let thief_in = thief.text("#username").await.expect("logged in as");
    owner.click("#refresh-now").await.expect("refresh");
    let owner_told = owner.text("#ended").await.expect("the reason");
    thief.click("#refresh-now").await.expect("refresh");
    let thief_told = thief.text("#ended").await.expect("the reason");

    // Assert: the thief was in as alice, and then both logins ended, saying why.
    assert_eq!(thief_in, "alice");
    for told in [&owner_told, &thief_told] {
        assert!(
            told.contains("an old refresh token was used again"),
            "{told}"
        );
    }
    assert!(!owner.has("#refresh-now").await.expect("page"));
    assert!(!thief.has("#refresh-now").await.expect("page"));
    owner
        .screenshot("lab-stolen-refresh-owner")
        .await
        .expect("screenshot");
    thief
        .screenshot("lab-stolen-refresh-thief")
        .await
        .expect("screenshot");
    classroom.assert_clean().await;
    thief.close().await;
    classroom.close().await;
}
