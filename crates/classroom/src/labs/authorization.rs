//! Authorization: alice (admin) and bob (user) each log in to every mount and open `/admin`, as
//! real requests to this server; the page shows the statuses that came back.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::UserDirectory;
use reqwest::Method;

use super::{
    loopback,
    pages::{AuthorizationPage, AuthorizationRow},
    revocation::credential_cookie,
    Lab, LabInfo,
};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    Mounts,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "authorization",
        title: "Authorization: /admin for alice and bob",
        summary: "Authentication says who you are; authorization says what you may do.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/authorization", web::get().to(show))
        .route("/labs/authorization", web::post().to(submit));
}

/// The documented demo accounts (README, login page).
const DEMO_LOGINS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None)
}

pub async fn submit(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    users: web::Data<UserDirectory>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let mut rows = Vec::new();
    for mount in mounts.login() {
        for (username, password) in DEMO_LOGINS {
            let login = loopback::send(
                &req,
                Method::POST,
                &mount.path("api/login"),
                &[],
                Some(serde_json::json!({ "username": username, "password": password })),
            )
            .await
            .map_err(|err| anyhow::anyhow!("the lab's login request failed: {err}"))?;
            // What the API handed out: a cookie (sessions) or a bearer token (JWT), sent back
            // the way a client would.
            let cookie_name = credential_cookie(mount);
            let credential = match (login.cookie(&cookie_name), login.bearer_token()) {
                (Some(value), _) => Some(("Cookie", format!("{cookie_name}={value}"))),
                (None, Some(token)) => Some(("Authorization", format!("Bearer {token}"))),
                (None, None) => None,
            };
            let admin_status = match credential {
                Some(header) => Some(
                    loopback::send(&req, Method::GET, &mount.path("admin"), &[header], None)
                        .await
                        .map_err(|err| anyhow::anyhow!("the lab's admin request failed: {err}"))?
                        .status,
                ),
                None => None,
            };
            rows.push(AuthorizationRow {
                mount: mount.slug.to_string(),
                username: username.to_owned(),
                role: users
                    .lookup(username)
                    .map(|i| i.role.to_string())
                    .unwrap_or_default(),
                login_status: login.status,
                admin_status,
            });
        }
    }
    page(&csrf, Some(rows))
}

fn page(csrf: &CsrfToken, rows: Option<Vec<AuthorizationRow>>) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &AuthorizationPage {
            lab,
            csrf: csrf.value(),
            rows,
        },
    )))
}
