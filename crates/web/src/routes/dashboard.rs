//! `GET /{b}/dashboard`: the protected page, with the inspector.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::timing;

use crate::{
    csrf::CsrfToken, errors::PageError, extractors::CurrentUser, inspector::InspectorView, render,
    templates::DashboardPage, Mount,
};

pub async fn show(
    req: HttpRequest,
    mount: web::Data<Mount>,
    CurrentUser(identity): CurrentUser,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    // Taken before the inspector's own reads, which are not part of authenticating.
    let costs = timing::so_far();
    let inspection = mount.backend.inspect(&req).await?;
    Ok(private(render::html(
        StatusCode::OK,
        &DashboardPage {
            mount: &mount,
            identity: &identity,
            csrf: csrf.value(),
            inspector: InspectorView::new(inspection, &costs, unix_now()),
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

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
