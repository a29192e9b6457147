//! The payload is public: the browser's token read without the key.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_jwt::codec::unix_now;

use super::{
    browser_token,
    pages::{DecodePage, DecodeResult},
    token_view::TokenView,
    Lab, LabInfo, NO_TOKEN,
};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    inspector::Moment,
    render::{self, private},
    TokenKit,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "decode",
        title: "The payload is public",
        summary: "Read your token's claims without knowing the key.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: Some(token_routes),
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/decode", web::get().to(show));
}

fn token_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/decode", web::post().to(submit));
}

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None, None)
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let Some(view) = browser_token(&req, &tokens).and_then(|token| TokenView::of(&token)) else {
        return page(&csrf, Some(NO_TOKEN.into()), None);
    };
    let now = unix_now();
    let times = ["iat", "nbf", "exp"]
        .into_iter()
        .filter_map(|claim| view.number(claim).map(|at| (claim, at)))
        .map(|(claim, at)| (claim.to_owned(), at, in_words(at, now)))
        .collect();
    let shell = format!(
        "echo '{}' | tr '_-' '/+' | base64 -d 2>/dev/null; echo",
        view.payload_b64
    );
    page(&csrf, None, Some(DecodeResult { view, times, shell }))
}

/// `2026-11-25 19:40:00 UTC (in 15 min 0 s)`: the inspector's words for a moment.
fn in_words(at: i64, now: i64) -> String {
    let moment = Moment::at(at, now);
    format!("{} ({})", moment.utc, moment.relative)
}

fn page(
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<DecodeResult>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &DecodePage {
            lab,
            csrf: csrf.value(),
            problem,
            result,
        },
    )))
}
