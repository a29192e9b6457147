//! `GET /{b}/dashboard`: the protected page, with the inspector.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::timing;

use crate::{
    csrf::CsrfToken,
    errors::PageError,
    extractors::CurrentUser,
    inspector::InspectorView,
    render::{self, private},
    templates::DashboardPage,
    Mount,
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

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
