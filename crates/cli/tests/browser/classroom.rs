//! The classroom in a real browser: a student joins and logs in, the teacher rotates the key, the
//! student's next page says why they were logged out; the teacher's page, `/join` and the banner
//! fit 1280×720, 150 % zoom (853×480 CSS pixels) and a 390×844 phone without sideways scrolling.

use authlab_testkit::{Browser, JWT};

use crate::Classroom;

/// The window sizes a lesson is given at: a projector, the same at 150 % zoom, a phone.
const SIZES: [(u32, u32, &str); 3] = [(1280, 720, "1280"), (853, 480, "150pct"), (390, 844, "390")];

/// How many CSS pixels the page, or a table's scroller inside it, is wider than its box (0: no
/// sideways scrolling anywhere).
async fn sideways(browser: &Browser) -> i64 {
    browser
        .eval(
            "var d = document.documentElement; \
             var inner = Array.from(document.querySelectorAll('.table-scroll')) \
               .map(function (e) { return e.scrollWidth - e.clientWidth; }); \
             return Math.max.apply(null, [d.scrollWidth - d.clientWidth].concat(inner))",
        )
        .await
        .expect("widths")
        .as_i64()
        .expect("a number")
}

/// At every size: no sideways scrolling, and a screenshot.
async fn fits_every_size(browser: &Browser, name: &str) {
    for (width, height, label) in SIZES {
        browser
            .client()
            .set_window_size(width, height)
            .await
            .expect("resize");
        assert_eq!(
            sideways(browser).await,
            0,
            "{name} scrolls sideways at {label}"
        );
        browser
            .screenshot(&format!("{name}-{label}"))
            .await
            .expect("screenshot");
    }
    browser
        .client()
        .set_window_size(1400, 1000)
        .await
        .expect("resize back");
}

#[tokio::test]
async fn a_student_joins_is_logged_out_by_the_teacher_and_is_told_why() {
    // Arrange: a student's browser; the teacher on the app's own HTTP client.
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    browser.open(&classroom.url("/join")).await.expect("/join");
    fits_every_size(browser, "join").await;
    browser
        .submit_form(
            "form.login",
            &[
                ("code", authlab_testkit::CLASS_CODE),
                ("username", "carol"),
                ("password", "carol-password"),
            ],
        )
        .await
        .expect("join");
    assert!(browser.has("#joined").await.expect("joined"));
    classroom.log_in(JWT, ("carol", "carol-password")).await;
    assert_eq!(browser.text("#username").await.expect("user"), "carol");

    // Act: the teacher rotates the JWT key, the emergency way.
    classroom.app.log_in_as_teacher().await;
    let rotated = classroom.app.press("/labs/rotate", &[]).await;
    assert_eq!(rotated.status.as_u16(), 200);
    browser
        .open(&classroom.url("/jwt/dashboard"))
        .await
        .expect("the dashboard");

    // Assert: sent to the login page, which says what happened, on a banner too.
    assert_eq!(browser.current_path().await.expect("path"), "/jwt/login");
    let why = browser.text("#logged-out-by").await.expect("the reason");
    assert!(why.contains("the teacher rotated the JWT key"), "{why}");
    assert!(!browser.has("#rejection").await.expect("no tamper wording"));
    let banner = browser.text("#announcements").await.expect("the banner");
    assert!(
        banner.contains("everyone on /jwt was logged out"),
        "{banner}"
    );
    fits_every_size(browser, "logged-out-by-the-teacher").await;
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_teachers_page_shows_the_class_code_students_and_tools_at_every_size() {
    // Arrange: two students, and the teacher in the browser.
    let classroom = Classroom::open().await;
    classroom.app.join("carol", "carol-password").await;
    classroom
        .app
        .join("a-rather-long-username_32-chars", "long-password")
        .await;
    let browser = &classroom.browser;
    classroom.log_in_as_teacher().await;

    // Act: promote carol from the page.
    browser
        .click("tr[data-student=\"carol\"] form[action=\"/teacher/role\"] button")
        .await
        .expect("make carol an admin");

    // Assert
    let result = browser.text("#result").await.expect("the result");
    assert!(result.contains("carol: user → admin"), "{result}");
    assert_eq!(
        browser.text("#class-code").await.expect("code"),
        authlab_testkit::CLASS_CODE
    );
    assert!(browser.has("#tool-reset").await.expect("reset"));
    let banner = browser.text("#announcements").await.expect("the banner");
    assert!(
        banner.contains("the teacher made carol an admin"),
        "{banner}"
    );
    assert!(!banner.contains("the teacher the teacher"), "{banner}");
    fits_every_size(browser, "teacher").await;
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_walkthrough_lines_up_step_n_of_every_mount_on_one_row() {
    // Arrange: a projector-sized window.
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    browser
        .client()
        .set_window_size(1280, 720)
        .await
        .expect("resize");

    // Act
    browser
        .open(&classroom.url("/walkthrough"))
        .await
        .expect("the walkthrough");

    // Assert: every flow side by side, and each step at the same height in every flow.
    let rows = browser
        .eval(
            "var flows = Array.from(document.querySelectorAll('.flow')); \
             return flows.map(function (f) { \
               return [f.getBoundingClientRect().top].concat( \
                 Array.from(f.querySelectorAll('.step')).map(function (s) { \
                   return Math.round(s.getBoundingClientRect().top); })); })",
        )
        .await
        .expect("positions");
    let rows = rows.as_array().expect("one list per flow").clone();
    assert!(rows.len() >= 3, "{rows:?}");
    let first = rows[0].as_array().expect("tops").clone();
    assert!(first.len() > 3, "the steps are there: {first:?}");
    for other in &rows[1..] {
        assert_eq!(other.as_array().expect("tops"), &first, "{rows:?}");
    }
    assert_eq!(sideways(browser).await, 0);
    browser.screenshot("walkthrough-1280").await.expect("shot");
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn a_lab_shows_its_result_in_view_after_the_button() {
    // Arrange: the teacher, on a projector-sized window, on a lab whose result comes far down.
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    classroom.log_in_as_teacher().await;
    browser
        .client()
        .set_window_size(1280, 720)
        .await
        .expect("resize");
    browser
        .open(&classroom.url("/labs/flush"))
        .await
        .expect("the flush lab");

    // Act
    browser.click("#run").await.expect("flush");

    // Assert: the page came back scrolled to the result, and the frames' text is body-sized.
    let top = browser
        .eval("return document.getElementById('result').getBoundingClientRect().top")
        .await
        .expect("position")
        .as_f64()
        .expect("a number");
    let height = browser
        .eval("return window.innerHeight")
        .await
        .expect("height")
        .as_f64()
        .expect("a number");
    assert!(
        (0.0..height).contains(&top),
        "the result is at {top} in a {height} px window"
    );
    browser
        .enter_frame("iframe[src=\"/session/labs/status\"]")
        .await
        .expect("the status frame");
    // The frame's own body size (its narrow viewport has a smaller root size than the page).
    let sizes = browser
        .eval(
            "return [parseFloat(getComputedStyle(document.querySelector('#state')).fontSize), \
                     parseFloat(getComputedStyle(document.documentElement).fontSize)]",
        )
        .await
        .expect("sizes");
    browser.leave_frame().await.expect("back");
    assert_eq!(
        sizes[0], sizes[1],
        "the outcome is in body-size text: {sizes:?}"
    );
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_compare_view_is_one_row_on_a_projector_and_each_pane_shows_the_summary_unscrolled() {
    // Arrange: logged in to every mount, the compare view on a 1280×720 projector.
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    for mount in authlab_testkit::login_mounts() {
        classroom.log_in(mount, authlab_testkit::ALICE).await;
    }
    let mut columns = Vec::new();
    for (width, height, label) in SIZES {
        browser
            .client()
            .set_window_size(width, height)
            .await
            .expect("resize");

        // Act
        browser.open(&classroom.url("/")).await.expect("open /");

        // Assert: how many panes share the first row; in each pane the summary is in view.
        let tops = browser
            .eval(
                "return Array.from(document.querySelectorAll('.compare .mount')) \
                   .map(function (m) { return Math.round(m.getBoundingClientRect().top); })",
            )
            .await
            .expect("tops");
        let tops: Vec<i64> = tops
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|t| t.as_i64())
            .collect();
        columns.push(tops.iter().filter(|t| **t == tops[0]).count());
        for mount in authlab_testkit::login_mounts() {
            browser
                .enter_frame(&format!("iframe[name=\"compare-{mount}\"]"))
                .await
                .expect("the frame");
            let unscrolled = browser
                .eval(
                    "var g = document.getElementById('at-a-glance'); \
                     return g !== null && g.getBoundingClientRect().bottom <= window.innerHeight ? true : [location.pathname, g && g.getBoundingClientRect().bottom, window.innerHeight]",
                )
                .await
                .expect("the summary");
            assert_eq!(
                unscrolled, true,
                "/{mount} at {label}: summary not in the frame's view"
            );
            browser.leave_frame().await.expect("leave");
        }
        assert_eq!(
            sideways(browser).await,
            0,
            "the compare view scrolls sideways at {label}"
        );
        browser
            .screenshot(&format!("compare-{label}"))
            .await
            .expect("shot");
    }
    let mounts = authlab_testkit::login_mounts().len();
    assert_eq!(columns, [mounts, 2, 1], "panes per row at 1280, 150 %, 390");
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn on_a_phone_the_tokens_header_sits_above_its_payload_and_nothing_scrolls_sideways() {
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    classroom.log_in(JWT, authlab_testkit::ALICE).await;
    browser
        .client()
        .set_window_size(390, 844)
        .await
        .expect("resize");

    browser
        .open(&classroom.url("/jwt/dashboard"))
        .await
        .expect("the dashboard");

    let boxes = browser
        .eval(
            "var h = document.getElementById('token-header-json').getBoundingClientRect(); \
             var p = document.getElementById('token-payload-json').getBoundingClientRect(); \
             return [h.bottom <= p.top, Math.round(h.left) === Math.round(p.left)]",
        )
        .await
        .expect("boxes");
    assert_eq!(
        boxes,
        serde_json::json!([true, true]),
        "header above payload"
    );
    assert_eq!(sideways(browser).await, 0);
    browser.screenshot("inspector-jwt-390").await.expect("shot");
    classroom.close().await;
}
