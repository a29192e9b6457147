//! Tamper: change `role` in the browser's own token and send it to the server.
//!
//! The payload is only base64url, so changing it takes no key; the signature, computed over the
//! original header and payload, then no longer matches, and the verifier says so.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};

use super::{
    browser_token,
    pages::{TamperPage, TamperResult},
    present,
    token_view::{encode_part, TokenView},
    Lab, LabInfo, NO_TOKEN,
};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    TokenKit,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "tamper",
        title: "Tamper with the token",
        summary: "Change the role in your /jwt token's payload and send it to the server.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: Some(token_routes),
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/tamper", web::get().to(show));
}

fn token_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/tamper", web::post().to(submit));
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
    let Some(token) = browser_token(&req, &tokens) else {
        return page(&csrf, Some(NO_TOKEN.into()), None);
    };
    let Some(original) = TokenView::of(&token) else {
        return page(
            &csrf,
            Some("Your /jwt cookie is not a token of three parts.".into()),
            None,
        );
    };
    let mut payload = original.payload_json.clone().unwrap_or_default();
    let from_role = original.string("role").unwrap_or_default();
    // Promote a user, demote an admin: either way the claim changes.
    let to_role = if from_role == "admin" {
        "user"
    } else {
        "admin"
    };
    if let Some(claims) = payload.as_object_mut() {
        claims.insert("role".into(), to_role.into());
    }
    let forged_token = format!(
        "{}.{}.{}",
        original.header_b64,
        encode_part(&payload),
        original.signature_b64
    );
    let forged = TokenView::of(&forged_token).unwrap_or_else(|| original.clone());
    let original_sent = present(
        &req,
        &tokens.mount.path("api/me"),
        ("Authorization", format!("Bearer {token}")),
        "Your token, unchanged".into(),
    )
    .await;
    let forged_sent = present(
        &req,
        &tokens.mount.path("api/me"),
        ("Authorization", format!("Bearer {forged_token}")),
        format!("Your token with role changed to {to_role}, old signature kept"),
    )
    .await;
    page(
        &csrf,
        None,
        Some(TamperResult {
            original,
            forged,
            from_role,
            to_role: to_role.into(),
            original_sent,
            forged_sent,
        }),
    )
}

fn page(
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<TamperResult>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &TamperPage {
            lab,
            csrf: csrf.value(),
            problem,
            result,
        },
    )))
}
