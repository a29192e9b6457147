//! Flush Redis: delete this app's keys, which is what a Redis restart without persistence does to
//! them.
//!
//! Only keys under `authlab:` are deleted (session records, revocations, the JWT denylist), with
//! `SCAN` + `UNLINK` rather than `FLUSHDB`, so a Redis shared with anything else keeps its data.

use super::{Lab, LabInfo};
use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_session::store::RedisLink;

use super::pages::FlushPage;
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
            slug: "flush",
            title: "Flush Redis",
            summary: "Delete this app's data from Redis, as a Redis restart without persistence would.",
            affects: Some("Deletes every authlab:* key in the Redis database (every /session login in the room, and the JWT denylist); other keys are left alone."),
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/flush", web::get().to(show))
        .route("/labs/flush", web::post().to(submit));
}

/// Every key this app writes starts with this (see `authlab_session::store`).
pub const APP_KEYS: &str = "authlab:*";

pub async fn show(redis: web::Data<RedisLink>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    let before = count_app_keys(&redis).await.ok();
    page(&csrf, before, None)
}

pub async fn submit(
    redis: web::Data<RedisLink>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let outcome = delete_app_keys(&redis).await;
    if let Ok(deleted) = &outcome {
        tracing::warn!(deleted, "Redis flushed by the flush lab");
    }
    let before = count_app_keys(&redis).await.ok();
    page(&csrf, before, Some(outcome))
}

pub async fn count_app_keys(link: &RedisLink) -> Result<u64, String> {
    let (count, _) = link
        .count_keys(APP_KEYS, None)
        .await
        .map_err(|err| err.to_string())?;
    Ok(count)
}

pub async fn delete_app_keys(link: &RedisLink) -> Result<u64, String> {
    link.unlink_keys(APP_KEYS)
        .await
        .map_err(|err| err.to_string())
}

fn page(
    csrf: &CsrfToken,
    before: Option<u64>,
    outcome: Option<Result<u64, String>>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    // Redis down is not a bug: the page says so, with the status that means it.
    let status = match &outcome {
        Some(Err(_)) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    };
    Ok(private(render::html(
        status,
        &FlushPage {
            lab,
            csrf: csrf.value(),
            before,
            outcome,
        },
    )))
}
