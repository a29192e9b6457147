//! `authlab demo`: the restart lab really restarts the server process, and the supervisor brings
//! it back with the same keys; /session and /jwt logins survive, /memory logins do not.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use authlab_procs::{AppCommand, AppProcess};
use authlab_testkit::{
    assert_is_redirect_to, assert_status, client::Client, extract_csrf_token, login_mounts,
    RedisServer, ALICE, TEACHER_PASSWORD,
};
use reqwest::Method;

/// `authlab demo` with its own data directory (the tests of this file run in parallel in one
/// process). Dropping it sends SIGTERM, so the supervisor passes it on and its child does not
/// outlive the test.
async fn start_demo(redis: &RedisServer) -> AppProcess {
    AppCommand::demo(env!("CARGO_BIN_EXE_authlab"), redis.url())
        // A restart right after start-up is what this file tests: no cooldown.
        .args(["--workers", "1", "--tool-cooldown", "0"])
        .env("AUTHLAB_TEACHER_PASSWORD", TEACHER_PASSWORD)
        .start()
        .await
        .expect("authlab demo starts")
}

/// The pid the restart lab page reports, once the server answers.
async fn server_pid(client: &Client) -> Option<u32> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let probe = reqwest::Client::new()
            .get(format!("{}/healthz", client.base()))
            .send()
            .await;
        if probe.is_ok() {
            let page = client.send(Method::GET, "/labs/restart", |r| r).await;
            let marker = "data-pid=\"";
            let start = page.body.find(marker)? + marker.len();
            let len = page.body[start..].find('"')?;
            return page.body[start..start + len].parse().ok();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn the_restart_lab_restarts_the_process_and_only_memory_logins_are_lost() {
    let redis = RedisServer::start().expect("redis");
    let demo = start_demo(&redis).await;
    let browser = Client::new(demo.base_url());
    let first_pid = server_pid(&browser).await.expect("the demo serves");
    let form = browser.send(Method::GET, "/jwt/login", |r| r).await;
    let csrf = extract_csrf_token(&form.body).expect("a CSRF field");
    for mount in login_mounts() {
        let login = browser
            .send(Method::POST, &format!("/{mount}/login"), |r| {
                r.form(&[
                    ("username", ALICE.0),
                    ("password", ALICE.1),
                    ("csrf", &csrf),
                ])
            })
            .await;
        assert_is_redirect_to(&login, &format!("/{mount}/dashboard"));
    }

    let teacher = browser
        .send(Method::POST, "/teacher/login", |r| {
            r.form(&[("password", TEACHER_PASSWORD), ("csrf", &csrf)])
        })
        .await;
    assert_is_redirect_to(&teacher, "/teacher");
    let pressed = browser
        .send(Method::POST, "/labs/restart", |r| {
            r.form(&[("csrf", &csrf)])
        })
        .await;
    let started = Instant::now();
    let mut second_pid = first_pid;
    while second_pid == first_pid && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        second_pid = server_pid(&browser).await.unwrap_or(first_pid);
    }

    assert_status(&pressed, 200);
    assert!(pressed.body.contains(r#"id="restarting""#));
    assert_ne!(second_pid, first_pid, "a new server process");
    assert_status(
        &browser.send(Method::GET, "/session/dashboard", |r| r).await,
        200,
    );
    assert_status(
        &browser.send(Method::GET, "/jwt/dashboard", |r| r).await,
        200,
    );
    assert_is_redirect_to(
        &browser.send(Method::GET, "/memory/dashboard", |r| r).await,
        "/memory/login",
    );
    // The new process tells the student why (the announcement outlived the old process).
    let told = browser.send(Method::GET, "/memory/login", |r| r).await;
    assert!(told.body.contains(r#"id="logged-out-by""#), "{}", told.body);
    assert!(told
        .body
        .contains("the teacher restarted the server: everyone on /memory was logged out"));
    let session = browser.send(Method::GET, "/session/login", |r| r).await;
    assert!(!session.body.contains(r#"id="logged-out-by""#));
}

#[tokio::test]
async fn sigterm_to_the_demo_stops_its_server_too() {
    let redis = RedisServer::start().expect("redis");
    let mut demo = start_demo(&redis).await;
    let browser = Client::new(demo.base_url());
    server_pid(&browser).await.expect("the demo serves");
    let address = demo.base_url().trim_start_matches("http://").to_owned();

    demo.terminate().expect("SIGTERM");
    let status = demo
        .wait_for_exit(Duration::from_secs(20))
        .await
        .expect("the demo exits");

    assert!(status.success(), "{status}");
    assert!(
        std::net::TcpStream::connect(&address).is_err(),
        "the supervised server stopped with the demo"
    );
}
