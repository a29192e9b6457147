//! Two forgeries of a token that says "alice, admin": one with `alg: none` and no signature, one
//! signed with a random key that is not the server's. Both are sent to the server for real.

use std::time::Duration;

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Identity, Role, Secret, UserDirectory};
use authlab_jwt::{codec::unix_now, JwtSettings, TokenCodec};
use rand::RngCore;

use super::{
    pages::{ForgedPage, Sent},
    present,
    token_view::{encode_part, TokenView},
    Lab, LabInfo,
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
        slug: "forged",
        title: "alg: none, and another key",
        summary:
            "Two classic forgeries: a token that claims it needs no signature, and one signed \
                      with a key that is not the server's.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: Some(token_routes),
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/forged", web::get().to(show));
}

fn token_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/forged", web::post().to(submit));
}

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None, None)
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    users: web::Data<UserDirectory>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let victim = users.lookup("alice").unwrap_or(Identity {
        username: "alice".into(),
        display_name: "Alice".into(),
        role: Role::Admin,
    });
    let victim = Identity {
        role: Role::Admin,
        ..victim
    };
    // The claims the server itself would write, so only the signature can give the forgery away.
    let claims = tokens.keys.load().claims_for(&victim, unix_now());
    let claims_json = serde_json::to_value(&claims).map_err(anyhow::Error::from)?;

    let none_token = format!(
        "{}.{}.",
        encode_part(&serde_json::json!({"alg": "none", "typ": "JWT"})),
        encode_part(&claims_json)
    );
    let mut other_key = [0u8; 32];
    rand::rng().fill_bytes(&mut other_key);
    let other = TokenCodec::new(&JwtSettings::new(
        Secret::new(other_key),
        Duration::from_secs(tokens.settings.ttl.as_secs()),
    ))
    .map_err(anyhow::Error::from)?;
    let other_token = other.sign(&claims).map_err(anyhow::Error::from)?;

    let mut result = Vec::new();
    for (token, what) in [
        (none_token, "alg: none, no signature at all"),
        (
            other_token,
            "HS256, signed with a random key that is not the server's",
        ),
    ] {
        let view = TokenView::of(&token)
            .ok_or_else(|| anyhow::anyhow!("a forged token has three parts"))?;
        let sent = present(
            &req,
            &tokens.mount.path("api/me"),
            ("Authorization", format!("Bearer {token}")),
            what.into(),
        )
        .await;
        result.push((view, sent));
    }
    page(&csrf, None, Some(result))
}

fn page(
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<Vec<(TokenView, Sent)>>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &ForgedPage {
            lab,
            csrf: csrf.value(),
            problem,
            result,
        },
    )))
}
