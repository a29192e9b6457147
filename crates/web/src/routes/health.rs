//! `GET /healthz`: the server is up; is Redis?

use actix_web::{web, HttpResponse};
use authlab_core::Mounts;
use serde_json::json;

/// Always 200 while the process serves: Redis being down is reported, not inherited, because
/// the mounts that do not keep their logins in Redis still work without it. "Redis" is asked of
/// the mounts that live there, through their backends' readiness.
pub async fn show(mounts: web::Data<Mounts>) -> HttpResponse {
    let mut redis = "up";
    for mount in mounts.all().filter(|m| m.home.uses_redis()) {
        if mount.backend.readiness().await.is_err() {
            redis = "down";
        }
    }
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(json!({ "status": "ok", "redis": redis }))
}
