//! The real `authlab` binary as a process: killed with SIGKILL and started again, refusing bad
//! configuration at start-up with a clear message.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use authlab_procs::{AppCommand, AppProcess};
use authlab_testkit::{extract_csrf_token, RedisServer, ALICE};

/// The binary under test with `/session` on `redis` and its keys in `data_dir`, on a port it
/// picks itself.
fn authlab(redis: &RedisServer, data_dir: &Path) -> AppCommand {
    AppCommand::serve(env!("CARGO_BIN_EXE_authlab"), redis.url())
        .data_dir(data_dir)
        .env("AUTHLAB_WORKERS", "1")
}

async fn start(redis: &RedisServer, data_dir: &Path) -> AppProcess {
    authlab(redis, data_dir)
        .start()
        .await
        .expect("the authlab binary starts")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authlab-bin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Log in through the form, as a browser would (fetch the form for its CSRF cookie and token
/// first), and return the `name=value` of the login cookie.
async fn log_in(base: &str, mount: &str) -> String {
    let form = client()
        .get(format!("{base}/{mount}/login"))
        .send()
        .await
        .expect("login form");
    let csrf_cookie = cookie_pair(&form, "authlab_csrf");
    let token = extract_csrf_token(&form.text().await.expect("body")).expect("a CSRF field");
    let response = client()
        .post(format!("{base}/{mount}/login"))
        .header("cookie", csrf_cookie)
        .form(&[
            ("username", ALICE.0),
            ("password", ALICE.1),
            ("csrf", &token),
        ])
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), 303);
    cookie_pair(&response, &format!("authlab_{mount}"))
}

/// `name=value` of the cookie `name` set by a response.
fn cookie_pair(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_owned()
}

async fn me_status(base: &str, mount: &str, cookie: &str) -> u16 {
    client()
        .get(format!("{base}/{mount}/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn after_kill_9_and_a_new_start_redis_sessions_and_jwts_survive_and_memory_sessions_do_not() {
    let redis = RedisServer::start().expect("redis");
    let data_dir = temp_dir("restart");
    let mut server = start(&redis, &data_dir).await;
    let base = server.base_url();
    let session = log_in(&base, "session").await;
    let memory = log_in(&base, "memory").await;
    let jwt = log_in(&base, "jwt").await;

    server.kill();
    server
        .start_again()
        .await
        .expect("starts again on its port");

    assert_eq!(me_status(&base, "session", &session).await, 200);
    assert_eq!(me_status(&base, "jwt", &jwt).await, 200);
    assert_eq!(me_status(&base, "memory", &memory).await, 401);
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[test]
fn a_short_jwt_secret_is_refused_at_start_up_with_a_clear_message() {
    let output = AppCommand::serve(env!("CARGO_BIN_EXE_authlab"), "redis://127.0.0.1:1")
        .data_dir(temp_dir("short"))
        .env("AUTHLAB_JWT_SECRET", "too-short")
        .output()
        .expect("the binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("at least 32 bytes"), "stderr: {stderr}");
    assert!(
        !stderr.contains("too-short"),
        "the secret must not be echoed: {stderr}"
    );
}

#[test]
fn a_bad_port_is_refused_by_the_command_line() {
    let output = AppCommand::serve(env!("CARGO_BIN_EXE_authlab"), "redis://127.0.0.1:1")
        .args(["--port", "not-a-port"])
        .output()
        .expect("the binary runs");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port"));
}

#[tokio::test]
async fn a_rejected_token_is_logged_with_its_reason_at_warn_level_but_never_the_token() {
    let redis = RedisServer::start().expect("redis");
    let data_dir = temp_dir("log");
    let mut server = start(&redis, &data_dir).await;
    let forged =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLW5vYm9keQ";

    let status = client()
        .get(format!("{}/jwt/api/me", server.base_url()))
        .bearer_auth(forged)
        .send()
        .await
        .expect("request")
        .status();
    server.kill();

    let log = server.log();
    assert_eq!(status, 401);
    let line = log
        .lines()
        .find(|l| l.contains("JWT rejected"))
        .unwrap_or_else(|| panic!("no rejection in the log: {log}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("bad_signature"), "{line}");
    assert!(
        !log.contains("c2lnbmF0dXJlLW9mLW5vYm9keQ"),
        "the token leaked into the log"
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_then_exits_0() {
    let redis = RedisServer::start().expect("redis");
    let data_dir = temp_dir("sigterm");
    let mut server = start(&redis, &data_dir).await;
    let base = server.base_url();
    // Logins take tens of milliseconds each (argon2id): several are in flight at once.
    let logins: Vec<_> = (0..6)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move {
                client()
                    .post(format!("{base}/jwt/api/login"))
                    .json(&serde_json::json!({ "username": ALICE.0, "password": ALICE.1 }))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().expect("running").to_string()])
        .status()
        .expect("kill runs");
    let mut statuses = Vec::new();
    for login in logins {
        statuses.push(login.await.expect("task"));
    }
    let exit = server.wait_for_exit(Duration::from_secs(10)).await;

    assert!(killed.success());
    for status in statuses {
        assert_eq!(status.expect("the in-flight request was answered"), 200);
    }
    assert_eq!(exit.map(|s| s.code()), Some(Some(0)), "exit status");
    let _ = std::fs::remove_dir_all(&data_dir);
}
