//! CSRF on every state-changing form, cross-site requests refused, and the headers that limit
//! what a page can do.

use authlab_testkit::{
    assert_body_contains, assert_is_redirect_to, assert_status, login_mounts, RedisServer, TestApp,
    ALICE,
};
use authlab_testkit::{JWT, SESSION};

async fn app() -> (RedisServer, TestApp) {
    let redis = RedisServer::start().expect("a private redis-server");
    let app = TestApp::spawn(&redis).await;
    (redis, app)
}

#[tokio::test]
async fn a_login_form_without_a_valid_token_is_refused() {
    let (_redis, app) = app().await;
    let _ = app.get_login(JWT).await; // the browser has its CSRF cookie

    for mount in login_mounts() {
        let path = format!("/{mount}/login");
        let none = app
            .post_form_as_is(&path, &[("username", ALICE.0), ("password", ALICE.1)], &[])
            .await;
        let wrong = app
            .post_form_as_is(
                &path,
                &[
                    ("username", ALICE.0),
                    ("password", ALICE.1),
                    ("csrf", "forged"),
                ],
                &[],
            )
            .await;

        assert_status(&none, 403);
        assert_status(&wrong, 403);
        assert_body_contains(&wrong, "security token");
        assert!(app.jar().get(&TestApp::auth_cookie_name(mount)).is_none());
    }
}

#[tokio::test]
async fn a_token_from_another_browser_does_not_fit_this_browsers_cookie() {
    let (_redis, app) = app().await;
    let attacker = app.another_instance().await;
    let attackers_token = attacker.csrf_token().await;
    let _ = app.get_login(JWT).await;

    let response = app
        .post_form_as_is(
            "/jwt/login",
            &[
                ("username", ALICE.0),
                ("password", ALICE.1),
                ("csrf", &attackers_token),
            ],
            &[],
        )
        .await;

    assert_status(&response, 403);
}

#[tokio::test]
async fn logout_needs_the_token_too() {
    let (_redis, app) = app().await;

    for mount in login_mounts() {
        app.log_in(mount, ALICE).await;

        let forged = app
            .post_form_as_is(&format!("/{mount}/logout"), &[], &[])
            .await;

        assert_status(&forged, 403);
        assert_status(&app.get_dashboard(mount).await, 200);
    }
}

#[tokio::test]
async fn unsafe_requests_from_another_site_are_refused_even_with_a_good_token() {
    let (_redis, app) = app().await;
    let token = app.csrf_token().await;
    let fields = [
        ("username", ALICE.0),
        ("password", ALICE.1),
        ("csrf", token.as_str()),
    ];

    let fetch_metadata = app
        .post_form_as_is("/jwt/login", &fields, &[("sec-fetch-site", "cross-site")])
        .await;
    let foreign_origin = app
        .post_form_as_is("/jwt/login", &fields, &[("origin", "http://evil.example")])
        .await;
    let own_origin = format!("http://{}", app.base_url().trim_start_matches("http://"));
    let same_site = app
        .post_form_as_is(
            "/jwt/login",
            &fields,
            &[
                ("origin", own_origin.as_str()),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;

    assert_status(&fetch_metadata, 403);
    assert_status(&foreign_origin, 403);
    assert_is_redirect_to(&same_site, "/jwt/dashboard");
}

/// What Chromium really sends for a form on our own page under `Referrer-Policy: no-referrer`.
#[tokio::test]
async fn a_same_origin_form_post_with_a_null_origin_is_accepted() {
    let (_redis, app) = app().await;
    let token = app.csrf_token().await;
    let fields = [
        ("username", ALICE.0),
        ("password", ALICE.1),
        ("csrf", token.as_str()),
    ];

    let browser_form = app
        .post_form_as_is(
            "/jwt/login",
            &fields,
            &[("origin", "null"), ("sec-fetch-site", "same-origin")],
        )
        .await;
    let null_origin_alone = app
        .post_form_as_is("/jwt/login", &fields, &[("origin", "null")])
        .await;

    assert_is_redirect_to(&browser_form, "/jwt/dashboard");
    assert_status(&null_origin_alone, 403);
}

#[tokio::test]
async fn cross_site_json_logins_are_refused() {
    let (_redis, app) = app().await;

    let response = app
        .post_form_as_is("/jwt/api/login", &[], &[("sec-fetch-site", "cross-site")])
        .await;

    assert_status(&response, 403);
}

#[tokio::test]
async fn every_page_carries_a_strict_content_security_policy() {
    let (_redis, app) = app().await;

    for path in [
        "/",
        "/jwt/login",
        "/session/login",
        "/memory/login",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        let csp = response
            .header("content-security-policy")
            .unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    }
}

#[tokio::test]
async fn the_csrf_cookie_is_httponly_and_strict() {
    let (_redis, app) = app().await;

    let response = app.get_login(JWT).await;

    let cookie = response.set_cookie("authlab_csrf").expect("a CSRF cookie");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(
        cookie.same_site(),
        Some(actix_web::cookie::SameSite::Strict)
    );
    assert_eq!(cookie.path(), Some("/"));
}

#[tokio::test]
async fn an_api_client_is_not_given_a_csrf_cookie_but_every_page_visitor_is() {
    // Arrange: an API client that never visited a page.
    let (_redis, app) = app().await;
    let login = app.api_login(SESSION, ALICE.0, ALICE.1).await;

    // Act
    let me = app.api_me(SESSION, None).await;
    let landing = app.get_landing().await;

    // Assert: the API answers without the seed (it submits no form); the first page sets it.
    assert_status(&me, 200);
    assert!(login.set_cookie("authlab_csrf").is_none());
    assert!(me.set_cookie("authlab_csrf").is_none());
    assert!(landing.set_cookie("authlab_csrf").is_some());
}

#[tokio::test]
async fn logout_asks_the_browser_to_clear_cached_pages() {
    let (_redis, app) = app().await;
    app.log_in(JWT, ALICE).await;

    let response = app.post_logout(JWT).await;

    assert!(response
        .header("clear-site-data")
        .is_some_and(|v| v.contains("\"cache\"")));
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_without_locking_the_owner_out() {
    let (_redis, mut app) = app().await;
    for _ in 0..5 {
        let wrong = app.post_login(JWT, ALICE.0, "guess").await;
        assert_status(&wrong, 200);
    }

    let throttled_form = app.post_login(JWT, ALICE.0, ALICE.1).await;
    let throttled_api = app.api_login(SESSION, ALICE.0, "guess").await;
    app.become_another_browser_at(std::net::IpAddr::from([127, 0, 0, 2]));
    let owner = app.post_login(JWT, ALICE.0, ALICE.1).await;

    assert_status(&throttled_form, 429);
    assert!(throttled_form.header("retry-after").is_some());
    assert_status(&throttled_api, 429);
    assert_eq!(throttled_api.json()["error"], "throttled");
    assert_is_redirect_to(&owner, "/jwt/dashboard");
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_cannot_be_told_apart_by_a_stopwatch() {
    let (_redis, app) = app().await;
    let mut wrong_password = Vec::new();
    let mut unknown_user = Vec::new();

    // Alternate the two kinds so that load on the machine hits both alike; stay under the
    // throttle's limits (4 failures per account, 16 per address).
    for n in 0..8 {
        let known = if n % 2 == 0 { ALICE.0 } else { "bob" };
        let started = std::time::Instant::now();
        let a = app.api_login(JWT, known, "wrong-password").await;
        wrong_password.push(started.elapsed());
        let started = std::time::Instant::now();
        let b = app
            .api_login(JWT, &format!("ghost{n}"), "wrong-password")
            .await;
        unknown_user.push(started.elapsed());
        assert_eq!(
            (a.status, a.body),
            (b.status, b.body),
            "same status and body"
        );
    }

    // The fastest of several runs: load on the machine only ever adds time, so the minimum is
    // the steadiest estimate of what the server itself spends.
    let fastest =
        |v: Vec<std::time::Duration>| v.into_iter().min().unwrap_or_default().as_secs_f64();
    let ratio = fastest(unknown_user) / fastest(wrong_password);
    // Without the dummy hash an unknown user answers ~100x faster; noise stays far inside 2x.
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown/wrong time ratio {ratio:.2}"
    );
}
