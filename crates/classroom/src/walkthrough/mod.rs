//! `/walkthrough`: the login flow of the course notes, step by step, shown with the real requests
//! and responses of this browser.
//!
//! The course notes describe the flow in the abstract (credentials sent, checked, a session
//! created or a token signed, stored, attached, verified, expired). Here every step points at the
//! exchange that did it: [`recorder`] keeps the last few exchanges of each browser with the
//! headers that matter, [`steps`] finds the one that matches each step, and the page shows it next
//! to what changed on the client and on the server.

pub mod diagram;
pub mod recorder;
pub mod steps;

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};

pub use recorder::{record_exchanges, Recorder, BROWSER_COOKIE};

use askama::Template;

use crate::{
    render::{self, private},
    Mounts,
};

#[derive(Template)]
#[template(path = "walkthrough.html")]
pub struct WalkthroughPage<'a> {
    pub flows: Vec<steps::Flow<'a>>,
    /// Each mount's sequence diagram (slug, SVG), side by side above the steps.
    pub diagrams: Vec<(String, String)>,
    pub recorded: usize,
    /// `http://host:port` as this browser reached the server, for the curl lines.
    pub origin: String,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/walkthrough", web::get().to(show));
}

async fn show(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    recorder: web::Data<Recorder>,
) -> HttpResponse {
    let exchanges = recorder::browser_id(&req)
        .map(|id| recorder.exchanges_of(&id))
        .unwrap_or_default();
    let flows: Vec<steps::Flow<'_>> = mounts
        .login()
        .map(|mount| steps::flow_for(mount, &exchanges))
        .collect();
    let diagrams = flows
        .iter()
        .filter_map(|flow| Some((flow.mount.slug.as_str().to_owned(), diagram::svg(flow)?)))
        .collect();
    private(render::html(
        StatusCode::OK,
        &WalkthroughPage {
            flows,
            diagrams,
            recorded: exchanges.len(),
            origin: crate::labs::origin(&req),
        },
    ))
}
