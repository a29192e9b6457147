//! A stolen refresh token: copy this browser's refresh token into a second browser (the thief),
//! let the thief use it, then refresh here. The second use of the spent token, after the grace,
//! is reuse: the server ends the whole login (the thief's newer token too) and both browsers are
//! told why (RFC 9700 §4.14.2).
//!
//! Both "refresh now" and "use a copied token" go through the mount's own rotation: the handler
//! only drops the access cookie (and, for the copy, plants the refresh cookie) and sends the
//! browser back to this page, whose request is then refreshed on its way in like any page.

use actix_web::{
    cookie::{time, Cookie, SameSite},
    http::StatusCode,
    web, HttpRequest, HttpResponse,
};
use authlab_core::{Authentication, Identity};
use authlab_refresh::{RefreshToken, ACCESS_COOKIE, REFRESH_COOKIE, SLUG};

use super::{pages::StolenPage, Lab, LabInfo};
use crate::{
    csrf::CsrfToken,
    errors::{see_other, PageError},
    forms::CheckedForm,
    render::{self, private},
    Mount, Mounts, Settings,
};

pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "stolen-refresh",
        title: "A stolen refresh token",
        summary: "Use one refresh token in two browsers: the second use ends the login for both, \
                  and the page says why.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: Some((SLUG, mount_routes)),
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/stolen-refresh", web::get().to(show_outside));
}

/// `GET /labs/stolen-refresh`: the page as the index links it. It is outside `/refresh`, so it
/// never sees the browser's `/refresh` cookies: it says so and links to the lab under the mount.
pub async fn show_outside(
    mounts: web::Data<Mounts>,
    settings: web::Data<Settings>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let mount = mounts
        .get(SLUG)
        .ok_or_else(|| anyhow::anyhow!("this server has no /{SLUG} mount"))?;
    Ok(page(
        &csrf,
        mount,
        &settings,
        PageState {
            outside: true,
            ..PageState::default()
        },
    ))
}

fn mount_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/stolen-refresh", web::get().to(show))
        .route("/labs/stolen-refresh/refresh", web::post().to(refresh_now))
        .route("/labs/stolen-refresh/use-copy", web::post().to(use_copy));
}

pub async fn show(
    req: HttpRequest,
    mount: web::Data<Mount>,
    settings: web::Data<Settings>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let (identity, ended) = match mount.backend.authenticate(&req).await? {
        Authentication::Authenticated(identity) => (Some(identity), None),
        Authentication::Rejected(rejection) => (None, Some(rejection.explanation())),
        Authentication::Anonymous => (None, None),
    };
    let token = identity
        .as_ref()
        .and_then(|_| authlab_refresh::backend::presented_refresh(&req))
        .map(|token| token.expose().to_owned());
    let mut response = page(
        &csrf,
        &mount,
        &settings,
        PageState {
            identity,
            token,
            ended,
            refreshed: authlab_refresh::rotation::refreshed_now(),
            ..PageState::default()
        },
    );
    if ended.is_some() {
        // The dead cookies are forgotten; the page keeps saying why.
        for cookie in mount.backend.forget() {
            response
                .add_cookie(&cookie)
                .map_err(|err| anyhow::anyhow!("cannot clear a cookie: {err}"))?;
        }
    }
    Ok(response)
}

/// Drop the access cookie so that the next page must refresh, and go there.
pub async fn refresh_now(
    settings: web::Data<Settings>,
    _form: CheckedForm,
) -> Result<HttpResponse, PageError> {
    let mut response = see_other(&SLUG.path("labs/stolen-refresh"));
    response
        .add_cookie(&removal(ACCESS_COOKIE.as_str(), &settings))
        .map_err(|err| anyhow::anyhow!("cannot drop the access cookie: {err}"))?;
    Ok(response)
}

/// Be the thief: plant the copied refresh token in this browser, and refresh with it.
pub async fn use_copy(
    mount: web::Data<Mount>,
    settings: web::Data<Settings>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let copied = form.take("token")?;
    let Some(token) = RefreshToken::parse(copied.trim()) else {
        return Ok(page(
            &csrf,
            &mount,
            &settings,
            PageState {
                problem: Some("That is not a refresh token: 43 characters of base64url."),
                ..PageState::default()
            },
        ));
    };
    let planted = Cookie::build(REFRESH_COOKIE.as_str(), token.expose().to_owned())
        .path(SLUG.prefix())
        .http_only(true)
        .secure(settings.cookie_secure())
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(
            i64::try_from(settings.refresh_ttl).unwrap_or(i64::MAX),
        ))
        .finish();
    let mut response = see_other(&SLUG.path("labs/stolen-refresh"));
    for cookie in [removal(ACCESS_COOKIE.as_str(), &settings), planted] {
        response
            .add_cookie(&cookie)
            .map_err(|err| PageError::from(anyhow::anyhow!("cannot set a cookie: {err}")))?;
    }
    Ok(response)
}

fn removal(name: &'static str, settings: &Settings) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "")
        .path(SLUG.prefix())
        .http_only(true)
        .secure(settings.cookie_secure())
        .finish();
    cookie.make_removal();
    cookie
}

/// What the page says of this browser's login.
#[derive(Default)]
struct PageState {
    identity: Option<Identity>,
    token: Option<String>,
    ended: Option<&'static str>,
    refreshed: bool,
    problem: Option<&'static str>,
    /// Served at `/labs/…`, where the `/refresh` cookies never arrive.
    outside: bool,
}

fn page(csrf: &CsrfToken, mount: &Mount, settings: &Settings, state: PageState) -> HttpResponse {
    private(render::html(
        StatusCode::OK,
        &StolenPage {
            lab: &LAB.info,
            csrf: csrf.value(),
            mount,
            grace: settings.refresh_reuse_grace,
            identity: state.identity,
            token: state.token,
            ended: state.ended,
            refreshed: state.refreshed,
            problem: state.problem,
            outside: state.outside,
        },
    ))
}
