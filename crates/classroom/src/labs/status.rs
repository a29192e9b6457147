//! `GET /<mount>/labs/status`: "am I logged in here?", asked of the mount's backend with the
//! cookie the browser sends to that mount. The lab pages embed one per mount in a frame, because
//! a page at `/labs/…` never receives the mounts' path-scoped cookies.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Authentication, BackendError};

use super::pages::StatusPage;
use crate::{
    render::{self, private},
    Mount,
};

pub async fn show(req: HttpRequest, mount: web::Data<Mount>) -> HttpResponse {
    let (state, text) = match mount.backend.authenticate(&req).await {
        Ok(Authentication::Authenticated(identity)) => (
            "in",
            format!(
                "logged in as {} (role {})",
                identity.username, identity.role
            ),
        ),
        Ok(Authentication::Anonymous) => ("out", "not logged in".to_owned()),
        Ok(Authentication::Rejected(rejection)) => {
            ("rejected", format!("refused: {}", rejection.explanation()))
        }
        Err(BackendError::Unavailable { .. }) => {
            ("down", "the store did not answer (503)".to_owned())
        }
        Err(BackendError::Internal(err)) => {
            tracing::error!(error = %err, "status probe failed");
            ("down", "internal error".to_owned())
        }
    };
    private(render::html(
        StatusCode::OK,
        &StatusPage {
            mount: &mount,
            state,
            text,
        },
    ))
}
