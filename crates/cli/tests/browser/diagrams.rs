//! The walkthrough's sequence diagrams: drawn by the server (JavaScript off), one per mount, side
//! by side, with this browser's own exchanges on their arrows.

use authlab_testkit::{login_mounts, Browser, RedisServer, TestApp, ALICE, JWT, SESSION};

use crate::Classroom;

#[tokio::test]
async fn the_walkthrough_opens_with_a_sequence_diagram_per_mount_drawn_without_javascript() {
    // Arrange: JavaScript off, a wide projector window, logged in to /session only.
    let redis = RedisServer::start().expect("redis-server");
    let app = TestApp::spawn(&redis).await;
    let classroom = Classroom::with_browser(redis, app, Browser::launch_without_javascript).await;
    let browser = &classroom.browser;
    browser
        .client()
        .set_window_size(1280, 720)
        .await
        .expect("a projector-sized window");
    classroom.log_in(SESSION, ALICE).await;

    // Act
    browser
        .open(&classroom.url("/walkthrough"))
        .await
        .expect("walkthrough");

    // Assert: a diagram per login mount, in one row.
    let mut tops = Vec::new();
    for mount in login_mounts() {
        let selector = format!("#diagram-{mount} svg.sequence");
        assert!(browser.has(&selector).await.expect("query"), "{selector}");
        let top = browser
            .eval(&format!(
                "return Math.round(document.querySelector('#diagram-{mount}').getBoundingClientRect().top)"
            ))
            .await
            .expect("position");
        tops.push(top);
    }
    assert!(
        tops.windows(2).all(|w| w[0] == w[1]),
        "the diagrams are not side by side at 1280 px: {tops:?}"
    );
    // /session's login and request arrows carry what this browser really sent; /jwt's are still
    // to do.
    let count = |mount, class| {
        let script =
            format!("return document.querySelectorAll('#diagram-{mount} g.{class}').length");
        async move { browser.eval(&script).await.expect("count") }
    };
    assert!(
        count(SESSION, "seen").await.as_u64().unwrap_or(0) >= 4,
        "the /session login was not drawn as seen"
    );
    assert_eq!(count(JWT, "seen").await.as_u64(), Some(0));
    let session = browser.text("#diagram-session").await.expect("text");
    assert!(session.contains("POST /session/login"), "{session}");
    assert!(session.contains("authlab_session ("), "{session}");
    let path = browser
        .screenshot("walkthrough-diagrams")
        .await
        .expect("screenshot");
    if std::env::var_os("AUTHLAB_DOCS_SCREENSHOTS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/labs");
        std::fs::copy(&path, docs.join("walkthrough-diagrams.png")).expect("copy");
    }
    classroom.close().await;
}
