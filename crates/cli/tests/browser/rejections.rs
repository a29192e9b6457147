//! A refused JWT sends the browser back to the login page, which says why in words.

use authlab_testkit::JWT;
use authlab_testkit::{TestApp, BOB};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::Classroom;

const JWT_COOKIE_PATH: &str = "/jwt";

#[tokio::test]
async fn a_tampered_expired_or_alg_none_token_lands_on_login_with_the_reason() {
    // Arrange: bob logs in; from his real token make the tokens a student would try.
    let classroom = Classroom::open().await;
    let browser = &classroom.browser;
    classroom.log_in(JWT, BOB).await;
    let cookie_name = TestApp::auth_cookie_name(JWT);
    let token = browser
        .cookie(&cookie_name)
        .await
        .expect("cookies")
        .expect("bob's token");
    let [header, payload, signature]: [&str; 3] = token
        .split('.')
        .collect::<Vec<_>>()
        .try_into()
        .expect("three parts");

    let promoted = promote_to_admin(payload);
    let tampered = format!("{header}.{promoted}.{signature}");
    let codec = classroom.app.jwt_codec();
    let bob = classroom.app.users().lookup("bob").expect("bob");
    let long_ago = authlab_jwt::codec::unix_now() - 2 * codec.ttl_secs();
    let expired = codec.sign(&codec.claims_for(&bob, long_ago)).expect("sign");
    let unsigned = format!(
        "{}.{promoted}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );

    for (name, forged, reason, words) in [
        (
            "tampered",
            tampered,
            "bad_signature",
            "signature did not match",
        ),
        ("expired", expired, "expired", "expired"),
        ("alg-none", unsigned, "wrong_algorithm", "algorithm"),
        (
            "malformed",
            "not.a-token".to_owned(),
            "malformed",
            "malformed",
        ),
    ] {
        // Act: put the forged token in the cookie and open the dashboard.
        browser
            .set_cookie(&cookie_name, &forged, JWT_COOKIE_PATH)
            .await
            .expect("set the cookie");
        browser
            .open(&classroom.url("/jwt/dashboard"))
            .await
            .expect("open the dashboard");

        // Assert: on the login page, with the reason in words, and the bad cookie gone.
        assert_eq!(
            browser.current_path().await.expect("url"),
            "/jwt/login",
            "{name}"
        );
        assert_eq!(
            browser
                .attr("#rejection", "data-reason")
                .await
                .expect("a rejection notice")
                .as_deref(),
            Some(reason),
            "{name}"
        );
        let text = browser.text("#rejection").await.expect("notice");
        assert!(text.to_lowercase().contains(words), "{name}: {text}");
        assert_eq!(
            browser.cookie(&cookie_name).await.expect("cookies"),
            None,
            "{name}: the refused token must be cleared"
        );
        browser
            .screenshot(&format!("rejected-{name}"))
            .await
            .expect("screenshot");
    }

    // The console shows the 303s' targets, never an error: a refusal is an answer, not a fault.
    classroom.assert_clean().await;
    classroom.close().await;
}

/// The payload with `"role":"user"` changed to `"role":"admin"`, re-encoded: what a student
/// tries first.
fn promote_to_admin(payload: &str) -> String {
    let json = URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    let text = String::from_utf8(json).expect("JSON text");
    assert!(text.contains(r#""role":"user""#), "{text}");
    URL_SAFE_NO_PAD.encode(text.replace(r#""role":"user""#, r#""role":"admin""#))
}
