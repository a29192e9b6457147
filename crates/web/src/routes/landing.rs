//! `GET /`: what each mount is, and a way in.

use actix_web::{http::StatusCode, web, HttpResponse};

use crate::{render, templates::LandingPage, AppState};

pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    let mounts = state
        .login_mounts()
        .into_iter()
        .map(|m| m.as_ref())
        .collect();
    render::html(StatusCode::OK, &LandingPage { mounts })
}
