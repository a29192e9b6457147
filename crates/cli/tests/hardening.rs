//! Hardening II against the real `authlab` binary: login floods with a memory bound, the throttle
//! under simultaneous guesses, the host allowlist, secrets that never reach a page or the log,
//! weak JWT secrets and shared key files refused or warned about at start-up.
//!
//! Loopback only; every test is bounded in requests and in time.

use std::{
    net::{IpAddr, TcpListener},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use authlab_testkit::{extract_csrf_token, RedisServer, TEACHER_PASSWORD};

/// The environment that makes the tools pressable by [`visitor_tour`].
const TEACHER: &[(&str, &str)] = &[("AUTHLAB_TEACHER_PASSWORD", TEACHER_PASSWORD)];

#[path = "common/measured.rs"]
mod measured;
use reqwest::StatusCode;

struct Server {
    child: Child,
    base: String,
    port: u16,
    log: PathBuf,
    data_dir: PathBuf,
}

impl Server {
    fn start(name: &str, redis_url: &str, env: &[(&str, &str)]) -> Server {
        Self::start_in(temp_dir(name), redis_url, env)
    }

    /// Start with `data_dir` as it is (keys already there are used).
    fn start_in(data_dir: PathBuf, redis_url: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let log = data_dir.join("stderr.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_authlab"));
        command
            .arg("serve")
            .env("AUTHLAB_PORT", port.to_string())
            .env("AUTHLAB_REDIS_URL", redis_url)
            .env("AUTHLAB_DATA_DIR", &data_dir)
            .env("AUTHLAB_NO_PRIVATE_REDIS", "1")
            .env_remove("AUTHLAB_JWT_SECRET")
            .env_remove("AUTHLAB_LOG")
            .env_remove("AUTHLAB_WORKERS")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("the authlab binary starts");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            log,
            data_dir,
        };
        server.wait_until_up();
        server
    }

    fn wait_until_up(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("authlab did not listen on {} within 20 s", self.base);
    }

    /// `VmHWM` (peak) and `VmRSS` (now) of the server process, in MiB.
    fn memory_mib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse::<u64>().ok())
                .map(|kb| kb / 1024)
                .unwrap_or_else(|| panic!("no {name} in /proc status"))
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authlab-hard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn client_from(address: Option<IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(address)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn api_login(
    http: &reqwest::Client,
    base: &str,
    password: &str,
) -> Result<StatusCode, reqwest::Error> {
    let response = http
        .post(format!("{base}/jwt/api/login"))
        .json(&serde_json::json!({ "username": "alice", "password": password }))
        .send()
        .await?;
    let status = response.status();
    response.bytes().await?;
    Ok(status)
}

#[tokio::test]
async fn a_flood_of_correct_logins_is_answered_within_a_memory_bound() {
    let redis = RedisServer::start().expect("redis");
    let server = Server::start("flood", &redis.url(), &[]);
    let http = client_from(None);

    let flood: Vec<_> = (0..64)
        .map(|_| {
            let (http, base) = (http.clone(), server.base.clone());
            tokio::spawn(async move { api_login(&http, &base, "wonderland").await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let page_started = Instant::now();
    let page = http
        .get(format!("{}/jwt/login", server.base))
        .send()
        .await
        .expect("a page during the flood");
    let page_took = page_started.elapsed();
    let mut statuses = Vec::new();
    for login in flood {
        statuses.push(login.await.expect("joined").expect("answered, not reset"));
    }
    let (peak, _) = server.memory_mib();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (_, idle) = server.memory_mib();
    let count = |code: u16| statuses.iter().filter(|s| s.as_u16() == code).count();
    measured::record(
        "hardening-login-flood",
        &format!(
            "| 64 concurrent correct logins | figure |\n|---|---|\n| 200 / 429 / 503 | {} / {} / {} \
             |\n| peak resident memory | {peak} MiB |\n| resident after 10 s idle | {idle} MiB |\n\
             | a page during the flood | {} ms |\n",
            count(200),
            count(429),
            count(503),
            page_took.as_millis()
        ),
    );

    assert_eq!(page.status(), 200);
    assert!(
        page_took < Duration::from_secs(1),
        "page took {page_took:?}"
    );
    for status in &statuses {
        assert!(
            [200, 429, 503].contains(&status.as_u16()),
            "unexpected {status}"
        );
    }
    assert!(statuses.iter().any(|s| *s == 200), "{statuses:?}");
    assert!(peak <= 300, "peak resident memory {peak} MiB");
    assert!(idle <= 150, "resident memory {idle} MiB after 10 s idle");
}

#[tokio::test]
async fn thirty_students_logging_in_at_once_are_all_served_within_five_seconds() {
    let redis = RedisServer::start().expect("redis");
    let server = Server::start("class", &redis.url(), &[]);
    // Each student leaves from an address of their own (all of 127.0.0.0/8 is loopback).
    let students: Vec<_> = (0..30u8)
        .map(|n| client_from(Some(IpAddr::from([127, 0, 1, 10 + n]))))
        .collect();

    let started = Instant::now();
    let logins: Vec<_> = students
        .into_iter()
        .map(|http| {
            let base = server.base.clone();
            tokio::spawn(async move { api_login(&http, &base, "wonderland").await })
        })
        .collect();
    let mut statuses = Vec::new();
    for login in logins {
        statuses.push(login.await.expect("joined").expect("answered"));
    }
    let took = started.elapsed();

    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test]
async fn simultaneous_wrong_passwords_get_exactly_the_limit_of_401s() {
    let redis = RedisServer::start().expect("redis");
    let server = Server::start("race", &redis.url(), &[]);
    let http = client_from(None);

    let guesses: Vec<_> = (0..40)
        .map(|n| {
            let (http, base) = (http.clone(), server.base.clone());
            tokio::spawn(async move { api_login(&http, &base, &format!("guess-{n}")).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.expect("joined").expect("answered").as_u16());
    }

    let count = |code: u16| statuses.iter().filter(|s| **s == code).count();
    // The documented limit: 5 failures per (account, address) in the window.
    assert_eq!(count(401), 5, "{statuses:?}");
    assert_eq!(count(429), 35, "{statuses:?}");
}

#[tokio::test]
async fn a_foreign_host_is_refused_on_every_route_and_forwarded_hosts_are_ignored() {
    let redis = RedisServer::start().expect("redis");
    let server = Server::start("hosts", &redis.url(), &[]);
    let http = client_from(None);
    let foreign = format!("rebind.attacker.example:{}", server.port);
    let origin = format!("http://{foreign}");
    let gets = [
        "/",
        "/healthz",
        "/labs",
        "/labs/flush",
        "/walkthrough",
        "/session/login",
        "/memory/dashboard",
        "/jwt/api/me",
        "/assets/app.css",
        "/no/such/page",
    ];
    let posts = [
        "/labs/flush",
        "/labs/rotate",
        "/labs/roles",
        "/session/login",
        "/jwt/logout",
        "/jwt/api/login",
    ];

    let mut answers = Vec::new();
    for path in gets {
        let response = http
            .get(format!("{}{path}", server.base))
            .header("host", &foreign)
            .send()
            .await
            .expect("answered");
        answers.push((format!("GET {path}"), response.status().as_u16()));
    }
    for path in posts {
        let response = http
            .post(format!("{}{path}", server.base))
            .header("host", &foreign)
            .header("origin", &origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("csrf=x")
            .send()
            .await
            .expect("answered");
        answers.push((format!("POST {path}"), response.status().as_u16()));
    }
    let forwarded = http
        .get(format!("{}/walkthrough", server.base))
        .header("x-forwarded-host", "evil.example")
        .header("forwarded", "host=evil.example;proto=https")
        .send()
        .await
        .expect("answered");
    let forwarded_status = forwarded.status();
    let forwarded_body = forwarded.text().await.expect("body");

    for (request, status) in &answers {
        assert_eq!(*status, 421, "{request}");
    }
    assert_eq!(forwarded_status, 200);
    assert!(forwarded_body.contains(&format!("127.0.0.1:{}", server.port)));
    assert!(!forwarded_body.contains("evil.example"));
}

/// Visit every page a visitor can reach, and press the flush and rotate tools as the teacher
/// (the server must have `AUTHLAB_TEACHER_PASSWORD` = [`TEACHER_PASSWORD`]); the bodies.
async fn visitor_tour(base: &str) -> Vec<String> {
    let http = client_from(None);
    let form = http
        .get(format!("{base}/jwt/login"))
        .send()
        .await
        .expect("login form");
    let seed = authlab_testkit::set_cookie_pair(form.headers(), "authlab_csrf")
        .expect("a CSRF seed cookie");
    let token = extract_csrf_token(&form.text().await.expect("body")).expect("a CSRF token");
    let teacher = http
        .post(format!("{base}/teacher/login"))
        .header("cookie", &seed)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("password={TEACHER_PASSWORD}&csrf={token}"))
        .send()
        .await
        .expect("the teacher's login");
    let pass = authlab_testkit::set_cookie_pair(teacher.headers(), "authlab_teacher")
        .expect("the teacher's pass");
    let seed = format!("{seed}; {pass}");
    let mut bodies = Vec::new();
    for path in [
        "/",
        "/healthz",
        "/labs",
        "/labs/flush",
        "/labs/rotate",
        "/walkthrough",
        "/session/login",
        "/session/dashboard",
        "/session/api/me",
        "/memory/login",
        "/jwt/dashboard",
    ] {
        let response = http
            .get(format!("{base}{path}"))
            .header("cookie", &seed)
            .send()
            .await
            .expect("answered");
        bodies.push(response.text().await.expect("body"));
    }
    for (path, fields) in [
        ("/labs/flush", format!("csrf={token}")),
        ("/labs/rotate", format!("csrf={token}")),
        (
            "/session/login",
            format!("username=alice&password=wonderland&csrf={token}"),
        ),
    ] {
        let response = http
            .post(format!("{base}{path}"))
            .header("cookie", &seed)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(fields)
            .send()
            .await
            .expect("answered");
        bodies.push(response.text().await.expect("body"));
    }
    bodies
}

#[tokio::test]
async fn a_redis_password_in_the_query_string_never_reaches_the_log_or_a_page() {
    for parameter in ["pass", "password"] {
        let secret = format!("QuerySecret-{parameter}-4f9c2a");
        // No socket there: every Redis call fails, so every failure path logs and renders.
        let url = format!("redis+unix:///nonexistent/authlab-redis.sock?{parameter}={secret}");
        let server = Server::start(&format!("redact-{parameter}"), &url, TEACHER);

        let pages = visitor_tour(&server.base).await;
        let log = server.log_text();

        for page in &pages {
            assert!(!page.contains(&secret), "a page shows the password: {page}");
            assert!(
                !page.contains("redis+unix://"),
                "a page shows the Redis URL"
            );
            assert!(!page.contains("/nonexistent/"), "a page shows a path");
        }
        assert!(!log.is_empty(), "the failures were logged");
        assert!(!log.contains(&secret), "the log shows the password: {log}");
    }
}

#[tokio::test]
async fn no_page_shows_the_data_directory() {
    let redis = RedisServer::start().expect("redis");
    let server = Server::start("paths", &redis.url(), TEACHER);
    let data_dir = server.data_dir.display().to_string();
    // A directory where the key file was: the rotate lab cannot replace it (even as root), and
    // its error must not name the path.
    let key = server.data_dir.join("jwt-hs256.key");
    std::fs::remove_file(&key).expect("the generated key");
    std::fs::create_dir(&key).expect("a directory in its place");

    let pages = visitor_tour(&server.base).await;

    assert!(
        pages.iter().any(|p| p.contains("not rotated")),
        "the rotation failed"
    );
    for page in &pages {
        assert!(
            !page.contains(&data_dir),
            "a page shows the data directory: {page}"
        );
    }
}

#[test]
fn a_low_entropy_or_common_jwt_secret_is_refused_at_start_up_saying_why() {
    for (secret, reason) in [
        ("a".repeat(32), "distinct bytes"),
        (
            "a-string-secret-at-least-256-bits-long".to_owned(),
            "published default",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_authlab"))
            .arg("serve")
            .env("AUTHLAB_JWT_SECRET", &secret)
            .env("AUTHLAB_PORT", "0")
            .env("AUTHLAB_DATA_DIR", temp_dir("weak"))
            .env("AUTHLAB_NO_PRIVATE_REDIS", "1")
            .env("AUTHLAB_REDIS_URL", "redis://127.0.0.1:1")
            .output()
            .expect("the binary runs");

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains(reason), "stderr: {stderr}");
        assert!(!stderr.contains(&secret), "the secret is echoed: {stderr}");
    }
}

#[tokio::test]
async fn new_key_files_are_owner_only_and_a_shared_one_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let redis = RedisServer::start().expect("redis");
    let data_dir = temp_dir("modes");
    std::fs::create_dir_all(&data_dir).expect("dir");
    // A CSRF key copied carelessly: readable by everyone.
    let shared = data_dir.join("csrf.key");
    std::fs::write(
        &shared,
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm",
    )
    .expect("write");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let server = Server::start_in(data_dir, &redis.url(), &[]);

    let made = server.data_dir.join("jwt-hs256.key");
    let mode = std::fs::metadata(&made)
        .expect("generated")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let log = server.log_text();
    assert!(log.contains("readable by other users"), "{log}");
    assert!(log.contains("csrf.key"), "{log}");
}
