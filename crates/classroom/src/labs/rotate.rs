//! Rotate the JWT key while the server runs.
//!
//! A new key is made and written over the key file (so a restart keeps the new key, not the old
//! one), a codec is built for it once, and the key ring swaps it in: every token signed with the
//! old key is refused from the next request on. With `AUTHLAB_JWT_SECRET` set, the key belongs to
//! whoever set it, and the lab refuses rather than invent a key the next start would not know.

use super::{Lab, LabInfo};
use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_core::Secret;
use authlab_jwt::{JwtSettings, TokenCodec};
use sha2::{Digest, Sha256};

use super::pages::RotatePage;
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    Settings, TokenKit,
};
use authlab_web::keys::{self, GENERATED_JWT_SECRET_BYTES, JWT_SECRET_FILE};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
            slug: "rotate",
            title: "Rotate the JWT key",
            summary: "Replace the key that signs and checks tokens while the server runs.",
            affects: Some("Replaces the /jwt signing key for everybody: every /jwt login in the room ends, and the key file in the data directory is replaced."),
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/rotate", web::get().to(show))
        .route("/labs/rotate", web::post().to(submit));
}

/// The first 8 hex digits of SHA-256 of a key: enough to see it changed, useless to an attacker.
pub fn fingerprint(secret: &Secret) -> String {
    Sha256::digest(secret.expose())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn current_fingerprint(tokens: &TokenKit) -> String {
    fingerprint(tokens.keys.load().secret())
}

pub async fn show(tokens: web::Data<TokenKit>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&tokens, &csrf, None)
}

pub async fn submit(
    tokens: web::Data<TokenKit>,
    settings: web::Data<Settings>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let outcome = rotate(&tokens, &settings);
    page(&tokens, &csrf, Some(outcome))
}

fn rotate(tokens: &TokenKit, settings: &Settings) -> Result<String, String> {
    if settings.jwt_secret.is_some() {
        return Err(
            "The key comes from AUTHLAB_JWT_SECRET, so this server will not replace it: \
                    unset the variable to use a generated key file, which this lab can rotate."
                .into(),
        );
    }
    let old = current_fingerprint(tokens);
    // The errors name the data directory's absolute path: logged for the operator, never shown.
    let secret = keys::replace(
        &settings.data_dir,
        JWT_SECRET_FILE,
        GENERATED_JWT_SECRET_BYTES,
    )
    .map_err(|err| {
        tracing::error!(error = %err, "the rotate lab could not write the key file");
        "The new key could not be written to the data directory, so the key was not rotated. \
         The server log has the details."
            .to_owned()
    })?;
    let codec = TokenCodec::new(&JwtSettings {
        secret,
        ..tokens.settings.clone()
    })
    .map_err(|err| {
        tracing::error!(error = %err, "the rotate lab could not build a codec");
        "The new key could not be used, so the key was not rotated. The server log has the \
         details."
            .to_owned()
    })?;
    tokens.keys.rotate(codec);
    let new = current_fingerprint(tokens);
    tracing::warn!(%old, %new, "JWT key rotated by the rotate lab");
    Ok(format!("Key {old} replaced by key {new}."))
}

fn page(
    tokens: &TokenKit,
    csrf: &CsrfToken,
    outcome: Option<Result<String, String>>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &RotatePage {
            lab,
            csrf: csrf.value(),
            fingerprint: current_fingerprint(tokens),
            outcome,
        },
    )))
}
