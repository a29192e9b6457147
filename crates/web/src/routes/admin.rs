//! `GET /{b}/admin`: authorization on top of authentication.

use actix_web::{http::StatusCode, web, HttpResponse};

use crate::{
    errors::PageError,
    extractors::CurrentUser,
    render::{self, private},
    templates::AdminPage,
    Mount,
};

pub async fn show(
    mount: web::Data<Mount>,
    CurrentUser(identity): CurrentUser,
) -> Result<HttpResponse, PageError> {
    if !identity.is_admin() {
        return Err(PageError::Forbidden {
            role: identity.role.to_string(),
            back: mount.path("dashboard"),
        });
    }
    Ok(private(render::html(
        StatusCode::OK,
        &AdminPage {
            mount: &mount,
            identity: &identity,
        },
    )))
}
