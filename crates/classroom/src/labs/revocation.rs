//! Log out, then replay: the same handler under every mount.
//!
//! The handler copies the credential this browser sent to the mount, logs out the mount's way,
//! and then sends the copy back to the mount's `/api/me` as a real request. A session is dead at
//! once (its record is gone); a JWT keeps working until its `exp`, because there was nothing on
//! the server to delete (unless the denylist is on). The page shows the curl line that does the
//! same replay from a terminal, and a button to replay again later.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::Authentication;

use reqwest::Method;

use super::{
    loopback,
    pages::{BearerRow, RevocationPage, RevocationResult},
    present, Lab, LabInfo,
};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    Mount, Mounts,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "revocation",
        title: "Log out, then replay",
        summary: "Log out of a mount while keeping a copy of the credential, then send the copy \
                      again.",
        affects: None,
    },
    page_routes,
    under_each_mount: Some(mount_routes),
    under_token_mount: None,
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/revocation", web::get().to(show))
        .route("/labs/revocation/bearer", web::post().to(compare_bearers));
}

fn mount_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/revocation", web::post().to(submit))
        .route("/labs/replay", web::post().to(replay));
}

/// The name of the cookie that carries a login on `mount`, as the mount declares it.
pub fn credential_cookie(mount: &Mount) -> String {
    mount
        .credential
        .cookie
        .map(|name| name.as_str().to_owned())
        .unwrap_or_default()
}

pub async fn show(mounts: web::Data<Mounts>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&mounts, &csrf, None, None, None)
}

/// The demo account the bearer comparison logs in as.
const BEARER_DEMO: (&str, &str) = ("bob", "builder");

/// `POST /labs/revocation/bearer`: on every mount that hands programs a bearer token, log in
/// through the API, log out through the API with the token, and replay the token: the random
/// token (the session mounts) dies at logout, `/jwt`'s does not, `/refresh`'s access token
/// lives until its short exp.
pub async fn compare_bearers(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let mut rows = Vec::new();
    for mount in mounts.login() {
        let login = loopback::send(
            &req,
            Method::POST,
            &mount.path("api/login"),
            &[],
            Some(serde_json::json!({ "username": BEARER_DEMO.0, "password": BEARER_DEMO.1 })),
        )
        .await
        .map_err(|err| anyhow::anyhow!("the lab's login request failed: {err}"))?;
        let Some(token) = login.bearer_token() else {
            continue;
        };
        let expires_in = serde_json::from_str::<serde_json::Value>(&login.body)
            .ok()
            .and_then(|body| body["expires_in"].as_u64());
        let bearer = ("Authorization", format!("Bearer {token}"));
        let logout = loopback::send(
            &req,
            Method::POST,
            &mount.path("api/logout"),
            std::slice::from_ref(&bearer),
            None,
        )
        .await
        .map_err(|err| anyhow::anyhow!("the lab's logout request failed: {err}"))?;
        let replay = present(
            &req,
            &mount.path("api/me"),
            bearer,
            format!("/{}'s bearer token after logout", mount.slug),
        )
        .await;
        rows.push(BearerRow {
            mount: mount.as_ref(),
            logout_status: logout.status,
            expires_in,
            replay,
        });
    }
    page(&mounts, &csrf, None, None, Some(rows))
}

/// `POST /<mount>/labs/revocation`: copy, log out, replay.
pub async fn submit(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    mount: web::Data<Mount>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let cookie_name = credential_cookie(&mount);
    let copy = req.cookie(&cookie_name).map(|c| c.value().to_owned());
    let identity = match mount.backend.authenticate(&req).await? {
        Authentication::Authenticated(identity) => Some(identity),
        _ => None,
    };
    let (Some(copy), Some(identity)) = (copy, identity) else {
        return page(
            &mounts,
            &csrf,
            Some(format!(
                "You are not logged in to /{} in this browser: log in there first.",
                mount.slug
            )),
            None,
            None,
        );
    };
    let removal = mount.backend.logout(&req).await?;
    let replay = replay_of(&req, &mount, &cookie_name, &copy, "after logout").await;
    let mut response = page(
        &mounts,
        &csrf,
        None,
        Some(RevocationResult {
            mount: &mount,
            logged_out: Some(identity),
            cookie_name,
            credential: copy,
            replay,
        }),
        None,
    )?;
    for cookie in &removal {
        response
            .add_cookie(cookie)
            .map_err(|err| anyhow::anyhow!("cannot clear the login cookie: {err}"))?;
    }
    Ok(response)
}

/// `POST /<mount>/labs/replay`: send the copy again, now.
pub async fn replay(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    mount: web::Data<Mount>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let credential = form.take("credential")?;
    let cookie_name = credential_cookie(&mount);
    let replay = replay_of(&req, &mount, &cookie_name, &credential, "replayed again").await;
    Ok(page(
        &mounts,
        &csrf,
        None,
        Some(RevocationResult {
            mount: &mount,
            logged_out: None,
            cookie_name,
            credential,
            replay,
        }),
        None,
    )?)
}

async fn replay_of(
    req: &HttpRequest,
    mount: &Mount,
    cookie_name: &str,
    credential: &str,
    when: &str,
) -> super::pages::Sent {
    present(
        req,
        &mount.path("api/me"),
        ("Cookie", format!("{cookie_name}={credential}")),
        format!("The copied {cookie_name} cookie, {when}"),
    )
    .await
}

fn page<'a>(
    mounts: &'a Mounts,
    csrf: &'a CsrfToken,
    problem: Option<String>,
    result: Option<RevocationResult<'a>>,
    bearers: Option<Vec<BearerRow<'a>>>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &RevocationPage {
            lab,
            csrf: csrf.value(),
            mounts: mounts.login().map(|m| m.as_ref()).collect(),
            problem,
            result,
            bearers,
        },
    )))
}
