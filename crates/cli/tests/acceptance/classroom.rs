//! A classroom of thirty: the teacher's tools are the teacher's only, each is announced to
//! everybody, a student logged out by one is told why, every student has an account of their own,
//! and the login throttle fits a room behind one address.

use authlab_core::Role;
use authlab_testkit::{
    assert_body_contains, assert_is_redirect_to, assert_status, client::Client, extract_csrf_token,
    login_mounts, RedisServer, TestApp, TestResponse, ALICE, BOB, CLASS_CODE, JWT, MEMORY, SESSION,
    TEACHER_PASSWORD,
};
use reqwest::Method;

/// Every button that changes things for everybody, with the fields of one press.
const TOOLS: [(&str, &[(&str, &str)]); 7] = [
    ("/labs/restart", &[]),
    ("/labs/flush", &[]),
    ("/labs/rotate", &[("mode", "overlap")]),
    ("/labs/roles", &[("user", "bob"), ("role", "admin")]),
    ("/teacher/role", &[("user", "carol"), ("role", "admin")]),
    (
        "/teacher/password",
        &[("user", "carol"), ("password", "a-new-password")],
    ),
    ("/teacher/reset", &[]),
];

/// A second browser, driven by hand: post a form with its own CSRF token.
async fn press_as(browser: &Client, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let form = browser.send(Method::GET, "/jwt/login", |r| r).await;
    let csrf = extract_csrf_token(&form.body).expect("a CSRF field");
    let mut fields = fields.to_vec();
    fields.push(("csrf", &csrf));
    browser
        .send(Method::POST, path, move |r| r.form(&fields))
        .await
}

/// The teacher in a browser of their own.
async fn teacher_browser(app: &TestApp) -> Client {
    let teacher = Client::new(app.base_url().to_owned());
    let login = press_as(
        &teacher,
        "/teacher/login",
        &[("password", TEACHER_PASSWORD)],
    )
    .await;
    assert_is_redirect_to(&login, "/teacher");
    teacher
}

#[tokio::test]
async fn every_classroom_tool_is_403_for_anonymous_and_students_and_200_for_the_teacher() {
    // Arrange: a joined student, and bob logged in on every mount.
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.join("carol", "carol-password").await;

    // Act: every tool pressed anonymously, then as bob, then as the teacher.
    let mut anonymous = Vec::new();
    for (path, fields) in TOOLS {
        anonymous.push((path, app.press(path, fields).await));
    }
    for mount in login_mounts() {
        app.log_in(mount, BOB).await;
    }
    let mut student = Vec::new();
    for (path, fields) in TOOLS {
        student.push((path, app.press(path, fields).await));
    }
    let bob_after_refusals = app.users().lookup("bob").map(|i| i.role);
    app.log_in_as_teacher().await;
    let mut teacher = Vec::new();
    for (path, fields) in TOOLS {
        teacher.push((path, app.press(path, fields).await));
    }

    // Assert
    for (path, refused) in anonymous.iter().chain(&student) {
        assert_eq!(refused.status.as_u16(), 403, "{path}: {}", refused.body);
        assert!(
            refused.body.contains("Only the teacher can do this"),
            "{path}: {}",
            refused.body
        );
    }
    assert_eq!(bob_after_refusals, Some(Role::User), "nothing was changed");
    for (path, done) in &teacher {
        assert_eq!(done.status.as_u16(), 200, "{path}: {}", done.body);
    }
}

#[tokio::test]
async fn a_second_press_inside_the_cooldown_is_refused_at_once_saying_so() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in_as_teacher().await;

    let first = app.press("/labs/flush", &[]).await;
    let second = app.press("/labs/flush", &[]).await;
    let other_tool = app.press("/labs/rotate", &[("mode", "overlap")]).await;

    assert_status(&first, 200);
    assert_status(&second, 429);
    assert_body_contains(&second, "The teacher flushed Redis");
    assert_body_contains(&second, "s ago");
    assert_body_contains(&second, "Nothing was done this time");
    let retry: u64 = second
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=30).contains(&retry), "{retry}");
    assert_status(&other_tool, 200);
}

#[tokio::test]
async fn each_use_of_a_tool_is_announced_on_other_browsers_pages() {
    // Arrange: a student's browser (the app's client) and the teacher's.
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let teacher = teacher_browser(&app).await;
    let quiet = app.get_landing().await;

    // Act
    assert_status(&press_as(&teacher, "/labs/rotate", &[]).await, 200);
    assert_status(&press_as(&teacher, "/labs/flush", &[]).await, 200);

    // Assert: every page of the student's says so.
    assert!(!quiet.body.contains(r#"id="announcements""#));
    for path in ["/", "/session/login", "/labs", "/walkthrough", "/join"] {
        let page = app.get(path).await;
        assert_body_contains(&page, r#"id="announcements""#);
        assert_body_contains(
            &page,
            "the teacher rotated the JWT key: everyone on /jwt was logged out",
        );
        assert_body_contains(
            &page,
            "the teacher flushed Redis: everyone on /session was logged out",
        );
    }
}

#[tokio::test]
async fn a_student_logged_out_by_a_tool_is_told_why_every_time_until_they_log_in_again() {
    // Arrange: a student logged in on every mount.
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.join("carol", "carol-password").await;
    for mount in login_mounts() {
        app.log_in(mount, ("carol", "carol-password")).await;
    }
    let teacher = teacher_browser(&app).await;

    // Act: the teacher rotates the key (emergency) and flushes Redis.
    press_as(&teacher, "/labs/rotate", &[]).await;
    press_as(&teacher, "/labs/flush", &[]).await;
    let sent_back = app.get_dashboard(JWT).await;
    let first = app.get("/jwt/login?reason=bad_signature").await;
    let again = app.get_login(JWT).await;
    let session = app.get_login(SESSION).await;
    let memory = app.get_login(MEMORY).await;
    app.log_in(JWT, ("carol", "carol-password")).await;
    let after_login = app.get_login(JWT).await;

    // Assert: the true reason, not "the token was changed" (which reads as "you tampered").
    assert_is_redirect_to(&sent_back, "/jwt/login?reason=bad_signature");
    for page in [&first, &again] {
        assert_body_contains(page, r#"id="logged-out-by""#);
        assert_body_contains(page, "the teacher rotated the JWT key");
        assert_body_contains(page, "it was nothing you did");
        assert!(!page.body.contains("changed after it was signed"));
    }
    assert_body_contains(&session, "the teacher flushed Redis");
    assert!(
        !memory.body.contains(r#"id="logged-out-by""#),
        "/memory was not touched: carol is still logged in there"
    );
    assert!(!after_login.body.contains(r#"id="logged-out-by""#));
}

#[tokio::test]
async fn a_deliberate_logout_is_not_blamed_on_the_teacher() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.log_in(SESSION, BOB).await;
    app.post_logout(SESSION).await;
    let teacher = teacher_browser(&app).await;

    press_as(&teacher, "/labs/flush", &[]).await;
    let login = app.get_login(SESSION).await;

    assert_body_contains(&login, r#"id="announcements""#);
    assert!(!login.body.contains(r#"id="logged-out-by""#));
}

#[tokio::test]
async fn joined_students_have_distinct_accounts_on_every_mount_that_survive_a_restart() {
    // Arrange
    let redis = RedisServer::start().expect("redis");
    let mut app = TestApp::spawn(&redis).await;

    // Act
    app.join("carol", "carol-password").await;
    app.join("dan_2", "dan-password").await;
    app.restart().await;

    // Assert: each logs in as themselves, everywhere, with their own password only.
    for (name, password) in [("carol", "carol-password"), ("dan_2", "dan-password")] {
        for mount in login_mounts() {
            app.log_in(mount, (name, password)).await;
            let dashboard = app.get_dashboard(mount).await;
            assert_body_contains(
                &dashboard,
                &format!(r#"<strong id="username">{name}</strong>"#),
            );
            assert_body_contains(&dashboard, r#"<strong id="role">user</strong>"#);
        }
    }
    let crossed = app.post_login(SESSION, "dan_2", "carol-password").await;
    assert_body_contains(&crossed, "Wrong username or password.");
    let kept = std::fs::read_to_string(app.settings.data_dir.join("students.txt"))
        .expect("the students file");
    assert!(kept.contains("carol user $argon2id$"));
    assert!(!kept.contains("carol-password"));
    app.log_in_as_teacher().await;
    let page = app.get_teacher().await;
    assert_body_contains(&page, r#"data-student="carol""#);
    assert_body_contains(&page, r#"data-student="dan_2""#);
    assert_body_contains(&page, CLASS_CODE);
}

#[tokio::test]
async fn join_refuses_each_bad_input_with_a_clear_message_and_creates_nothing() {
    // Arrange: one account already taken.
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.join("carol", "carol-password").await;
    let long = "x".repeat(33);
    let cases: [(&str, &str, &str, &str); 9] = [
        ("WRONG1", "erin", "erin-password", "not the class code"),
        (CLASS_CODE, "CAROL", "carol2-password", "taken"),
        (CLASS_CODE, "alice", "alice-password", "reserved"),
        (CLASS_CODE, "teacher", "teacher-password", "reserved"),
        (CLASS_CODE, "a b", "a-b-password", "only letters"),
        (CLASS_CODE, "zoë", "zoe-password", "only letters"),
        (CLASS_CODE, &long, "long-password", "1 to 32"),
        (CLASS_CODE, "", "empty-password", "1 to 32"),
        (CLASS_CODE, "frank", "short77", "at least 8"),
    ];

    // Act
    let mut answers = Vec::new();
    for (code, username, password, _) in cases {
        answers.push(app.post_join(code, username, password).await);
    }

    // Assert
    for ((_, username, _, says), answer) in cases.iter().zip(&answers) {
        assert_eq!(answer.status.as_u16(), 400, "{username}: {}", answer.body);
        assert_body_contains(answer, r#"id="join-error""#);
        assert_body_contains(answer, says);
        assert_body_contains(answer, "Nothing was created.");
    }
    app.log_in_as_teacher().await;
    let page = app.get_teacher().await;
    assert_eq!(page.body.matches("data-student=").count(), 1, "only carol");
    let refused = app.post_login(JWT, "erin", "erin-password").await;
    assert_body_contains(&refused, "Wrong username or password.");
    assert_eq!(
        app.users().lookup("alice").map(|i| i.role),
        Some(Role::Admin)
    );
}

#[tokio::test]
async fn thirty_students_behind_one_address_five_mistyping_leave_twenty_five_able_to_log_in() {
    // Arrange: thirty accounts, all from this one address (127.0.0.1: one classroom's router).
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    let students: Vec<(String, String)> = (0..30)
        .map(|n| (format!("student{n:02}"), format!("password-of-{n:02}")))
        .collect();
    for (name, password) in &students {
        app.join(name, password).await;
    }

    // Act: five students mistype their own password five times; then everyone logs in.
    for (name, _) in &students[..5] {
        for typo in 0..5 {
            let miss = app.post_login(JWT, name, &format!("typo-{typo}")).await;
            assert_body_contains(&miss, "Wrong username or password.");
        }
    }
    let mut locked = Vec::new();
    for (name, password) in &students[..5] {
        locked.push(app.post_login(JWT, name, password).await);
    }
    let mut others = Vec::new();
    for (name, password) in &students[5..] {
        others.push(app.post_login(JWT, name, password).await);
    }

    // Assert: the five wait, and are told only they do; the twenty-five are in at once.
    for response in &locked {
        assert_status(response, 429);
        assert_body_contains(response, "Only this account, from your address, waits");
        assert!(!response
            .body
            .contains("Every login from your address waits"));
    }
    for response in &others {
        assert_is_redirect_to(response, "/jwt/dashboard");
    }
}

#[tokio::test]
async fn one_address_is_held_to_its_passwords_a_minute_and_the_429_says_everyone_there_waits() {
    let redis = RedisServer::start().expect("redis");
    let mut app = TestApp::spawn_with(authlab_web::Settings {
        logins_per_minute: 12,
        ..TestApp::settings_for(&redis.url())
    })
    .await;

    for n in 0..12 {
        let miss = app
            .api_login(JWT, &format!("guess{n}"), "not-the-password")
            .await;
        assert_status(&miss, 401);
    }
    let held = app.post_login(JWT, ALICE.0, ALICE.1).await;
    app.become_another_browser_at([127, 0, 0, 2].into());
    let elsewhere = app.post_login(JWT, ALICE.0, ALICE.1).await;

    assert_status(&held, 429);
    assert_body_contains(&held, "Every login from your address waits");
    assert_body_contains(&held, "other addresses are not");
    assert_is_redirect_to(&elsewhere, "/jwt/dashboard");
}

#[tokio::test]
async fn reset_leaves_nobody_logged_in_and_every_role_at_its_default() {
    // Arrange: roles changed, a student and bob logged in everywhere, a pair throttled.
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.join("carol", "carol-password").await;
    app.join("dan", "dan-password").await;
    let teacher = teacher_browser(&app).await;
    press_as(
        &teacher,
        "/teacher/role",
        &[("user", "carol"), ("role", "admin")],
    )
    .await;
    press_as(
        &teacher,
        "/labs/roles",
        &[("user", "bob"), ("role", "admin")],
    )
    .await;
    press_as(
        &teacher,
        "/labs/roles",
        &[("user", "alice"), ("role", "user")],
    )
    .await;
    for mount in login_mounts() {
        app.log_in(mount, ("carol", "carol-password")).await;
    }
    let bob = Client::new(app.base_url().to_owned());
    for mount in login_mounts() {
        let login = press_as(
            &bob,
            &format!("/{mount}/login"),
            &[("username", BOB.0), ("password", BOB.1)],
        )
        .await;
        assert_is_redirect_to(&login, &format!("/{mount}/dashboard"));
    }
    for typo in 0..5 {
        app.post_login(SESSION, "dan", &format!("typo-{typo}"))
            .await;
    }
    assert_status(&app.post_login(SESSION, "dan", "dan-password").await, 429);

    // Act
    let reset = press_as(&teacher, "/teacher/reset", &[]).await;

    // Assert
    assert_status(&reset, 200);
    assert_body_contains(&reset, "The room is reset");
    for mount in login_mounts() {
        let carols = app.get_dashboard(mount).await;
        assert!(
            carols
                .header("location")
                .is_some_and(|l| l.starts_with(&format!("/{mount}/login"))),
            "carol is logged out of /{mount}: {carols:?}"
        );
        let bobs = bob
            .send(Method::GET, &format!("/{mount}/dashboard"), |r| r)
            .await;
        assert!(
            bobs.status.is_redirection(),
            "bob is logged out of /{mount}"
        );
    }
    for (name, role) in [
        ("alice", Role::Admin),
        ("bob", Role::User),
        ("carol", Role::User),
        ("dan", Role::User),
    ] {
        assert_eq!(
            app.users().lookup(name).map(|i| i.role),
            Some(role),
            "{name}"
        );
    }
    app.log_in(SESSION, ("dan", "dan-password")).await;
    let still_teacher = teacher.send(Method::GET, "/teacher", |r| r).await;
    assert_body_contains(&still_teacher, r#"id="class-code""#);
    let told = app.get_login(MEMORY).await;
    assert_body_contains(&told, "the teacher reset the room");
}

#[tokio::test]
async fn a_wrong_teacher_password_is_refused_and_gives_no_pass() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    let wrong = app.post_teacher_login("not-the-teachers").await;
    let page = app.get_teacher().await;

    assert_status(&wrong, 200);
    assert_body_contains(&wrong, "Wrong password.");
    assert!(wrong.set_cookie("authlab_teacher").is_none());
    assert!(
        !page.body.contains(CLASS_CODE),
        "the class code is the teacher's to show"
    );
    assert_status(&app.post_teacher_reset().await, 403);
}

#[tokio::test]
async fn the_teacher_resets_a_students_password() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;
    app.join("carol", "carol-password").await;
    app.log_in_as_teacher().await;

    let changed = app.post_teacher_password("carol", "brand-new-pass").await;
    let short = app.post_teacher_password("carol", "short").await;
    let not_a_student = app.post_teacher_password("alice", "brand-new-pass").await;

    assert_status(&changed, 200);
    assert_body_contains(&changed, "carol&#39;s password was changed");
    assert_status(&short, 400);
    assert_status(&not_a_student, 400);
    app.log_in(JWT, ("carol", "brand-new-pass")).await;
    let old = app.post_login(SESSION, "carol", "carol-password").await;
    assert_body_contains(&old, "Wrong username or password.");
}

#[tokio::test]
async fn the_inspector_shows_records_as_the_store_keeps_them_not_json_inside_json() {
    let redis = RedisServer::start().expect("redis");
    let app = TestApp::spawn(&redis).await;

    for mount in [SESSION, MEMORY] {
        app.log_in(mount, ALICE).await;
        let page = app.get_dashboard(mount).await;

        let start = page
            .body
            .find(r#"<code class="value record-value">"#)
            .expect("a record");
        let value: String = page.body[start..].chars().take(200).collect();
        assert!(
            !value.contains(r"\&#34;"),
            "/{mount}: JSON inside JSON: {value}"
        );
        assert!(value.contains("alice"), "/{mount}: {value}");
    }
}
