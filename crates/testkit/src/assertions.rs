//! The checks the tests repeat, named after what they mean.

use reqwest::StatusCode;

use crate::TestResponse;

/// A 303 See Other to exactly `location`.
#[track_caller]
pub fn assert_is_redirect_to(response: &TestResponse, location: &str) {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "expected a 303 to {location}, got {} with body {}",
        response.status,
        response.body
    );
    assert_eq!(response.header("location"), Some(location));
}

#[track_caller]
pub fn assert_status(response: &TestResponse, status: u16) {
    assert_eq!(
        response.status.as_u16(),
        status,
        "unexpected status; body: {}",
        response.body
    );
}

/// A 4xx, not a 5xx and not a success: bad input is the client's problem, said clearly.
#[track_caller]
pub fn assert_client_error(response: &TestResponse) {
    assert!(
        response.status.is_client_error(),
        "expected a 4xx, got {}: {}",
        response.status,
        response.body
    );
}

#[track_caller]
pub fn assert_body_contains(response: &TestResponse, needle: &str) {
    assert!(
        response.body.contains(needle),
        "expected the body to contain {needle:?}; it was: {}",
        response.body
    );
}
