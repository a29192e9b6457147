//! Rotate the JWT key while the server runs.
//!
//! A new key is made and written over the key file (so a restart keeps the new key, not the old
//! one), a codec is built for it once, and the key ring swaps it in: every token signed with the
//! old key is refused from the next request on. With `AUTHLAB_JWT_SECRET` set, the key belongs to
//! whoever set it, and the lab refuses rather than invent a key the next start would not know.

use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_core::Secret;
use authlab_jwt::{JwtSettings, TokenCodec};
use sha2::{Digest, Sha256};

use super::{lab, pages::RotatePage};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    keys, render,
    routes::dashboard::private,
    state::{GENERATED_JWT_SECRET_BYTES, JWT_SECRET_FILE},
    AppState,
};

/// The first 8 hex digits of SHA-256 of a key: enough to see it changed, useless to an attacker.
pub fn fingerprint(secret: &Secret) -> String {
    Sha256::digest(secret.expose())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn current_fingerprint(state: &AppState) -> String {
    fingerprint(state.jwt_keys.load().secret())
}

pub async fn show(state: web::Data<AppState>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&state, &csrf, None)
}

pub async fn submit(
    state: web::Data<AppState>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let outcome = rotate(&state);
    page(&state, &csrf, Some(outcome))
}

fn rotate(state: &AppState) -> Result<String, String> {
    if state.settings.jwt_secret.is_some() {
        return Err(
            "The key comes from AUTHLAB_JWT_SECRET, so this server will not replace it: \
                    unset the variable to use a generated key file, which this lab can rotate."
                .into(),
        );
    }
    let old = current_fingerprint(state);
    // The errors name the data directory's absolute path: logged for the operator, never shown.
    let secret = keys::replace(
        &state.settings.data_dir,
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
        ..state.jwt_settings.clone()
    })
    .map_err(|err| {
        tracing::error!(error = %err, "the rotate lab could not build a codec");
        "The new key could not be used, so the key was not rotated. The server log has the \
         details."
            .to_owned()
    })?;
    state.jwt_keys.rotate(codec);
    let new = current_fingerprint(state);
    tracing::warn!(%old, %new, "JWT key rotated by the rotate lab");
    Ok(format!("Key {old} replaced by key {new}."))
}

fn page(
    state: &AppState,
    csrf: &CsrfToken,
    outcome: Option<Result<String, String>>,
) -> Result<HttpResponse, PageError> {
    let lab = lab("rotate")?;
    Ok(private(render::html(
        StatusCode::OK,
        &RotatePage {
            lab,
            csrf: csrf.value(),
            fingerprint: current_fingerprint(state),
            outcome,
        },
    )))
}
