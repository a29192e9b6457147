//! Hardening II on the real app: cookies that survive their neighbours on every mount, slow
//! bodies cut, `HEAD` answered, made-up walkthrough ids ignored, the `/memory` inspector showing
//! only your own record, and the flush lab saying which logouts it undid.

use std::time::{Duration, Instant};

use authlab_testkit::{assert_status, RedisServer, TestApp, ALICE, BOB};
use authlab_testkit::{MountSlug, JWT, MEMORY};
use reqwest::header::{HeaderValue, COOKIE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::for_each_mount;

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The neighbours another app on this host can leave in our `Cookie` header.
fn neighbours(mount: MountSlug) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("a Latin-1 byte", b"pref=caf\xe9".to_vec()),
        ("an empty name", b"=orphan".to_vec()),
        ("no =", b"lonely".to_vec()),
        (
            "our name from another path",
            format!("authlab_{mount}=tossed").into_bytes(),
        ),
    ]
}

async fn a_valid_cookie_survives_each_neighbour(mount: MountSlug) {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(mount, ALICE).await;
    let ours = app
        .jar()
        .header_for(&format!("/{mount}/dashboard"))
        .expect("cookies");

    for (what, neighbour) in neighbours(mount) {
        // The neighbour comes first, as a more specific path's cookie does.
        let mut header = neighbour;
        header.extend_from_slice(b"; ");
        header.extend_from_slice(ours.as_bytes());
        let response = raw_client()
            .get(format!("{}/{mount}/dashboard", app.base_url()))
            .header(COOKIE, HeaderValue::from_bytes(&header).expect("obs-text"))
            .send()
            .await
            .expect("answered");
        let status = response.status();
        let removals: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with(&format!("authlab_{mount}=")))
            .map(str::to_owned)
            .collect();

        assert_eq!(status, 200, "beside {what}");
        assert!(removals.is_empty(), "beside {what}: {removals:?}");
    }
}

async fn a_login_works_beside_a_latin1_neighbour(mount: MountSlug) {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let token = app.csrf_token().await;
    let seed = app.jar().get("authlab_csrf").expect("a CSRF seed");
    let header = [b"pref=caf\xe9; authlab_csrf=".as_slice(), seed.as_bytes()].concat();

    let response = raw_client()
        .post(format!("{}/{mount}/login", app.base_url()))
        .header(COOKIE, HeaderValue::from_bytes(&header).expect("obs-text"))
        .form(&[
            ("username", "alice"),
            ("password", "wonderland"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .expect("answered");

    assert_eq!(response.status(), 303);
}

for_each_mount!(
    a_valid_cookie_survives_each_neighbour,
    a_login_works_beside_a_latin1_neighbour
);

#[tokio::test]
async fn a_body_sent_at_one_byte_a_second_is_cut_within_ten_seconds() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let address = app.base_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "POST /jwt/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: \
         application/x-www-form-urlencoded\r\nContent-Length: 60\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..60 {
            if writer.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });

    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    trickle.abort();

    assert!(read.is_ok(), "the connection was still open after 10 s");
    assert!(started.elapsed() < Duration::from_secs(10));
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn head_is_answered_wherever_get_is() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let http = raw_client();

    for path in ["/", "/labs", "/jwt/login", "/session/login", "/walkthrough"] {
        let get = app.get(path).await;
        let head = http
            .head(format!("{}{path}", app.base_url()))
            .send()
            .await
            .expect("answered");

        assert_eq!(head.status(), get.status, "{path}");
        assert!(head.bytes().await.expect("body").is_empty(), "{path}");
    }
    let missing = http
        .head(format!("{}/no/such/page", app.base_url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn made_up_browser_ids_do_not_empty_another_browsers_walkthrough() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.get("/jwt/login").await;
    app.log_in(JWT, BOB).await;
    let http = raw_client();

    // More made-up ids than the recorder keeps browsers (200).
    for n in 0..201u32 {
        let id = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            [n.to_be_bytes(), [0; 4], [1; 4], [2; 4]].concat(),
        );
        let response = http
            .get(format!("{}/jwt/login", app.base_url()))
            .header(COOKIE, format!("authlab_browser={id}"))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), 200);
    }
    let page = app.get("/walkthrough").await;

    assert_status(&page, 200);
    assert!(
        page.body.contains("POST /jwt/login HTTP/1.1"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_memory_inspector_shows_your_record_and_only_counts_the_others() {
    let redis = RedisServer::start().expect("redis");
    let alice = TestApp::spawn(&redis).await;
    alice.log_in(MEMORY, ALICE).await;
    // Bob, in another browser on the same server.
    let other = raw_client();
    let form = other
        .get(format!("{}/memory/login", alice.base_url()))
        .send()
        .await
        .expect("form");
    let seed = authlab_testkit::set_cookie_pair(form.headers(), "authlab_csrf").expect("seed");
    let token =
        authlab_testkit::extract_csrf_token(&form.text().await.expect("body")).expect("token");
    let login = other
        .post(format!("{}/memory/login", alice.base_url()))
        .header(COOKIE, &seed)
        .form(&[
            ("username", "bob"),
            ("password", "builder"),
            ("csrf", &token),
        ])
        .send()
        .await
        .expect("bob logs in");
    let bob_cookie = authlab_testkit::set_cookie_pair(login.headers(), "authlab_memory")
        .expect("bob's session cookie");
    let bobs_page = other
        .get(format!("{}/memory/dashboard", alice.base_url()))
        .header(COOKIE, format!("{seed}; {bob_cookie}"))
        .send()
        .await
        .expect("bob's dashboard")
        .text()
        .await
        .expect("body");
    let bobs_key = between(&bobs_page, "record-key\">", "<")
        .expect("bob sees his record")
        .to_owned();

    let page = alice.get_dashboard(MEMORY).await;

    assert_status(&page, 200);
    assert!(page.body.contains("Your record"));
    assert!(
        !page.body.contains(&bobs_key),
        "bob's session id is shown to alice"
    );
    assert!(!page.body.contains("Another login's record"));
    assert_eq!(
        between(&page.body, "id=\"record-count\"><strong>", "</strong>"),
        Some("2")
    );
}

#[tokio::test]
async fn the_flush_lab_says_how_many_logged_out_tokens_came_back() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(authlab_web::Settings {
        jwt_denylist: true,
        ..TestApp::settings_for(&redis.url())
    })
    .await;
    app.log_in(JWT, ALICE).await;
    app.post_logout(JWT).await;
    app.log_in_as_teacher().await;
    let token = app.csrf_token().await;

    let page = app
        .post_form_as_is("/labs/flush", &[("csrf", &token)], &[])
        .await;

    assert_status(&page, 200);
    assert_eq!(between(&page.body, "data-revived=\"", "\""), Some("1"));
    assert!(page.body.contains("1 logged-out JWT became valid again"));
}

/// Six wrong passwords for alice, each claiming to come from `forwarded_for`; the statuses.
async fn six_guesses_claiming(app: &TestApp, forwarded_for: &str) -> Vec<u16> {
    let http = raw_client();
    let mut statuses = Vec::new();
    for n in 0..6 {
        let response = http
            .post(format!("{}/jwt/api/login", app.base_url()))
            .header("x-forwarded-for", forwarded_for)
            .json(&serde_json::json!({ "username": "alice", "password": format!("guess-{n}") }))
            .send()
            .await
            .expect("answered");
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn x_forwarded_for_counts_only_behind_a_trusted_proxy() {
    let redis = RedisServer::start().expect("redis");
    let direct = TestApp::spawn(&redis).await;
    let proxied = TestApp::spawn_with(authlab_web::Settings {
        trusted_proxy: vec![std::net::IpAddr::from([127, 0, 0, 1])],
        ..TestApp::settings_for(&redis.url())
    })
    .await;

    let direct_first = six_guesses_claiming(&direct, "10.0.0.1").await;
    let direct_second = six_guesses_claiming(&direct, "10.0.0.2").await;
    let proxied_first = six_guesses_claiming(&proxied, "10.0.0.1").await;
    let proxied_second = six_guesses_claiming(&proxied, "10.0.0.2").await;

    // The documented limit: 5 failures per (account, address).
    let limited = [401, 401, 401, 401, 401, 429];
    assert_eq!(direct_first, limited);
    assert_eq!(
        direct_second, [429; 6],
        "without a trusted proxy a made-up X-Forwarded-For changes nothing"
    );
    assert_eq!(proxied_first, limited);
    assert_eq!(
        proxied_second, limited,
        "behind the proxy each client address is counted on its own"
    );
}
