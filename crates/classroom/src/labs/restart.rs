//! Restart the server process for real, under the `authlab demo` supervisor.
//!
//! The page shows this process's id and uptime, so a restart is visible (a new pid, an uptime of
//! a few seconds), and a status frame per mount, so "who kept me logged in" is asked of each
//! backend with the browser's real cookies after the restart.

use super::{Lab, LabInfo};
use std::time::Duration;

use actix_web::{http::StatusCode, web, HttpResponse};

use super::pages::RestartPage;
use crate::{
    announcements::Announcements,
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    restart::{uptime, RestartSwitch},
    teacher::{
        tools::{announce, login_mounts_where},
        Teacher, TeacherDesk, Tool,
    },
    Mounts, Settings,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "restart",
        title: "Restart the server",
        summary: "Really restart the server process, then see which mounts kept you logged in.",
        affects: Some("Restarts the server for everybody: every /memory login in the room ends."),
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/restart", web::get().to(show))
        .route("/labs/restart", web::post().to(submit));
}

/// Long enough for this answer to leave before the server stops taking requests.
const ANSWER_FIRST: Duration = Duration::from_millis(200);

pub async fn show(
    settings: web::Data<Settings>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    page(&settings, &csrf, false)
}

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    _teacher: Teacher,
    settings: web::Data<Settings>,
    switch: web::Data<RestartSwitch>,
    desk: web::Data<TeacherDesk>,
    board: web::Data<Announcements>,
    mounts: web::Data<Mounts>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    if !settings.supervised {
        return Ok(page(&settings, &csrf, false)?);
    }
    desk.cooldowns.begin(Tool::Restart, "")?;
    // Said before the process ends; the board is kept on disk, so the next process shows it.
    let ended = login_mounts_where(mounts.all(), |m| {
        !m.backend.capabilities().survives_app_restart
    });
    announce(&board, "restarted the server", &ended);
    tracing::warn!("restart requested by the restart lab");
    let switch = RestartSwitch::clone(&switch);
    actix_web::rt::spawn(async move {
        tokio::time::sleep(ANSWER_FIRST).await;
        switch.request();
    });
    Ok(page(&settings, &csrf, true)?)
}

fn page(
    settings: &Settings,
    csrf: &CsrfToken,
    restarting: bool,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &RestartPage {
            lab,
            csrf: csrf.value(),
            pid: std::process::id(),
            uptime_secs: uptime().as_secs(),
            supervised: settings.supervised,
            restarting,
        },
    )))
}
