//! The classroom-network banner: over plain HTTP to a LAN address, `Secure` cookies would be
//! dropped by the browser, so the login and compare pages say so and name the flag.

use authlab_testkit::JWT;
use authlab_testkit::{RedisServer, TestApp};

const LAN_HOST: &str = "192.168.1.20:8080";

/// Test settings for a server that answers to the LAN address (its interface on a classroom
/// network; the host allowlist refuses any other name).
fn on_the_lan(redis: &RedisServer) -> authlab_web::Settings {
    authlab_web::Settings {
        allowed_hosts: vec!["192.168.1.20".to_owned()],
        ..TestApp::settings_for(&redis.url())
    }
}

#[tokio::test]
async fn a_lan_address_over_http_gets_the_banner_with_the_flag_that_fixes_it() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(on_the_lan(&redis)).await;

    let login = app
        .get_with_headers("/session/login", &[("host", LAN_HOST)])
        .await;
    let compare = app.get_with_headers("/", &[("host", LAN_HOST)]).await;

    for page in [&login, &compare] {
        assert!(page.body.contains("id=\"lan-warning\""), "{}", page.body);
        assert!(page.body.contains("--insecure-cookies"));
        assert!(page.body.contains("AUTHLAB_INSECURE_COOKIES=1"));
        assert!(page.body.contains(LAN_HOST));
    }
}

#[tokio::test]
async fn localhost_and_insecure_cookies_get_no_banner() {
    let redis = RedisServer::start().expect("redis");
    let secure = TestApp::spawn_with(on_the_lan(&redis)).await;
    let relaxed = TestApp::spawn_with(authlab_web::Settings {
        insecure_cookies: true,
        ..on_the_lan(&redis)
    })
    .await;

    let on_loopback = secure.get_login(JWT).await;
    let on_localhost_name = secure
        .get_with_headers("/jwt/login", &[("host", "localhost:8080")])
        .await;
    let relaxed_on_lan = relaxed
        .get_with_headers("/jwt/login", &[("host", LAN_HOST)])
        .await;

    for page in [&on_loopback, &on_localhost_name, &relaxed_on_lan] {
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("id=\"lan-warning\""));
    }
}
