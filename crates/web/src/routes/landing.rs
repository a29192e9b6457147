//! `GET /`: the compare view. Each mount's pages in a frame, side by side, so that one action can
//! be done in each and the results compared; the frames are plain pages, so every column works
//! with JavaScript off.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};

use crate::{lan_warning::lan_warning, render, templates::LandingPage, Mounts, Settings};

pub async fn show(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    settings: web::Data<Settings>,
) -> HttpResponse {
    let mounts = mounts.login().map(|m| m.as_ref()).collect();
    render::html(
        StatusCode::OK,
        &LandingPage {
            mounts,
            lan_warning: lan_warning(&req, settings.cookie_secure()),
        },
    )
}
