//! `GET /healthz`: the server is up; is Redis?

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::AppState;

/// Always 200 while the process serves: Redis being down is reported, not inherited, because
/// `/jwt` and `/memory` still work without it.
pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    let redis = match state.redis.ping().await {
        Ok(()) => "up",
        Err(_) => "down",
    };
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(json!({ "status": "ok", "redis": redis }))
}
