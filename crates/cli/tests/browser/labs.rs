//! The labs and the walkthrough in a real browser: each button pressed as a student would, the
//! result read off the rendered page (status frames included), a screenshot of each lab.
//!
//! With `AUTHLAB_DOCS_SCREENSHOTS` set, the screenshots are also copied to `docs/labs/`, where
//! `docs/labs.md` shows them.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use authlab_testkit::{login_mounts, Browser, RedisServer, TestApp, ALICE, BOB};
use authlab_testkit::{MountSlug, JWT, MEMORY, SESSION};

use crate::Classroom;

/// Save a screenshot under `target/browser-screenshots/`, and into `docs/labs/` when asked.
pub async fn shoot(browser: &Browser, name: &str) {
    let path = browser.screenshot(name).await.expect("screenshot");
    if std::env::var_os("AUTHLAB_DOCS_SCREENSHOTS").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/labs");
        std::fs::create_dir_all(&docs).expect("docs/labs");
        std::fs::copy(&path, docs.join(format!("{name}.png"))).expect("copy the screenshot");
    }
}

/// What the status frame of `mount` on the current page says.
async fn frame_text(browser: &Browser, mount: MountSlug) -> String {
    browser
        .enter_frame(&format!("iframe[src=\"/{mount}/labs/status\"]"))
        .await
        .expect("the status frame");
    let text = browser.text("#state").await.expect("the status line");
    browser.leave_frame().await.expect("back to the page");
    text
}

/// Open a lab and press its button.
async fn run_lab(classroom: &Classroom, slug: &str, button: &str) {
    let browser = &classroom.browser;
    browser
        .open(&classroom.url(&format!("/labs/{slug}")))
        .await
        .expect("open the lab");
    browser.click(button).await.expect("press the button");
}

#[tokio::test]
async fn the_token_labs_tamper_forge_decode_and_expire() {
    // Arrange: tokens that live 5 s, so the expiry lab is quick; bob logged in to /jwt.
    let redis = RedisServer::start().expect("redis-server");
    let mut settings = TestApp::settings_for(&redis.url());
    settings.jwt_ttl = 5;
    let app = TestApp::spawn_with(settings).await;
    let classroom = Classroom::with_app(redis, app).await;
    let browser = &classroom.browser;
    classroom.log_in(JWT, BOB).await;

    // Act + assert: expiry first, while the login is fresh.
    run_lab(&classroom, "expiry", "#run").await;
    let countdown = browser.text("#countdown").await.expect("a countdown");
    assert!(countdown.contains("Expires in"), "{countdown}");
    shoot(browser, "lab-expiry").await;
    tokio::time::sleep(Duration::from_millis(5200)).await;
    browser
        .click("#dashboard")
        .await
        .expect("open the dashboard");
    assert_eq!(browser.current_path().await.expect("url"), "/jwt/login");
    assert_eq!(
        browser
            .attr("#rejection", "data-reason")
            .await
            .expect("a notice")
            .as_deref(),
        Some("expired")
    );
    shoot(browser, "lab-expiry-after").await;

    classroom.log_in(JWT, BOB).await;
    run_lab(&classroom, "tamper", "#run").await;
    let result = browser.text("#result").await.expect("a result");
    assert!(result.contains("role user → admin"), "{result}");
    assert!(result.contains("signature did not match"), "{result}");
    shoot(browser, "lab-tamper").await;

    run_lab(&classroom, "forged", "#run").await;
    let result = browser.text("#result").await.expect("a result");
    assert!(result.contains("does not accept"), "{result}");
    assert!(result.contains("signature did not match"), "{result}");
    shoot(browser, "lab-forged").await;

    // A fresh token: the last one may be near its end by now.
    classroom.log_in(JWT, BOB).await;
    run_lab(&classroom, "decode", "#run").await;
    let payload = browser
        .text("#result pre.part-payload")
        .await
        .expect("payload");
    assert!(payload.contains("\"sub\": \"bob\""), "{payload}");
    shoot(browser, "lab-decode").await;

    browser.open(&classroom.url("/labs")).await.expect("index");
    shoot(browser, "labs-index").await;
    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_server_state_labs_show_which_mounts_notice() {
    // Arrange: bob logged in to every mount.
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    for mount in login_mounts() {
        classroom.log_in(mount, BOB).await;
    }

    // Roles: promoted on the server (by the teacher); the sessions see it at once, the token
    // does not.
    classroom.log_in_as_teacher().await;
    run_lab(&classroom, "roles", "#make-bob-admin").await;
    assert!(frame_text(browser, SESSION).await.contains("role admin"));
    assert!(frame_text(browser, MEMORY).await.contains("role admin"));
    assert!(frame_text(browser, JWT).await.contains("role user"));
    shoot(browser, "lab-roles").await;
    browser
        .click("#make-bob-user")
        .await
        .expect("demote bob back");

    run_lab(&classroom, "authorization", "#run").await;
    let table = browser.text("#result").await.expect("a table");
    // alice is allowed and bob forbidden on every login mount.
    let mounts = login_mounts().len();
    assert_eq!(table.matches("allowed").count(), mounts, "{table}");
    assert_eq!(table.matches("forbidden").count(), mounts, "{table}");
    shoot(browser, "lab-authorization").await;

    // Revocation: the copied JWT still works after logout.
    run_lab(&classroom, "revocation", "#logout-jwt").await;
    let verdict = browser.text("#verdict").await.expect("a verdict");
    assert!(verdict.contains("still works"), "{verdict}");
    // The next button on the same page carries the JWT's copy along: both answers, side by side.
    browser
        .click("#logout-session")
        .await
        .expect("log out of /session");
    let verdict = browser.text("#verdict").await.expect("a verdict");
    assert!(verdict.contains("dead"), "{verdict}");
    let jwt = browser
        .text("[data-verdict=\"jwt\"]")
        .await
        .expect("the JWT's verdict beside it");
    assert!(jwt.contains("still works"), "{jwt}");
    shoot(browser, "lab-revocation").await;

    // Flush and rotate end the Redis sessions and the tokens respectively.
    for mount in login_mounts() {
        classroom.log_in(mount, ALICE).await;
    }
    run_lab(&classroom, "flush", "#run").await;
    assert!(frame_text(browser, SESSION).await.contains("not logged in"));
    assert!(frame_text(browser, MEMORY)
        .await
        .contains("logged in as alice"));
    shoot(browser, "lab-flush").await;
    run_lab(&classroom, "rotate", "#run").await;
    assert!(frame_text(browser, JWT)
        .await
        .contains("signature did not match"));
    assert!(frame_text(browser, MEMORY)
        .await
        .contains("logged in as alice"));
    shoot(browser, "lab-rotate").await;

    classroom.assert_clean().await;
    classroom.close().await;
}

#[tokio::test]
async fn the_walkthrough_shows_this_browsers_own_requests() {
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    for mount in [SESSION, JWT] {
        classroom.log_in(mount, ALICE).await;
        browser
            .open(&classroom.url(&format!("/{mount}/admin")))
            .await
            .expect("admin page");
    }

    browser
        .open(&classroom.url("/walkthrough"))
        .await
        .expect("walkthrough");

    let jwt = browser.text("#flow-jwt").await.expect("the /jwt flow");
    assert!(jwt.contains("POST /jwt/login HTTP/1.1"), "{jwt}");
    assert!(jwt.contains("Set-Cookie: authlab_jwt="), "{jwt}");
    assert!(jwt.contains("200: your role may open /admin"), "{jwt}");
    let session = browser
        .text("#flow-session")
        .await
        .expect("the /session flow");
    assert!(
        session.contains("Set-Cookie: authlab_session="),
        "{session}"
    );
    shoot(browser, "walkthrough").await;
    classroom.assert_clean().await;
    classroom.close().await;
}

/// `authlab demo` as a child process; SIGTERM on drop, which it passes on to the server.
struct Demo {
    child: Child,
    base: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(pid) = i32::try_from(self.child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_restart_lab_restarts_the_server_and_the_frames_show_who_stayed_logged_in() {
    // Arrange: `authlab demo` (not a TestApp: the lab restarts a real process) and a browser.
    let redis = RedisServer::start().expect("redis-server");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let data_dir =
        std::env::temp_dir().join(format!("authlab-browser-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let demo = Demo {
        child: Command::new(env!("CARGO_BIN_EXE_authlab"))
            .args(["demo", "--port", &port.to_string(), "--workers", "1"])
            .env("AUTHLAB_REDIS_URL", redis.url())
            .env(
                "AUTHLAB_TEACHER_PASSWORD",
                authlab_testkit::TEACHER_PASSWORD,
            )
            // The restart comes seconds after start-up: no cooldown.
            .env("AUTHLAB_TOOL_COOLDOWN", "0")
            .env("AUTHLAB_DATA_DIR", &data_dir)
            .env_remove("AUTHLAB_JWT_SECRET")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("authlab demo"),
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the demo did not listen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let browser = Browser::launch()
        .await
        .unwrap_or_else(|err| panic!("{err:#}"));
    for mount in login_mounts() {
        browser
            .open(&format!("{}/{mount}/login", demo.base))
            .await
            .expect("login page");
        browser
            .submit_form(
                "form.login",
                &[("username", ALICE.0), ("password", ALICE.1)],
            )
            .await
            .expect("log in");
    }
    browser
        .open(&format!("{}/teacher", demo.base))
        .await
        .expect("the teacher's page");
    browser
        .submit_form(
            "form.login",
            &[("password", authlab_testkit::TEACHER_PASSWORD)],
        )
        .await
        .expect("log in as the teacher");
    browser
        .open(&format!("{}/labs/restart", demo.base))
        .await
        .expect("the restart lab");
    let first_pid = browser.attr("#process", "data-pid").await.expect("pid");

    // Act: press the button; the page reloads itself once the new process serves.
    browser.click("#run").await.expect("restart");
    let started = Instant::now();
    let mut pid = first_pid.clone();
    while pid == first_pid && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        pid = browser.attr("#process", "data-pid").await.ok().flatten();
    }

    // Assert: a new process; /session and /jwt kept the login, /memory lost it.
    assert_ne!(pid, first_pid, "a new server process");
    assert!(frame_text(&browser, SESSION)
        .await
        .contains("logged in as alice"));
    assert!(frame_text(&browser, MEMORY).await.contains("not logged in"));
    assert!(frame_text(&browser, JWT)
        .await
        .contains("logged in as alice"));
    shoot(&browser, "lab-restart").await;
    browser.close().await;
    drop(demo);
}

#[tokio::test]
async fn the_labs_work_with_javascript_off() {
    // Arrange: a browser with JavaScript disabled, logged in to /jwt.
    let redis = RedisServer::start().expect("redis-server");
    let app = TestApp::spawn(&redis).await;
    let classroom = Classroom::with_browser(redis, app, Browser::launch_without_javascript).await;
    let browser = &classroom.browser;
    classroom.log_in(JWT, BOB).await;

    // Act: press two labs' buttons.
    run_lab(&classroom, "tamper", "#run").await;
    let tampered = browser.text("#result").await.expect("a result");
    run_lab(&classroom, "expiry", "#run").await;
    let countdown = browser.text("#countdown").await.expect("a countdown");

    // Assert: the results are rendered by the server; the countdown shows the seconds left.
    assert!(tampered.contains("signature did not match"), "{tampered}");
    assert!(countdown.starts_with("Expires in 10 s"), "{countdown}");
    classroom.close().await;
}

#[tokio::test]
async fn the_attack_labs_show_a_careless_verifier_accepting_what_ours_refuses() {
    // Arrange: an EdDSA server, so the algorithm-confusion lab has a public key to misuse.
    let redis = RedisServer::start().expect("redis-server");
    let settings = authlab_web::Settings {
        jwt_alg: authlab_jwt::JwtAlg::EdDsa,
        ..TestApp::settings_for(&redis.url())
    };
    let app = TestApp::spawn_with(settings).await;
    let classroom = Classroom::with_app(redis, app).await;
    let browser = &classroom.browser;

    // Act + assert: the weak secret, cracked from one token in the page.
    browser
        .open(&classroom.url("/labs/weak-secret"))
        .await
        .expect("open the lab");
    browser.click("#run").await.expect("press the button");
    assert_eq!(
        browser.text("#found-secret").await.expect("cracked"),
        "12@34$56"
    );
    let refusal = browser.text("#startup-refusal").await.expect("start-up");
    assert!(refusal.contains("refuses to start"), "{refusal}");
    shoot(browser, "lab-weak-secret").await;

    for (slug, forgeries, shot) in [
        ("weak-secret", 1, None),
        ("jwk-injection", 1, Some("lab-jwk-injection")),
        ("kid-injection", 2, Some("lab-kid-injection")),
        ("alg-confusion", 1, Some("lab-alg-confusion")),
    ] {
        run_lab(&classroom, slug, "#run").await;
        let naive = browser
            .eval("return Array.from(document.querySelectorAll('.naive-verdict')).map(e => e.dataset.naive)")
            .await
            .expect("verdicts");
        let ours = browser
            .eval("return Array.from(document.querySelectorAll('.answer-status')).map(e => e.textContent.trim())")
            .await
            .expect("statuses");
        assert_eq!(
            naive,
            serde_json::json!(vec!["accepted"; forgeries]),
            "{slug}"
        );
        assert_eq!(ours, serde_json::json!(vec!["401"; forgeries]), "{slug}");
        // Long tokens wrap: nothing scrolls sideways on a phone.
        browser
            .client()
            .set_window_size(390, 844)
            .await
            .expect("phone size");
        let overflow = browser
            .eval("var d = document.documentElement; return d.scrollWidth - d.clientWidth")
            .await
            .expect("widths");
        let wide = browser
            .eval(
                "var w = document.documentElement.clientWidth; \
                 return Array.from(document.querySelectorAll('body *')) \
                   .filter(e => e.getBoundingClientRect().right > w) \
                   .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)",
            )
            .await
            .expect("wide elements");
        assert_eq!(
            overflow,
            serde_json::json!(0),
            "/labs/{slug} scrolls sideways at 390 px: {wide}"
        );
        browser
            .client()
            .set_window_size(1280, 720)
            .await
            .expect("desktop size");
        if let Some(name) = shot {
            shoot(browser, name).await;
        }
    }
    classroom.assert_clean().await;
    classroom.close().await;
}
