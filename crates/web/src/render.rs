//! Turning a template into a response.

use actix_web::{http::StatusCode, HttpResponse};
use askama::Template;

use crate::templates::ErrorPage;

/// Render `template` with `status`. A template that fails to render is a bug: it is logged in full
/// and the client gets a bare 500.
pub fn html(status: StatusCode, template: &impl Template) -> HttpResponse {
    match template.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Internal server error")
        }
    }
}

/// The error page, for any status.
pub fn error_page(
    status: StatusCode,
    title: &str,
    message: &str,
    back: Option<(String, &str)>,
) -> HttpResponse {
    html(
        status,
        &ErrorPage {
            status: status.as_u16(),
            title,
            message,
            back,
        },
    )
}

/// A page that shows a user's own data must not be kept by a shared cache or the back button of
/// the next person at the keyboard.
pub fn private(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}
