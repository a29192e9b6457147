//! `GET /labs`: the list.

use actix_web::{http::StatusCode, web, HttpResponse};

use super::{pages::IndexPage, LABS};
use crate::{render, AppState};

pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    render::html(
        StatusCode::OK,
        &IndexPage {
            labs: &LABS,
            supervised: state.settings.supervised,
        },
    )
}
