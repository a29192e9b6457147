//! Flush Redis: delete this app's keys, which is what a Redis restart without persistence does to
//! them.
//!
//! Only keys under `authlab:` are deleted (session records, revocations, the JWT denylist), with
//! `SCAN` + `UNLINK` rather than `FLUSHDB`, so a Redis shared with anything else keeps its data.

use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_session::store::RedisLink;

use super::{lab, pages::FlushPage};
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
    let outcome = delete_app_keys(&state.redis).await;
    if let Ok(deleted) = &outcome {
        tracing::warn!(deleted, "Redis flushed by the flush lab");
    }
    let before = count_app_keys(&state.redis).await.ok();
    page(&csrf, before, Some(outcome))
}

async fn scan(link: &RedisLink, delete: bool) -> Result<usize, String> {
    link.run(|mut c| async move {
        let mut cursor: u64 = 0;
        let mut total = 0usize;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(APP_KEYS)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut c.commands)
                .await?;
            if delete && !keys.is_empty() {
                total += redis::cmd("UNLINK")
                    .arg(&keys)
                    .query_async::<usize>(&mut c.commands)
                    .await?;
            } else {
                total += keys.len();
            }
            cursor = next;
            if cursor == 0 {
                return Ok::<usize, redis::RedisError>(total);
            }
        }
    })
    .await
    .map_err(|err| err.to_string())
}

pub async fn count_app_keys(link: &RedisLink) -> Result<usize, String> {
    scan(link, false).await
}

pub async fn delete_app_keys(link: &RedisLink) -> Result<usize, String> {
    scan(link, true).await
}

fn page(
    csrf: &CsrfToken,
    before: Option<usize>,
    outcome: Option<Result<usize, String>>,
) -> Result<HttpResponse, PageError> {
    let lab = lab("flush").ok_or_else(|| anyhow::anyhow!("the flush lab is not listed"))?;
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
