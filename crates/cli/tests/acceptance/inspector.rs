//! The inspector and `Server-Timing`, over HTTP: what each mount says it holds, checked against
//! the store itself, and what authenticating a request cost.

use authlab_testkit::{
    assert_is_redirect_to, assert_status, login_mounts, RedisServer, TestApp, ALICE,
};
use authlab_testkit::{MountSlug, JWT, MEMORY, SESSION};

/// The `desc` each mount's authentication reports, i.e. where the work happens.
fn expected_step(mount: MountSlug) -> &'static str {
    match mount {
        SESSION => "redis MGET",
        MEMORY => "in-process map lookup",
        _ => "HS256 verify",
    }
}

#[tokio::test]
async fn every_authenticated_response_says_what_authentication_cost() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    for mount in login_mounts() {
        app.log_in(mount, ALICE).await;

        let dashboard = app.get_dashboard(mount).await;
        let api = app.api_me(mount, None).await;
        let anonymous_page = app.get("/").await;

        assert_status(&dashboard, 200);
        for response in [&dashboard, &api] {
            let header = response
                .header("server-timing")
                .unwrap_or_else(|| panic!("/{mount}: no Server-Timing header"));
            let step = expected_step(mount);
            assert!(
                header.contains(&format!("desc=\"{step}\"")),
                "/{mount}: {header}"
            );
            let duration: f64 = header
                .split("dur=")
                .nth(1)
                .and_then(|rest| rest.split(';').next())
                .and_then(|ms| ms.parse().ok())
                .unwrap_or_else(|| panic!("/{mount}: no dur= in {header}"));
            assert!(duration > 0.0 && duration < 5_000.0, "{header}");
        }
        assert!(
            dashboard.body.contains(expected_step(mount)),
            "the dashboard shows the same step as the header"
        );
        assert_eq!(anonymous_page.header("server-timing"), None);
    }
}

#[tokio::test]
async fn the_session_inspector_shows_the_record_that_redis_really_holds() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, ALICE).await;

    let page = app.get_dashboard(SESSION).await;

    let key = between(&page.body, "<code class=\"value record-key\">", "</code>")
        .expect("a record key on the page");
    assert!(key.starts_with("authlab:session:"), "{key}");
    let shown = unescape(
        between(&page.body, "<code class=\"value record-value\">", "</code>").expect("a value"),
    );
    assert!(shown.contains("alice"), "{shown}");
    assert_eq!(
        redis.integer(&format!("STRLEN {key}")).expect("STRLEN"),
        i64::try_from(shown.len()).expect("small"),
        "the page shows the value Redis holds"
    );
    let ttl = redis.integer(&format!("TTL {key}")).expect("TTL");
    assert!(ttl > 0, "the record has a TTL in Redis");
    assert!(page.body.contains("live sessions in Redis"));
    assert!(page.body.contains("authlab_session"));
}

#[tokio::test]
async fn the_jwt_inspector_shows_the_token_taken_apart_and_nothing_stored() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(JWT, ALICE).await;
    let cookie = app
        .jar()
        .get(&TestApp::auth_cookie_name(JWT))
        .expect("the token cookie");

    let page = app.get_dashboard(JWT).await;

    let header = between(&page.body, "id=\"token-header\">", "</span>").expect("header part");
    let payload = between(&page.body, "id=\"token-payload\">", "</span>").expect("payload part");
    let signature =
        between(&page.body, "id=\"token-signature\">", "</span>").expect("signature part");
    assert_eq!(format!("{header}.{payload}.{signature}"), cookie);
    let body = unescape(&page.body);
    assert!(body.contains(r#""alg": "HS256""#), "decoded header");
    assert!(body.contains(r#""sub": "alice""#), "decoded payload");
    assert!(page.body.contains("id=\"store\">nothing</span>"));
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// Undo askama's HTML escaping, to compare shown text with stored bytes.
fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn with_the_denylist_on_the_jwt_inspector_counts_revoked_tokens() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn_with(authlab_web::Settings {
        jwt_denylist: true,
        ..TestApp::settings_for(&redis.url())
    })
    .await;
    app.log_in(JWT, ALICE).await;
    assert_is_redirect_to(&app.post_logout(JWT).await, "/jwt/login");
    app.log_in(JWT, ALICE).await;

    let page = app.get_dashboard(JWT).await;

    assert_status(&page, 200);
    assert!(page.body.contains("Redis (denylist)"));
    assert!(
        page.body.contains("<strong>1</strong> revoked token ids"),
        "the one token logged out is on the list"
    );
    assert!(
        page.header("server-timing")
            .is_some_and(|h| h.contains("denylist")),
        "the denylist lookup is part of what authentication cost"
    );
}

#[tokio::test]
async fn a_login_says_what_the_password_check_cost() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let response = app.post_login(JWT, ALICE.0, ALICE.1).await;

    assert_is_redirect_to(&response, "/jwt/dashboard");
    let header = response.header("server-timing").expect("Server-Timing");
    assert!(
        header.starts_with("password;dur=") && header.contains("desc=\"argon2id verify\""),
        "{header}"
    );
}
