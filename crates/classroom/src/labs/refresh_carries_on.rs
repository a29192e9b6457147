//! Access expires, refresh carries on: shorten the browser's `/refresh` access token to a few
//! seconds, then keep reloading. Once it has expired, the next page is refreshed on its way in
//! (a new access token and a new refresh token, `Server-Timing: refreshed`) and served as if
//! nothing happened; the page shows the token changing underneath.
//!
//! The short token is signed by the live key ring with the claims of the browser's current
//! login (its `sid` included); only `exp` is earlier, as in the expiry lab.

use std::time::Duration;

use actix_web::{
    cookie::{time, Cookie, SameSite},
    http::StatusCode,
    web, HttpRequest, HttpResponse,
};
use authlab_core::{Authentication, Identity, Rejection};
use authlab_jwt::codec::unix_now;
use authlab_refresh::{ACCESS_COOKIE, SLUG};

use super::{pages::CarriesOnPage, Lab, LabInfo};
use crate::{
    csrf::CsrfToken,
    errors::{see_other, PageError},
    forms::CheckedForm,
    render::{self, private},
    Mount, Mounts, Settings, TokenKit,
};

pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "refresh-carries-on",
        title: "Access expires, refresh carries on",
        summary: "Shorten your /refresh access token to a few seconds and keep reloading: the \
                  token changes underneath while the page keeps working.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: Some((SLUG, mount_routes)),
};

/// How long the lab's short access token lives.
pub const SHORT_SECS: i64 = 5;

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/refresh-carries-on", web::get().to(show_outside));
}

/// `GET /labs/refresh-carries-on`: the page as the index links it. It is outside `/refresh`,
/// so it never sees the browser's `/refresh` cookies: it says so and links to the lab there.
pub async fn show_outside(
    mounts: web::Data<Mounts>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let mount = mounts
        .get(SLUG)
        .ok_or_else(|| anyhow::anyhow!("this server has no /{SLUG} mount"))?;
    page(&csrf, None, None, None, mount, true)
}

fn mount_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/refresh-carries-on", web::get().to(show))
        .route("/labs/refresh-carries-on", web::post().to(shorten));
}

/// What the browser's login looks like on this request.
pub struct Now {
    pub identity: Identity,
    /// The access token's id and seconds left.
    pub jti: String,
    pub seconds_left: i64,
    /// This very request was refreshed on its way in.
    pub refreshed: bool,
}

pub async fn show(
    req: HttpRequest,
    mount: web::Data<Mount>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let (now, rejection) = match mount.backend.authenticate(&req).await? {
        Authentication::Authenticated(identity) => {
            let inspection = mount.backend.inspect(&req).await?;
            let payload: serde_json::Value = inspection
                .token
                .as_ref()
                .and_then(|token| serde_json::from_str(&token.payload_json).ok())
                .unwrap_or_default();
            let exp = payload["exp"].as_i64().unwrap_or(0);
            (
                Some(Now {
                    identity,
                    jti: payload["jti"].as_str().unwrap_or("").to_owned(),
                    seconds_left: exp - unix_now(),
                    refreshed: authlab_refresh::rotation::refreshed_now(),
                }),
                None,
            )
        }
        Authentication::Rejected(rejection) => (None, Some(rejection)),
        Authentication::Anonymous => (None, None),
    };
    page(&csrf, now, rejection, None, &mount, false)
}

/// `POST /refresh/labs/refresh-carries-on`: the same login's access token, living
/// [`SHORT_SECS`].
pub async fn shorten(
    req: HttpRequest,
    mount: web::Data<Mount>,
    tokens: web::Data<TokenKit>,
    settings: web::Data<Settings>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let presented = req
        .cookie(ACCESS_COOKIE.as_str())
        .map(|c| c.value().to_owned());
    let claims =
        match presented.map(|token| tokens.keys.verify(&token)) {
            Some(Ok(claims)) if claims.sid.is_some() => claims,
            _ => return page(
                &csrf,
                None,
                None,
                Some("Your browser sent no valid /refresh access token: log in to /refresh first."),
                &mount,
                false,
            ),
        };
    let now = unix_now();
    let short = authlab_jwt::Claims {
        exp: now + SHORT_SECS,
        ..claims
    };
    let token = tokens
        .keys
        .sign(&short)
        .map_err(|err| anyhow::anyhow!("cannot sign the short token: {err}"))?;
    // The cookie outlives the token, as the mount's own does, so the expired token comes back
    // and the rotation can check it names the same login as the refresh token.
    let cookie = Cookie::build(ACCESS_COOKIE.as_str(), token)
        .path(SLUG.prefix())
        .http_only(true)
        .secure(settings.cookie_secure())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(
            i64::try_from(Duration::from_secs(3600).as_secs()).unwrap_or(3600),
        ))
        .finish();
    let mut response = see_other(&SLUG.path("labs/refresh-carries-on"));
    response
        .add_cookie(&cookie)
        .map_err(|err| anyhow::anyhow!("cannot set the short token: {err}"))?;
    Ok(response)
}

fn page(
    csrf: &CsrfToken,
    now: Option<Now>,
    rejection: Option<Rejection>,
    problem: Option<&str>,
    mount: &Mount,
    outside: bool,
) -> Result<HttpResponse, PageError> {
    Ok(private(render::html(
        StatusCode::OK,
        &CarriesOnPage {
            lab: &LAB.info,
            csrf: csrf.value(),
            mount,
            short_secs: SHORT_SECS,
            reload: now
                .as_ref()
                .is_some_and(|now| now.seconds_left <= SHORT_SECS),
            now,
            rejection: rejection.map(Rejection::explanation),
            problem: problem.map(str::to_owned),
            outside,
        },
    )))
}
