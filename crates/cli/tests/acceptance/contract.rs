//! The URL contract, row by row, against every mount.

use authlab_testkit::{
    assert_body_contains, assert_client_error, assert_is_redirect_to, assert_status, Backing,
    RedisServer, TestApp, ALICE, BOB,
};
use authlab_testkit::{MountSlug, BASELINE, JWT};

crate::for_each_mount!(
    and_session_on_a_redis_cluster:
    the_login_form_names_the_mount_and_the_demo_accounts,
    the_right_password_leads_to_the_dashboard,
    a_wrong_password_shows_the_form_again_without_a_login,
    an_unknown_user_gets_the_same_answer_as_a_wrong_password,
    the_dashboard_names_the_user_and_the_role,
    an_anonymous_visitor_is_sent_to_the_login_form,
    the_admin_page_is_for_admins_only,
    logout_ends_the_login_and_goes_back_to_the_form,
    the_api_login_answers_json,
    the_api_knows_who_is_calling,
    the_auth_cookie_is_httponly_samesite_secure_and_scoped,
    a_garbage_auth_cookie_is_treated_as_anonymous,
    incomplete_or_oversized_forms_are_client_errors,
    authenticated_pages_are_not_cached,
);

/// The app, and the private Redis it runs on (`None` on a shared cluster).
async fn app(backing: &Backing) -> (Option<RedisServer>, TestApp) {
    TestApp::spawn_on(backing).await
}

async fn the_login_form_names_the_mount_and_the_demo_accounts(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let response = app.get_login(mount).await;

    assert_status(&response, 200);
    assert_body_contains(&response, &format!("/{mount}"));
    assert_body_contains(&response, "alice");
    assert_body_contains(&response, "wonderland");
    assert_body_contains(&response, "bob");
}

async fn the_right_password_leads_to_the_dashboard(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let response = app.post_login(mount, ALICE.0, ALICE.1).await;

    assert_is_redirect_to(&response, &format!("/{mount}/dashboard"));
    assert!(app.jar().get(&TestApp::auth_cookie_name(mount)).is_some());
}

async fn a_wrong_password_shows_the_form_again_without_a_login(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let response = app.post_login(mount, ALICE.0, "not-the-password").await;

    assert_status(&response, 200);
    assert_body_contains(&response, "Wrong username or password.");
    assert_body_contains(&response, "<form");
    assert!(response
        .set_cookie(&TestApp::auth_cookie_name(mount))
        .is_none());
    assert_is_redirect_to(&app.get_dashboard(mount).await, &format!("/{mount}/login"));
}

async fn an_unknown_user_gets_the_same_answer_as_a_wrong_password(
    mount: MountSlug,
    backing: Backing,
) {
    let (_redis, app) = app(&backing).await;

    let unknown = app.post_login(mount, "mallory", "wonderland").await;
    let wrong = app.post_login(mount, "mallory", "other").await;

    assert_status(&unknown, 200);
    assert_eq!(unknown.body, wrong.body);
    assert!(unknown.set_cookies.is_empty());
}

async fn the_dashboard_names_the_user_and_the_role(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;
    app.log_in(mount, BOB).await;

    let response = app.get_dashboard(mount).await;

    assert_status(&response, 200);
    assert_body_contains(&response, r#"<strong id="username">bob</strong>"#);
    assert_body_contains(&response, r#"<strong id="role">user</strong>"#);
}

async fn an_anonymous_visitor_is_sent_to_the_login_form(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let dashboard = app.get_dashboard(mount).await;
    let admin = app.get_admin(mount).await;

    assert_is_redirect_to(&dashboard, &format!("/{mount}/login"));
    assert_is_redirect_to(&admin, &format!("/{mount}/login"));
}

async fn the_admin_page_is_for_admins_only(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;
    app.log_in(mount, BOB).await;

    let as_bob = app.get_admin(mount).await;
    app.post_logout(mount).await;
    app.log_in(mount, ALICE).await;
    let as_alice = app.get_admin(mount).await;

    assert_status(&as_bob, 403);
    assert_body_contains(&as_bob, "authorization");
    assert_status(&as_alice, 200);
    assert_body_contains(&as_alice, "Admin area");
}

async fn logout_ends_the_login_and_goes_back_to_the_form(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;
    app.log_in(mount, ALICE).await;

    let response = app.post_logout(mount).await;

    assert_is_redirect_to(&response, &format!("/{mount}/login"));
    assert!(app.jar().get(&TestApp::auth_cookie_name(mount)).is_none());
    assert_is_redirect_to(&app.get_dashboard(mount).await, &format!("/{mount}/login"));
}

async fn the_api_login_answers_json(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let good = app.api_login(mount, ALICE.0, ALICE.1).await;
    let bad = app.api_login(mount, ALICE.0, "nope").await;

    assert_status(&good, 200);
    let body = good.json();
    assert_eq!(body["username"], "alice");
    assert_eq!(body["role"], "admin");
    if mount == JWT {
        assert_eq!(
            body["token"].as_str().map(|t| t.split('.').count()),
            Some(3)
        );
        assert_eq!(body["token_type"], "Bearer");
    }
    assert_status(&bad, 401);
    assert_eq!(bad.json()["error"], "wrong_credentials");
}

async fn the_api_knows_who_is_calling(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let anonymous = app.api_me(mount, None).await;
    let login = app.api_login(mount, BOB.0, BOB.1).await.json();
    let me = app.api_me(mount, login["token"].as_str()).await;

    assert_status(&anonymous, 401);
    assert_eq!(anonymous.json()["error"], "unauthenticated");
    assert_status(&me, 200);
    assert_eq!(me.json()["username"], "bob");
    assert_eq!(me.json()["role"], "user");
    assert_eq!(me.json()["mount"], mount.as_str());
}

async fn the_auth_cookie_is_httponly_samesite_secure_and_scoped(
    mount: MountSlug,
    backing: Backing,
) {
    let (_redis, app) = app(&backing).await;

    let response = app.post_login(mount, ALICE.0, ALICE.1).await;

    let cookie = response
        .set_cookie(&TestApp::auth_cookie_name(mount))
        .expect("the login sets the mount's cookie");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(actix_web::cookie::SameSite::Lax));
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.path(), Some(format!("/{mount}").as_str()));
}

async fn a_garbage_auth_cookie_is_treated_as_anonymous(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;
    let name = TestApp::auth_cookie_name(mount);

    for garbage in ["", "garbage", "%%%", "a.b.c", &"x".repeat(3000)] {
        app.jar().set(&name, garbage);

        let dashboard = app.get_dashboard(mount).await;
        let me = app.api_me(mount, None).await;

        assert_eq!(
            dashboard.status.as_u16(),
            303,
            "cookie {garbage:?}: {}",
            dashboard.body
        );
        assert!(dashboard
            .header("location")
            .is_some_and(|l| l.starts_with(&format!("/{mount}/login"))));
        assert_status(&me, 401);
    }
}

async fn incomplete_or_oversized_forms_are_client_errors(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;

    let missing = app.post_login_form(mount, &[("username", "alice")]).await;
    let huge = app
        .post_login_form(
            mount,
            &[("username", "alice"), ("password", &"p".repeat(64 * 1024))],
        )
        .await;
    let not_utf8 = app
        .post_login_raw(
            mount,
            "application/x-www-form-urlencoded",
            b"username=%ff%fe&password=\xff".to_vec(),
        )
        .await;
    let wrong_type = app
        .post_login_raw(
            mount,
            "text/plain",
            b"username=alice&password=wonderland".to_vec(),
        )
        .await;
    let empty_json = app.api_login(mount, "", "").await;

    assert_status(&missing, 400);
    assert_status(&huge, 413);
    assert_status(&not_utf8, 400);
    assert_status(&wrong_type, 415);
    assert_client_error(&empty_json);
    assert!(
        app.jar().get(&TestApp::auth_cookie_name(mount)).is_none(),
        "no login for bad input: {:?}",
        app.jar().names()
    );
}

async fn authenticated_pages_are_not_cached(mount: MountSlug, backing: Backing) {
    let (_redis, app) = app(&backing).await;
    app.log_in(mount, ALICE).await;

    let dashboard = app.get_dashboard(mount).await;

    assert_eq!(dashboard.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn the_baseline_answers_through_the_same_handler_without_authentication() {
    let (_redis, app) = app(&Backing::PrivateRedis).await;

    let response = app.api_me(BASELINE, None).await;

    assert_status(&response, 200);
    assert_eq!(response.json()["mount"], "baseline");
    assert_eq!(response.json()["username"], "guest");
}

#[tokio::test]
async fn the_landing_page_links_every_mount() {
    let (_redis, app) = app(&Backing::PrivateRedis).await;

    let response = app.get_landing().await;

    assert_status(&response, 200);
    for mount in authlab_testkit::login_mounts() {
        assert_body_contains(&response, &format!("href=\"/{mount}/login\""));
    }
}

#[tokio::test]
async fn health_reports_redis_up() {
    let (_redis, app) = app(&Backing::PrivateRedis).await;

    let response = app.get_healthz().await;

    assert_status(&response, 200);
    assert_eq!(response.json()["redis"], "up");
}

#[tokio::test]
async fn unknown_paths_are_404_pages() {
    let (_redis, app) = app(&Backing::PrivateRedis).await;

    assert_status(&app.get("/nowhere").await, 404);
    assert_status(&app.get("/jwt/nowhere").await, 404);
}
