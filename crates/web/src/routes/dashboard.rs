//! `GET /{b}/dashboard`: the protected page.

use actix_web::{http::StatusCode, web, HttpResponse};

use crate::{
    csrf::CsrfToken, errors::PageError, extractors::CurrentUser, render, templates::DashboardPage,
    Mount,
};

pub async fn show(
    mount: web::Data<Mount>,
    CurrentUser(identity): CurrentUser,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    Ok(private(render::html(
        StatusCode::OK,
        &DashboardPage {
            mount: &mount,
            identity: &identity,
            csrf: csrf.value(),
        },
    )))
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
