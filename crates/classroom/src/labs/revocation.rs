//! Log out, then replay: the same handler under every mount.
//!
//! The handler copies the credential this browser sent to the mount, logs out the mount's way,
//! and then sends the copy back to the mount's `/api/me` as a real request. A session is dead at
//! once (its record is gone); a JWT keeps working until its `exp`, because there was nothing on
//! the server to delete (unless the denylist is on). The page shows the curl line that does the
//! same replay from a terminal, and a button to replay again later.
//!
//! The copies so far travel in the page's forms (`copy_<mount>`), so each press replays them
//! all: the session's 401 and the JWT's 200 stand side by side instead of one replacing the other.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::Authentication;

use reqwest::Method;

use super::{
    loopback,
    pages::{BearerRow, LoggedOut, RevocationPage, RevocationResult},
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
    page(&mounts, &csrf, None, None, Vec::new(), None)
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
    page(&mounts, &csrf, None, None, Vec::new(), Some(rows))
}

/// The field a form carries a copy of `mount`'s credential in, so that the next press shows the
/// earlier replays beside its own (the session 401 next to the JWT 200).
fn copy_field(mount: &Mount) -> String {
    format!("copy_{}", mount.slug)
}

/// The copies the form carries for the login mounts other than `except`.
fn held_copies<'a>(
    form: &mut CheckedForm,
    mounts: &'a Mounts,
    except: &Mount,
) -> Vec<(&'a Mount, String)> {
    mounts
        .login()
        .filter(|m| m.slug != except.slug)
        .filter_map(|m| {
            form.take_optional(&copy_field(m))
                .filter(|copy| !copy.is_empty())
                .map(|copy| (m.as_ref(), copy))
        })
        .collect()
}

/// Replay every copy at its own mount, in the order of the mounts.
async fn replay_all<'a>(
    req: &HttpRequest,
    mounts: &'a Mounts,
    mut copies: Vec<(&'a Mount, String)>,
    when: &str,
) -> Vec<RevocationResult<'a>> {
    let order = |m: &Mount| mounts.login().position(|n| n.slug == m.slug);
    copies.sort_by_key(|(m, _)| order(m));
    let mut results = Vec::new();
    for (mount, credential) in copies {
        let cookie_name = credential_cookie(mount);
        let replay = replay_of(req, mount, &cookie_name, &credential, when).await;
        results.push(RevocationResult {
            mount,
            cookie_name,
            field: copy_field(mount),
            credential,
            replay,
        });
    }
    results
}

/// `POST /<mount>/labs/revocation`: copy, log out, replay (and replay the copies held so far).
pub async fn submit(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    mount: web::Data<Mount>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let mut copies = held_copies(&mut form, &mounts, &mount);
    let cookie_name = credential_cookie(&mount);
    let copy = req.cookie(&cookie_name).map(|c| c.value().to_owned());
    let identity = match mount.backend.authenticate(&req).await? {
        Authentication::Authenticated(identity) => Some(identity),
        _ => None,
    };
    let (Some(copy), Some(identity)) = (copy, identity) else {
        let results = replay_all(&req, &mounts, copies, "replayed again").await;
        return page(
            &mounts,
            &csrf,
            Some(format!(
                "You are not logged in to /{} in this browser: log in there first.",
                mount.slug
            )),
            None,
            results,
            None,
        );
    };
    let removal = mount.backend.logout(&req).await?;
    let this = mounts
        .login()
        .find(|m| m.slug == mount.slug)
        .map(|m| m.as_ref())
        .ok_or_else(|| anyhow::anyhow!("the mount is not in the list"))?;
    copies.push((this, copy));
    let results = replay_all(&req, &mounts, copies, "after logout").await;
    let mut response = page(
        &mounts,
        &csrf,
        None,
        Some(LoggedOut {
            mount: mount.slug,
            identity,
        }),
        results,
        None,
    )?;
    for cookie in &removal {
        response
            .add_cookie(cookie)
            .map_err(|err| anyhow::anyhow!("cannot clear the login cookie: {err}"))?;
    }
    Ok(response)
}

/// `POST /<mount>/labs/replay`: send every copy again, now.
pub async fn replay(
    req: HttpRequest,
    mounts: web::Data<Mounts>,
    mount: web::Data<Mount>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let mut copies = held_copies(&mut form, &mounts, &mount);
    // `credential`: this mount's copy (the field the lab's first version posted).
    let own = form
        .take_optional("credential")
        .or_else(|| form.take_optional(&copy_field(&mount)));
    if let (Some(own), Some(this)) = (own, mounts.login().find(|m| m.slug == mount.slug)) {
        copies.push((this.as_ref(), own));
    }
    let results = replay_all(&req, &mounts, copies, "replayed again").await;
    Ok(page(&mounts, &csrf, None, None, results, None)?)
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
    logged_out: Option<LoggedOut>,
    results: Vec<RevocationResult<'a>>,
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
            logged_out,
            results,
            bearers,
        },
    )))
}
