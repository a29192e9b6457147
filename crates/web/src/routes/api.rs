//! `POST /{b}/api/login` and `GET /{b}/api/me`: the same logins for programs instead of browsers.

use actix_web::{web, HttpRequest, HttpResponse};
use authlab_core::{Identity, UserDirectory};
use serde::{Deserialize, Serialize};

use crate::{
    errors::ApiError,
    extractors::ApiUser,
    routes::credentials::{check_password, PasswordCheck},
    throttle::LoginThrottle,
    Mount,
};

#[derive(Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize)]
pub struct LoginResponse<'a> {
    pub mount: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    /// The bearer token, for a backend that issues one (`/jwt`, the session mounts' opaque
    /// token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// For a backend with refresh tokens, the token response of OAuth 2.0 (RFC 6749 §5.1):
    /// `access_token` and `refresh_token` instead of `token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

#[derive(Serialize)]
pub struct Me<'a> {
    pub mount: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
}

pub async fn login(
    req: HttpRequest,
    mount: web::Data<Mount>,
    users: web::Data<UserDirectory>,
    throttle: web::Data<LoginThrottle>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let identity: Identity = match check_password(&req, users, throttle, username, password).await?
    {
        PasswordCheck::Accepted(identity) => identity,
        PasswordCheck::Refused => return Err(ApiError::WrongCredentials),
        PasswordCheck::Throttled(throttled) => return Err(ApiError::Throttled(throttled)),
        PasswordCheck::Busy { retry_after } => return Err(ApiError::Busy { retry_after }),
    };
    let grant = mount.backend.login_api(&req, &identity).await?;
    let token_type = grant.token.as_ref().map(|_| "Bearer");
    let (token, access_token, refresh_token) = match grant.refresh {
        Some(refresh) => (None, grant.token, Some(refresh.token)),
        None => (grant.token, None, None),
    };
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(LoginResponse {
            mount: mount.slug.as_str(),
            username: &identity.username,
            display_name: &identity.display_name,
            role: identity.role.as_str(),
            token,
            access_token,
            refresh_token,
            token_type,
            expires_in: grant.expires_in,
        }))
}

/// `POST /{b}/api/logout`: end the login this request carries (its bearer token or its
/// cookie) at once, as far as the backend can.
pub async fn logout(req: HttpRequest, mount: web::Data<Mount>) -> Result<HttpResponse, ApiError> {
    let removal = mount.backend.logout(&req).await?;
    let mut response = HttpResponse::NoContent();
    response.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    for cookie in removal {
        response.cookie(cookie);
    }
    Ok(response.finish())
}

pub async fn me(mount: web::Data<Mount>, ApiUser(identity): ApiUser) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Me {
            mount: mount.slug.as_str(),
            username: &identity.username,
            display_name: &identity.display_name,
            role: identity.role.as_str(),
        })
}
