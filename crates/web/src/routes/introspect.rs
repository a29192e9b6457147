//! `POST /introspect` (RFC 7662): a resource server asks whether a token is active and for whom.
//!
//! The answer for an inactive token is `{"active": false}` and nothing more, whatever the reason
//! (unknown, expired, tampered, logged out): §2.2 forbids telling them apart, which would help a
//! token scanner. A token store that cannot answer is a 503, never "inactive": a resource server
//! would otherwise log users out over an outage.

use actix_web::{
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse, ResponseError,
};
use authlab_core::{ActiveToken, BackendError};
use serde::Serialize;
use serde_json::json;

use crate::{
    errors::store_unavailable_json,
    forms::{self, FormError},
    introspection::Introspection,
};

/// No token this server issues is anywhere near this long; longer ones are not looked at.
const MAX_TOKEN_BYTES: usize = 4096;

/// What the endpoint can fail with.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("the caller did not present the resource servers' secret")]
    UnknownCaller,
    #[error("bad introspection request: {0}")]
    BadRequest(#[from] FormError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl ResponseError for IntrospectError {
    fn status_code(&self) -> StatusCode {
        match self {
            IntrospectError::UnknownCaller => StatusCode::UNAUTHORIZED,
            IntrospectError::BadRequest(_) => StatusCode::BAD_REQUEST,
            IntrospectError::Backend(BackendError::Unavailable { .. }) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            IntrospectError::Backend(BackendError::Internal(_)) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // RFC 6749 §5.2: invalid_client, with the scheme to use.
            IntrospectError::UnknownCaller => {
                tracing::warn!("introspection refused: unknown caller");
                HttpResponse::Unauthorized()
                    .insert_header((
                        header::WWW_AUTHENTICATE,
                        "Basic realm=\"authlab introspection\"",
                    ))
                    .json(json!({"error": "invalid_client",
                        "error_description": "authenticate with the resource servers' secret (HTTP Basic or Bearer)"}))
            }
            IntrospectError::BadRequest(err) => {
                tracing::warn!(error = %err, "bad introspection request");
                HttpResponse::BadRequest().json(json!({"error": "invalid_request",
                    "error_description": err.to_string()}))
            }
            IntrospectError::Backend(BackendError::Unavailable { what, .. }) => {
                store_unavailable_json(what)
            }
            IntrospectError::Backend(err @ BackendError::Internal(_)) => {
                tracing::error!(error = ?err, "introspection failed");
                HttpResponse::InternalServerError().json(json!({"error": "server_error"}))
            }
        }
    }
}

/// The RFC 7662 §2.2 answer for an active token (`role` is ours; `scope` carries it too).
#[derive(Serialize)]
struct Active<'a> {
    active: bool,
    sub: &'a str,
    username: &'a str,
    name: &'a str,
    role: &'a str,
    scope: &'a str,
    token_type: &'static str,
    /// Not in RFC 7662: whether this was a signed JWT or an opaque token.
    token_kind: &'static str,
    exp: i64,
    iat: i64,
    iss: &'a str,
    aud: &'a str,
}

impl<'a> From<&'a ActiveToken> for Active<'a> {
    fn from(token: &'a ActiveToken) -> Self {
        Active {
            active: true,
            sub: &token.sub,
            username: &token.sub,
            name: &token.name,
            role: token.role.as_str(),
            scope: token.role.as_str(),
            token_type: token.kind.token_type(),
            token_kind: token.kind.as_str(),
            exp: token.exp,
            iat: token.iat,
            iss: &token.iss,
            aud: &token.aud,
        }
    }
}

pub async fn submit(
    req: HttpRequest,
    introspection: web::Data<Introspection>,
    body: web::Bytes,
) -> Result<HttpResponse, IntrospectError> {
    // The caller first: an unknown one learns nothing, not even whether its form was well made.
    if !introspection.caller_is_known(&req) {
        return Err(IntrospectError::UnknownCaller);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(FormError::WrongContentType.into());
    }
    let mut fields = forms::parse(&body)?;
    let token = fields.remove("token").ok_or(FormError::Missing("token"))?;
    let mut found = None;
    if token.len() <= MAX_TOKEN_BYTES {
        for source in introspection.sources() {
            if let Some(active) = source.introspect(&token).await? {
                found = Some(active);
                break;
            }
        }
    }
    let response = match &found {
        Some(active) => serde_json::to_value(Active::from(active)),
        None => Ok(json!({"active": false})),
    }
    .map_err(BackendError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(response))
}
