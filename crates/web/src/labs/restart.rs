//! Restart the server process for real, under the `authlab demo` supervisor.
//!
//! The page shows this process's id and uptime, so a restart is visible (a new pid, an uptime of
//! a few seconds), and a status frame per mount, so "who kept me logged in" is asked of each
//! backend with the browser's real cookies after the restart.

use std::time::Duration;

use actix_web::{http::StatusCode, web, HttpResponse};

use super::{lab, pages::RestartPage};
use crate::{
    csrf::CsrfToken, errors::PageError, forms::CheckedForm, render, restart::uptime,
    routes::dashboard::private, AppState,
};

/// Long enough for this answer to leave before the server stops taking requests.
const ANSWER_FIRST: Duration = Duration::from_millis(200);

pub async fn show(state: web::Data<AppState>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&state, &csrf, false)
}

pub async fn submit(
    state: web::Data<AppState>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    if !state.settings.supervised {
        return page(&state, &csrf, false);
    }
    tracing::warn!("restart requested by the restart lab");
    let switch = state.restart.clone();
    actix_web::rt::spawn(async move {
        tokio::time::sleep(ANSWER_FIRST).await;
        switch.request();
    });
    page(&state, &csrf, true)
}

fn page(state: &AppState, csrf: &CsrfToken, restarting: bool) -> Result<HttpResponse, PageError> {
    let lab = lab("restart")?;
    Ok(private(render::html(
        StatusCode::OK,
        &RestartPage {
            lab,
            csrf: csrf.value(),
            pid: std::process::id(),
            uptime_secs: uptime().as_secs(),
            supervised: state.settings.supervised,
            restarting,
        },
    )))
}
