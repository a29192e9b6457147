//! What a handler can fail with, and the response each failure gets.
//!
//! Pages and the JSON API fail the same ways but answer differently (a redirect to the login
//! form vs a 401 JSON body), so each has its own enum. A 5xx is logged in full here and shown to
//! nobody: the body says only what the user can act on.

use actix_web::{
    cookie::Cookie,
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use authlab_core::{BackendError, Rejection};
use serde_json::json;

use crate::{
    render,
    throttle::{Limit, Throttled},
};

/// Failures of the HTML pages.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("login required")]
    LoginRequired { login_url: String },
    #[error("credentials rejected: {reason}")]
    Rejected {
        login_url: String,
        reason: Rejection,
        forget: Vec<Cookie<'static>>,
    },
    #[error("too many failed logins; retry in {} s", .0.retry_after.as_secs())]
    Throttled(Throttled),
    #[error("the password hashing queue is full")]
    Busy { retry_after: std::time::Duration },
    #[error("the role {role} may not open this page")]
    Forbidden { role: String, back: String },
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::LoginRequired { .. } | PageError::Rejected { .. } => StatusCode::SEE_OTHER,
            PageError::Forbidden { .. } => StatusCode::FORBIDDEN,
            PageError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            PageError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Backend(BackendError::Unavailable { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Backend(BackendError::Internal(_)) | PageError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::LoginRequired { login_url } => see_other(login_url),
            PageError::Rejected {
                login_url,
                reason,
                forget,
            } => {
                let mut response = see_other(&format!("{login_url}?reason={}", reason.code()));
                for cookie in forget {
                    // A removal cookie is plain ASCII; failing to add one only leaves a stale cookie.
                    let _ = response.add_cookie(cookie);
                }
                response
            }
            PageError::Throttled(throttled) => {
                let (title, message) = throttled_words(throttled);
                let mut response =
                    render::error_page(StatusCode::TOO_MANY_REQUESTS, title, &message, None);
                insert_retry_after(&mut response, throttled.retry_after);
                response
            }
            PageError::Busy { retry_after } => {
                let mut response = render::error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Too many logins at once",
                    &format!(
                        "The server checks a limited number of passwords at a time, and the queue \
                         is full right now. Nothing is wrong with your password: try again in {} \
                         seconds.",
                        retry_after.as_secs().max(1)
                    ),
                    None,
                );
                insert_retry_after(&mut response, *retry_after);
                response
            }
            PageError::Forbidden { role, back } => render::error_page(
                StatusCode::FORBIDDEN,
                "Forbidden",
                &format!(
                    "You are logged in (authentication worked), but your role \"{role}\" may not \
                     open this page: that is authorization."
                ),
                Some((back.clone(), "Back to the dashboard")),
            ),
            PageError::Backend(BackendError::Unavailable { what, .. }) => {
                store_unavailable_page(what)
            }
            PageError::Backend(BackendError::Internal(_)) | PageError::Internal(_) => {
                tracing::error!(error = ?self, "page handler failed");
                render::error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal server error",
                    "Something went wrong on the server. It has been logged.",
                    None,
                )
            }
        }
    }
}

/// Failures of the JSON API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no credentials")]
    Unauthenticated,
    /// A credential was presented and names no login (a session that was ended or flushed).
    #[error("the credential names no login")]
    UnknownCredential,
    #[error("credentials rejected: {0}")]
    Rejected(Rejection),
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("too many failed logins")]
    Throttled(Throttled),
    #[error("the password hashing queue is full")]
    Busy { retry_after: std::time::Duration },
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated
            | ApiError::UnknownCredential
            | ApiError::Rejected(_)
            | ApiError::WrongCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Backend(BackendError::Unavailable { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Backend(BackendError::Internal(_)) | ApiError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let body = match self {
            ApiError::Unauthenticated => json!({
                "error": "unauthenticated",
                "message": "no credentials were presented",
            }),
            ApiError::UnknownCredential => json!({
                "error": "unknown_credential",
                "message": "a credential was presented, but it names no login on this server: \
                            the login was ended (logout, a flush, a restart) or it expired",
            }),
            ApiError::Rejected(reason) => json!({
                "error": "invalid_credentials",
                "reason": reason.code(),
                "message": reason.explanation(),
            }),
            ApiError::WrongCredentials => json!({
                "error": "wrong_credentials",
                "message": "wrong username or password",
            }),
            ApiError::Throttled(throttled) => {
                let (_, message) = throttled_words(throttled);
                let mut response = HttpResponse::TooManyRequests().json(json!({
                    "error": "throttled",
                    "limit": match throttled.limit {
                        Limit::AccountFromAddress => "account_from_address",
                        Limit::Address => "address",
                    },
                    "message": message,
                    "retry_after": throttled.retry_after.as_secs().max(1),
                }));
                insert_retry_after(&mut response, throttled.retry_after);
                return response;
            }
            ApiError::Busy { retry_after } => {
                let mut response = HttpResponse::ServiceUnavailable().json(json!({
                    "error": "busy",
                    "message": "too many logins at once; try again shortly",
                    "retry_after": retry_after.as_secs().max(1),
                }));
                insert_retry_after(&mut response, *retry_after);
                return response;
            }
            ApiError::Backend(BackendError::Unavailable { what, .. }) => {
                return store_unavailable_json(what)
            }
            ApiError::Backend(BackendError::Internal(_)) | ApiError::Internal(_) => {
                tracing::error!(error = ?self, "API handler failed");
                json!({ "error": "internal", "message": "internal server error" })
            }
        };
        let mut response = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"authlab\""));
        }
        response.json(body)
    }
}

/// The 429's title and sentence: who is held back, and for how long, as the limit that refused
/// says (never "nobody else is affected" when everyone behind the address is).
pub fn throttled_words(throttled: &Throttled) -> (&'static str, String) {
    let seconds = throttled.retry_after.as_secs().max(1);
    match throttled.limit {
        Limit::AccountFromAddress => (
            "Too many wrong passwords for this account",
            format!(
                "Five wrong passwords for this account came from your address within a minute, \
                 so this account cannot log in from your address for {seconds} more seconds. \
                 Only this account, from your address, waits: other accounts (your classmates \
                 behind the same router too), and this account from other addresses, log in as \
                 usual."
            ),
        ),
        Limit::Address => (
            "Too many logins from your address",
            format!(
                "Your address sent more passwords in the last minute than this server checks for \
                 one address. Every login from your address waits {seconds} more seconds, whatever \
                 the account: everyone sharing your address (a classroom behind one router \
                 shares one) is held back, other addresses are not."
            ),
        ),
    }
}

fn insert_retry_after(response: &mut HttpResponse, wait: std::time::Duration) {
    let seconds = wait.as_secs().max(1).to_string();
    if let Ok(value) = header::HeaderValue::from_str(&seconds) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

/// A 303 See Other: after a POST, the browser GETs the new page.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The 503 page of a mount whose store is down.
pub fn store_unavailable_page(what: &str) -> HttpResponse {
    let mut response = render::error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("{what} is not answering"),
        &format!(
            "This mount keeps its logins in {what}, and {what} did not answer in time, so the \
             server cannot tell who you are. Nothing is wrong with your request: try again when \
             {what} is back (it reconnects by itself). The mounts that do not keep their logins in \
             {what} do not need it and keep working."
        ),
        Some(("/".to_owned(), "All mounts")),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

/// The answer to a request during which a mount's store was down: the page, or for the JSON API
/// the JSON (the session mounts' outage middleware calls this).
pub fn store_unavailable(what: &'static str, api: bool) -> HttpResponse {
    if api {
        store_unavailable_json(what)
    } else {
        store_unavailable_page(what)
    }
}

/// The 503 JSON of a mount whose store is down.
pub fn store_unavailable_json(what: &str) -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, "1"))
        .json(json!({
            "error": "store_unavailable",
            "message": format!("{what} is not answering; try again shortly"),
        }))
}
