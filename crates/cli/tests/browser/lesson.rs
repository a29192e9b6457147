//! The lesson material: every part readable on a phone, and the handout on one printed A4 page.

use authlab_testkit::CHROMIUM;

use crate::Classroom;

#[tokio::test]
async fn the_lesson_material_reads_on_a_phone_and_the_handout_prints_on_one_page() {
    // Arrange
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    browser
        .client()
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");

    // Act + Assert: each part has its heading and no page scrolls sideways.
    for (path, heading) in [
        ("/lesson", "A 45-minute lesson"),
        ("/lesson/questions", "Questions for every lab"),
        ("/lesson/quiz", "Quiz: ten questions"),
        ("/lesson/glossary", "Glossary"),
        ("/handout", "Staying logged in"),
    ] {
        browser.open(&classroom.url(path)).await.expect("open");
        let h1 = browser.text("h1").await.expect("a heading");
        assert!(h1.starts_with(heading), "{path}: {h1}");
        let overflow = browser
            .eval("var d = document.documentElement; return d.scrollWidth - d.clientWidth")
            .await
            .expect("widths");
        assert_eq!(overflow, 0, "{path} scrolls sideways at 390 px");
    }
    classroom.assert_clean().await;

    // The handout, printed by Chromium itself to A4 (`@page { size: A4 }`).
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("handout.pdf");
    let printed = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            &format!("--print-to-pdf={}", pdf.display()),
            &classroom.url("/handout"),
        ])
        .output()
        .expect("chromium runs");
    assert!(printed.status.success(), "{printed:?}");
    let bytes = std::fs::read(&pdf).expect("a PDF was written");
    assert_eq!(
        pdf_pages(&bytes),
        1,
        "the handout must print on one A4 page"
    );
    classroom.close().await;
}

/// Page objects in a PDF (`/Type /Page`, not the `/Type /Pages` tree node).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, found)| !text[at + found.len()..].starts_with('s'))
        .count()
}
