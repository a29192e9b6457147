//! `/labs`: small experiments, each a page with an explanation, a button, and a result computed by
//! the server from the real parts (the live verifier, the real stores, the real process).
//!
//! **Where the buttons post.** The login cookies are scoped by path (`authlab_jwt` has
//! `Path=/jwt`), so a browser sends its token only to `/jwt/…`. A lab that needs the browser's
//! token therefore posts to `/jwt/labs/<name>` ([`token_routes`]), one that needs each mount's
//! credential posts to `/<mount>/labs/<name>` ([`mount_routes`], written once for all mounts), and
//! the pages that show "am I still logged in here?" embed `/<mount>/labs/status` for each mount.
//! The index and the lab pages live at `/labs/<name>` ([`routes`]).
//!
//! **Classroom tools.** Restart, flush, rotate and the role change affect everyone using this
//! server. They are POST forms with the CSRF token like every other form, each page says what it
//! affects, and only the teacher may press them (`crate::teacher`: 403 for anyone else, a
//! cooldown, an announcement on every page). Anyone may read their pages.

pub mod alg_confusion;
pub mod authorization;
pub mod decode;
pub mod expiry;
pub mod flush;
pub mod forged;
pub mod index;
pub mod jwk_injection;
pub mod kid_injection;
pub mod loopback;
pub mod naive_verifier;
pub mod pages;
pub mod refresh_carries_on;
pub mod restart;
pub mod revocation;
pub mod roles;
pub mod rotate;
pub mod second_service;
pub mod status;
pub mod stolen_refresh;
pub mod tamper;
pub mod token_view;
pub mod weak_secret;

use actix_web::{web, HttpRequest, HttpResponse};
use authlab_core::MountSlug;

use crate::TokenKit;

/// What the index lists and every lab page starts with.
pub struct LabInfo {
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// Set for the labs that change server-wide state: what they affect.
    pub affects: Option<&'static str>,
}

/// Registers routes into a scope.
pub type Routes = fn(&mut web::ServiceConfig);

/// A lab: its words and its routes, declared in its own file as `LAB`.
pub struct Lab {
    pub info: LabInfo,
    /// `/labs/<slug>`: the page, and the post of a server-wide lab.
    pub page_routes: fn(&mut web::ServiceConfig),
    /// Routes under every login mount, for a lab that needs each mount's credential.
    pub under_each_mount: Option<fn(&mut web::ServiceConfig)>,
    /// Routes under the token mount, for a lab that needs the browser's token.
    pub under_token_mount: Option<fn(&mut web::ServiceConfig)>,
    /// Routes under one named mount, for a lab about that mount alone (its cookies are scoped
    /// to its path).
    pub under_mount: Option<(MountSlug, Routes)>,
}

/// The index and every lab page read a lab's words straight through it (`lab.title`).
impl std::ops::Deref for Lab {
    type Target = LabInfo;

    fn deref(&self) -> &LabInfo {
        &self.info
    }
}

/// The registry, in the order of the index: a new lab is its file, its template and a line here.
pub const LABS: [&Lab; 17] = [
    &tamper::LAB,
    &forged::LAB,
    &weak_secret::LAB,
    &jwk_injection::LAB,
    &kid_injection::LAB,
    &alg_confusion::LAB,
    &decode::LAB,
    &expiry::LAB,
    &revocation::LAB,
    &roles::LAB,
    &authorization::LAB,
    &restart::LAB,
    &flush::LAB,
    &rotate::LAB,
    &refresh_carries_on::LAB,
    &stolen_refresh::LAB,
    &second_service::LAB,
];

/// `/labs` and every lab's page routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs", web::get().to(index::show))
        .route("/assets/labs.css", web::get().to(labs_css))
        .route("/assets/labs.js", web::get().to(labs_js));
    for lab in LABS {
        (lab.page_routes)(cfg);
    }
}

/// Under every login mount: the status probe, and the labs that need each mount's credential.
pub fn mount_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/status", web::get().to(status::show));
    for routes in LABS.iter().filter_map(|lab| lab.under_each_mount) {
        routes(cfg);
    }
}

/// Under `mount`: the labs about that mount alone.
pub fn named_mount_routes(mount: MountSlug, cfg: &mut web::ServiceConfig) {
    for (_, routes) in LABS
        .iter()
        .filter_map(|lab| lab.under_mount)
        .filter(|(slug, _)| *slug == mount)
    {
        routes(cfg);
    }
}

/// Under the token mount only: the labs about the token itself.
pub fn token_routes(cfg: &mut web::ServiceConfig) {
    for routes in LABS.iter().filter_map(|lab| lab.under_token_mount) {
        routes(cfg);
    }
}

/// What a token lab says when the form came without a `/jwt` token.
pub const NO_TOKEN: &str = "Your browser sent no /jwt token with this form: log in to /jwt first.";

/// The token this browser sent to `/jwt`, if any.
pub fn browser_token(req: &HttpRequest, tokens: &TokenKit) -> Option<String> {
    req.cookie(&tokens.settings.cookie_name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

pub use crate::origin::origin;

const LABS_CSS: &str = include_str!("../../../../templates/assets/labs.css");
const LABS_JS: &str = include_str!("../../../../templates/assets/labs.js");

async fn labs_css() -> HttpResponse {
    asset("text/css; charset=utf-8", LABS_CSS)
}

async fn labs_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", LABS_JS)
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(body)
}

/// Send `GET path` to this server with one credential header, the way the page's curl line
/// would, and keep what came back.
pub async fn present(
    req: &HttpRequest,
    path: &str,
    header: (&'static str, String),
    what: String,
) -> pages::Sent {
    let curl = format!(
        "curl -i -H '{}: {}' {}{path}",
        header.0,
        header.1,
        origin(req)
    );
    let answer = loopback::send(req, reqwest::Method::GET, path, &[header], None)
        .await
        .unwrap_or_else(|err| loopback::Answer {
            status: 0,
            body: format!("the request failed: {err}"),
            set_cookies: Vec::new(),
        });
    let explanation = answer
        .error_code()
        .and_then(|code| authlab_core::Rejection::from_code(&code))
        .map(|rejection| rejection.explanation());
    pages::Sent {
        what,
        curl,
        answer,
        explanation,
    }
}
