//! Flush Redis: delete this app's keys, which is what a Redis restart without persistence does to
//! them.
//!
//! Only keys under `authlab:` are deleted (session records, revocations, the JWT denylist), with
//! `SCAN` + `UNLINK` rather than `FLUSHDB`, so a Redis shared with anything else keeps its data.
//!
//! The denylist goes with the sessions, so every logged-out JWT that has not expired yet works
//! again: the page counts them first and says so. A Redis failure is logged in full and shown
//! as one sentence: the error text names the Redis URL, which is no business of a visitor's.

use super::{Lab, LabInfo};
use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_session::{denylist::REDIS_DENYLIST_PREFIX, store::RedisLink};

use super::pages::{FlushPage, Flushed};
use crate::{
    announcements::Announcements,
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    teacher::{
        tools::{announce, login_mounts_where},
        Teacher, TeacherDesk, Tool,
    },
    Mounts,
};
use authlab_core::StateHome;

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
    under_mount: None,
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
    _teacher: Teacher,
    redis: web::Data<RedisLink>,
    desk: web::Data<TeacherDesk>,
    board: web::Data<Announcements>,
    mounts: web::Data<Mounts>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    desk.cooldowns.begin(Tool::Flush, "")?;
    let outcome = flush(&redis).await;
    match &outcome {
        Ok(flushed) => {
            tracing::warn!(
                deleted = flushed.deleted,
                revived_tokens = flushed.revived_tokens,
                "Redis flushed by the flush lab"
            );
            let ended = login_mounts_where(mounts.all(), |m| m.home == StateHome::Redis);
            announce(&board, "flushed Redis", &ended);
        }
        Err(err) => tracing::warn!(error = %err, "the flush lab could not reach Redis"),
    }
    let outcome = outcome.map_err(|_| ());
    let before = count_app_keys(&redis).await.ok();
    Ok(page(&csrf, before, Some(outcome))?)
}

/// Count the denylist, then delete every app key.
async fn flush(link: &RedisLink) -> Result<Flushed, String> {
    let (revived_tokens, _) = link
        .count_keys(&format!("{REDIS_DENYLIST_PREFIX}*"), None)
        .await
        .map_err(|err| err.to_string())?;
    let deleted = delete_app_keys(link).await?;
    Ok(Flushed {
        deleted,
        revived_tokens,
    })
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
    outcome: Option<Result<Flushed, ()>>,
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
