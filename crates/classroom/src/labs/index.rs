//! `GET /labs`: the list.

use actix_web::{http::StatusCode, web, HttpResponse};

use super::{pages::IndexPage, LABS};
use crate::{render, Settings};

pub async fn show(settings: web::Data<Settings>) -> HttpResponse {
    render::html(
        StatusCode::OK,
        &IndexPage {
            labs: &LABS,
            supervised: settings.supervised,
        },
    )
}
