//! Rotate the JWT key while the server runs.
//!
//! Both ways are operations of the JWT mount's key ring, kept in the data directory so a restart
//! keeps them: **with overlap** a new key signs and the old one keeps verifying until the last
//! token it signed has expired (nobody is logged out); the **emergency** drops every old key at
//! once (a leaked key: everyone is logged out). With `AUTHLAB_JWT_SECRET` set, the key belongs to
//! whoever set it, and the lab refuses rather than invent a key the next start would not know.

use super::{Lab, LabInfo};
use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_core::Secret;
use sha2::{Digest, Sha256};

use super::pages::RotatePage;
use crate::{
    announcements::Announcements,
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    teacher::{tools::announce, Teacher, TeacherDesk, Tool},
    Settings, TokenKit,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
            slug: "rotate",
            title: "Rotate the JWT key",
            summary: "Replace the key that signs tokens while the server runs: gently, with overlap, or all at once.",
            affects: Some("Replaces the /jwt signing key for everybody: with overlap nobody is logged out; the emergency ends every /jwt login in the room. The key files in the data directory are replaced."),
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
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

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    _teacher: Teacher,
    tokens: web::Data<TokenKit>,
    settings: web::Data<Settings>,
    desk: web::Data<TeacherDesk>,
    board: web::Data<Announcements>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    // The emergency is the default: a post without a mode (the page before the overlap button
    // existed, a curl line) does what the one button always did.
    let mode = match form.take("mode").ok().as_deref() {
        Some("overlap") => Rotation::Overlap,
        _ => Rotation::RevokeAll,
    };
    // A refusal (a typed key) changes nothing, so it starts no cooldown.
    if settings.jwt_secret.is_none() {
        desk.cooldowns.begin(Tool::Rotate, "")?;
    }
    let outcome = rotate(&tokens, &settings, mode);
    if outcome.is_ok() {
        match mode {
            Rotation::Overlap => announce(&board, "rotated the JWT key, with overlap", &[]),
            Rotation::RevokeAll => announce(&board, "rotated the JWT key", &[tokens.mount]),
        }
    }
    Ok(page(&tokens, &csrf, Some(outcome))?)
}

/// The two ways to change the key, both operations of the key ring.
#[derive(Clone, Copy)]
enum Rotation {
    /// A new signing key; the old one verifies until the last token it signed has expired.
    Overlap,
    /// A new signing key and no other: every token so far is refused (a leaked key).
    RevokeAll,
}

fn rotate(tokens: &TokenKit, settings: &Settings, mode: Rotation) -> Result<String, String> {
    if settings.jwt_secret.is_some() {
        return Err(
            "The key comes from AUTHLAB_JWT_SECRET, so this server will not replace it: \
                    unset the variable to use a generated key file, which this lab can rotate."
                .into(),
        );
    }
    let old = current_fingerprint(tokens);
    let done = match mode {
        Rotation::Overlap => tokens.keys.rotate_with_overlap(),
        Rotation::RevokeAll => tokens.keys.revoke_all(),
    };
    // The errors name the data directory's absolute path: logged for the operator, never shown.
    done.map_err(|err| {
        tracing::error!(error = %err, "the rotate lab could not change the key");
        "The new key could not be made or kept in the data directory, so the key was not \
         rotated. The server log has the details."
            .to_owned()
    })?;
    let new = current_fingerprint(tokens);
    tracing::warn!(%old, %new, "JWT key rotated by the rotate lab");
    Ok(match mode {
        Rotation::Overlap => format!(
            "Key {old} replaced by key {new} for signing; {old} still verifies the tokens it \
             signed until they expire, so nobody was logged out."
        ),
        Rotation::RevokeAll => format!(
            "Key {old} replaced by key {new}, and no old key kept: every /jwt token signed \
             before now is refused."
        ),
    })
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
