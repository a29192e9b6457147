//! The real `authlab` binary as a process: killed with SIGKILL and started again, refusing bad
//! configuration at start-up with a clear message.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use authlab_testkit::{extract_csrf_token, RedisServer, ALICE};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(redis: &RedisServer, data_dir: &Path, port: u16) -> Server {
        Self::start_logging_to(redis, data_dir, port, Stdio::null())
    }

    fn start_logging_to(
        redis: &RedisServer,
        data_dir: &Path,
        port: u16,
        log: impl Into<Stdio>,
    ) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_authlab"))
            .arg("serve")
            .env("AUTHLAB_PORT", port.to_string())
            .env("AUTHLAB_REDIS_URL", redis.url())
            .env("AUTHLAB_DATA_DIR", data_dir)
            .env("AUTHLAB_WORKERS", "1")
            .env_remove("AUTHLAB_JWT_SECRET")
            .env_remove("AUTHLAB_LOG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the authlab binary starts");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_up();
        server
    }

    fn wait_until_up(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if std::net::TcpStream::connect(self.base.trim_start_matches("http://")).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("authlab did not listen on {} within 20 s", self.base);
    }

    fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
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
    let port = free_port();
    let mut server = Server::start(&redis, &data_dir, port);
    let session = log_in(&server.base, "session").await;
    let memory = log_in(&server.base, "memory").await;
    let jwt = log_in(&server.base, "jwt").await;

    server.kill_9();
    let server = Server::start(&redis, &data_dir, port);

    assert_eq!(me_status(&server.base, "session", &session).await, 200);
    assert_eq!(me_status(&server.base, "jwt", &jwt).await, 200);
    assert_eq!(me_status(&server.base, "memory", &memory).await, 401);
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[test]
fn a_short_jwt_secret_is_refused_at_start_up_with_a_clear_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_authlab"))
        .arg("serve")
        .env("AUTHLAB_JWT_SECRET", "too-short")
        .env("AUTHLAB_PORT", "0")
        .env("AUTHLAB_DATA_DIR", temp_dir("short"))
        .env("AUTHLAB_NO_PRIVATE_REDIS", "1")
        .env("AUTHLAB_REDIS_URL", "redis://127.0.0.1:1")
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
    let output = Command::new(env!("CARGO_BIN_EXE_authlab"))
        .args(["serve", "--port", "not-a-port"])
        .output()
        .expect("the binary runs");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port"));
}

#[tokio::test]
async fn a_rejected_token_is_logged_with_its_reason_at_warn_level_but_never_the_token() {
    let redis = RedisServer::start().expect("redis");
    let data_dir = temp_dir("log");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let log_path = data_dir.join("stderr.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let server = Server::start_logging_to(&redis, &data_dir, free_port(), log);
    let forged =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLW5vYm9keQ";

    let status = client()
        .get(format!("{}/jwt/api/me", server.base))
        .bearer_auth(forged)
        .send()
        .await
        .expect("request")
        .status();
    drop(server);

    let log = std::fs::read_to_string(&log_path).expect("log");
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
    let mut server = Server::start(&redis, &data_dir, free_port());
    let base = server.base.clone();
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

    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    let mut statuses = Vec::new();
    for login in logins {
        statuses.push(login.await.expect("task"));
    }
    let exit = wait_for_exit(&mut server.child, Duration::from_secs(10));

    assert!(killed.success());
    for status in statuses {
        assert_eq!(status.expect("the in-flight request was answered"), 200);
    }
    assert_eq!(exit.map(|s| s.code()), Some(Some(0)), "exit status");
    let _ = std::fs::remove_dir_all(&data_dir);
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}
