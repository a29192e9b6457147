//! `GET /{b}/login` (the form) and `POST /{b}/login` (the form's target).

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Authentication, Rejection, UserDirectory};
use serde::Deserialize;

use crate::{
    announcements::{unix_now, Announcements},
    csrf::CsrfToken,
    errors::{see_other, PageError},
    forms::LoginForm,
    lan_warning::{lan_warning, LanWarning},
    login_stamp, render,
    routes::credentials::{check_password, PasswordCheck},
    templates::LoginPage,
    throttle::LoginThrottle,
    Mount, Settings,
};

/// Said for an unknown user and a wrong password alike, so the form does not reveal which
/// usernames exist.
pub const WRONG_CREDENTIALS: &str = "Wrong username or password.";

#[derive(Deserialize)]
pub struct LoginQuery {
    reason: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    mount: web::Data<Mount>,
    query: Option<web::Query<LoginQuery>>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    // Say "the store is down" now, not after the student has typed a password.
    mount.backend.readiness().await?;
    let logged_in_as = match mount.backend.authenticate(&req).await? {
        Authentication::Authenticated(identity) => Some(identity),
        Authentication::Anonymous | Authentication::Rejected(_) => None,
    };
    // Only known codes are shown, as our own words: a crafted ?reason= cannot inject text.
    let rejection = query
        .and_then(|q| q.into_inner().reason)
        .and_then(|code| Rejection::from_code(&code));
    let logged_out_by = match (&logged_in_as, login_stamp::read(&req, mount.slug)) {
        (None, Some(since)) => req
            .app_data::<web::Data<Announcements>>()
            .and_then(|board| board.ended_since(mount.slug, since))
            .map(|announcement| announcement.logged_out_sentence()),
        _ => None,
    };
    // The announcement is the true reason; the credential's own ("signed with another key")
    // would read to a student as "you tampered".
    let rejection = rejection.filter(|_| logged_out_by.is_none());
    Ok(render::html(
        StatusCode::OK,
        &LoginPage {
            mount: &mount,
            error: None,
            rejection,
            logged_in_as,
            username: "",
            csrf: csrf.value(),
            lan_warning: warning_for(&req),
            logged_out_by,
        },
    ))
}

pub async fn submit(
    req: HttpRequest,
    mount: web::Data<Mount>,
    users: web::Data<UserDirectory>,
    throttle: web::Data<LoginThrottle>,
    form: LoginForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let LoginForm { username, password } = form;
    let identity = match check_password(&req, users, throttle, username.clone(), password).await? {
        PasswordCheck::Accepted(identity) => identity,
        PasswordCheck::Throttled(throttled) => return Err(PageError::Throttled(throttled)),
        PasswordCheck::Busy { retry_after } => return Err(PageError::Busy { retry_after }),
        PasswordCheck::Refused => {
            tracing::info!(mount = %mount.slug, "failed login");
            return Ok(render::html(
                StatusCode::OK,
                &LoginPage {
                    mount: &mount,
                    error: Some(WRONG_CREDENTIALS),
                    rejection: None,
                    logged_in_as: None,
                    username: &username,
                    csrf: csrf.value(),
                    lan_warning: warning_for(&req),
                    logged_out_by: None,
                },
            ));
        }
    };
    let grant = mount.backend.login(&req, &identity).await?;
    let mut response = see_other(&mount.path("dashboard"));
    for cookie in grant
        .cookie
        .iter()
        .chain(grant.refresh.as_ref().map(|refresh| &refresh.cookie))
    {
        response
            .add_cookie(cookie)
            .map_err(|err| anyhow::anyhow!("cannot set the login cookie: {err}"))?;
    }
    let secure = req
        .app_data::<web::Data<Settings>>()
        .is_none_or(|settings| settings.cookie_secure());
    response
        .add_cookie(&login_stamp::stamp(mount.slug, unix_now(), secure))
        .map_err(|err| anyhow::anyhow!("cannot set the login stamp: {err}"))?;
    tracing::info!(mount = %mount.slug, user = %identity.username, "login");
    Ok(response)
}

/// The LAN banner, when this request's cookies would be dropped (see `lan_warning`).
fn warning_for(req: &HttpRequest) -> Option<LanWarning> {
    let secure = req
        .app_data::<web::Data<Settings>>()
        .is_none_or(|settings| settings.cookie_secure());
    lan_warning(req, secure)
}
