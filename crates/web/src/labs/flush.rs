//! Flush Redis: delete this app's keys, which is what a Redis restart without persistence does to
//! them.
//!
//! Only keys under `authlab:` are deleted (session records, revocations, the JWT denylist), with
//! `SCAN` + `UNLINK` rather than `FLUSHDB`, so a Redis shared with anything else keeps its data.
//!
//! The denylist goes with the sessions, so every logged-out JWT that has not expired yet works
//! again: the page counts them first and says so. A Redis failure is logged in full and shown
//! as one sentence: the error text names the Redis URL, which is no business of a visitor's.

use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_session::{denylist::REDIS_DENYLIST_PREFIX, store::RedisLink};

use super::{
    lab,
    pages::{FlushPage, Flushed},
};
use crate::{
    csrf::CsrfToken, errors::PageError, forms::CheckedForm, render, routes::dashboard::private,
    AppState,
};

/// Every key this app writes starts with this (see `authlab_session::store`).
pub const APP_KEYS: &str = "authlab:*";

pub async fn show(state: web::Data<AppState>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    let before = count_app_keys(&state.redis).await.ok();
    page(&csrf, before, None)
}

pub async fn submit(
    state: web::Data<AppState>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let outcome = flush(&state.redis).await;
    match &outcome {
        Ok(flushed) => tracing::warn!(
            deleted = flushed.deleted,
            revived_tokens = flushed.revived_tokens,
            "Redis flushed by the flush lab"
        ),
        Err(err) => tracing::warn!(error = %err, "the flush lab could not reach Redis"),
    }
    let outcome = outcome.map_err(|_| ());
    let before = count_app_keys(&state.redis).await.ok();
    page(&csrf, before, Some(outcome))
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
    let lab = lab("flush")?;
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
