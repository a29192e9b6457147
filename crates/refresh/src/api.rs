//! The OAuth 2.0 side of `/refresh` (RFC 6749): `POST /refresh/api/token` with
//! `grant_type=refresh_token` (§6), form-encoded as the RFC says or JSON, answering a token
//! response (§5.1) or `400 {"error": "invalid_grant"}` (§5.2); and `POST /refresh/api/logout`,
//! which ends the login a refresh token (or an access token) names.
//!
//! `POST /refresh/api/login` and `GET /refresh/api/me` are the product's, as on every mount.

use actix_web::{
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse,
};
use authlab_core::BackendError;
use authlab_session::StoreDownAnswer;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    backend::{bearer, Pair},
    store::Refusal,
    token::RefreshToken,
    RefreshBackend,
};

/// How the token endpoints answer when Redis is down, as request data.
#[derive(Clone, Copy)]
pub struct StoreDown(pub StoreDownAnswer);

/// RFC 6749 §5.1.
#[derive(Serialize)]
pub struct TokenResponse<'a> {
    pub access_token: &'a str,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: &'a str,
}

/// The parameters of a token or logout request, however they were encoded.
#[derive(Deserialize, Default)]
struct Params {
    grant_type: Option<String>,
    refresh_token: Option<String>,
}

/// An RFC 6749 §5.2 error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({ "error": error, "error_description": description }))
}

fn invalid_request(description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The body as form fields (RFC 6749's encoding) or JSON. A repeated parameter is refused
/// (RFC 6749 §3.2: "MUST NOT be included more than once").
fn params(req: &HttpRequest, body: &[u8]) -> Result<Params, &'static str> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if body.is_empty() {
        return Ok(Params::default());
    }
    if content_type.starts_with("application/json") {
        return serde_json::from_slice(body)
            .map_err(|_| "the body is not a JSON object of strings");
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err("send application/x-www-form-urlencoded (RFC 6749 §6) or application/json");
    }
    let mut params = Params::default();
    for (name, value) in url::form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "grant_type" => &mut params.grant_type,
            "refresh_token" => &mut params.refresh_token,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err("a parameter was sent more than once");
        }
    }
    Ok(params)
}

/// The access token of an `Authorization: Bearer` header, when the client sends one.
fn bearer_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .map(str::to_owned)
}

fn unavailable(req: &HttpRequest, err: BackendError) -> HttpResponse {
    match err {
        BackendError::Unavailable { what, .. } => {
            let answer = req
                .app_data::<web::Data<StoreDown>>()
                .map(|down| down.0)
                .unwrap_or(|_, _| HttpResponse::ServiceUnavailable().finish());
            answer(what, true)
        }
        BackendError::Internal(err) => {
            tracing::error!(error = %err, "token endpoint failed");
            HttpResponse::InternalServerError()
                .json(json!({ "error": "server_error", "error_description": "see the server log" }))
        }
    }
}

/// `POST /refresh/api/token`.
pub async fn token(
    req: HttpRequest,
    body: web::Bytes,
    backend: web::Data<RefreshBackend>,
) -> HttpResponse {
    let params = match params(&req, &body) {
        Ok(params) => params,
        Err(problem) => return invalid_request(problem),
    };
    match params.grant_type.as_deref() {
        Some("refresh_token") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "this endpoint takes grant_type=refresh_token",
            )
        }
        None => return invalid_request("grant_type is missing"),
    }
    let Some(raw) = params.refresh_token else {
        return invalid_request("refresh_token is missing");
    };
    let Some(refresh) = RefreshToken::parse(&raw) else {
        return invalid_grant(Refusal::Unknown);
    };
    match backend.refresh(&refresh, bearer_of(&req).as_deref()).await {
        Ok(Ok(pair)) => token_response(&backend, &pair),
        Ok(Err(refusal)) => invalid_grant(refusal),
        Err(err) => unavailable(&req, err),
    }
}

fn invalid_grant(refusal: Refusal) -> HttpResponse {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        refusal.description(),
    )
}

fn token_response(backend: &RefreshBackend, pair: &Pair) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: &pair.access,
            token_type: "Bearer",
            expires_in: backend.settings().access_ttl.as_secs(),
            refresh_token: pair.refresh.token.expose(),
        })
}

/// `POST /refresh/api/logout`: end the login of the `refresh_token` in the body and of the
/// bearer access token, whichever the client sends. Like RFC 7009's revocation, a token that
/// names nothing is not an error.
pub async fn logout(
    req: HttpRequest,
    body: web::Bytes,
    backend: web::Data<RefreshBackend>,
) -> HttpResponse {
    let params = match params(&req, &body) {
        Ok(params) => params,
        Err(problem) => return invalid_request(problem),
    };
    let access = bearer_of(&req);
    if params.refresh_token.is_none() && access.is_none() {
        return invalid_request("send refresh_token, or the access token as Authorization: Bearer");
    }
    let refresh = params
        .refresh_token
        .as_deref()
        .and_then(RefreshToken::parse);
    match backend
        .end_logins(refresh.as_ref(), access.as_deref())
        .await
    {
        Ok(ended) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({ "ended": ended })),
        Err(err) => unavailable(&req, err),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn form(body: &str) -> Result<Params, &'static str> {
        let req = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .to_http_request();
        params(&req, body.as_bytes())
    }

    #[test]
    fn the_form_of_rfc_6749_is_read_and_a_repeated_parameter_refused() {
        let good = form("grant_type=refresh_token&refresh_token=abc&scope=ignored").expect("ok");
        let repeated = form("grant_type=refresh_token&refresh_token=a&refresh_token=b");

        assert_eq!(good.grant_type.as_deref(), Some("refresh_token"));
        assert_eq!(good.refresh_token.as_deref(), Some("abc"));
        assert_eq!(repeated.err(), Some("a parameter was sent more than once"));
    }

    #[test]
    fn another_content_type_is_refused_and_json_is_read() {
        let text = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "text/plain"))
            .to_http_request();
        let json = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .to_http_request();

        assert!(params(&text, b"grant_type=refresh_token").is_err());
        let read = params(
            &json,
            br#"{"grant_type":"refresh_token","refresh_token":"x"}"#,
        )
        .expect("JSON");
        assert_eq!(read.refresh_token.as_deref(), Some("x"));
        assert!(params(&json, b"[1, 2]").is_err());
    }

    #[test]
    fn only_a_bearer_header_with_a_token_names_an_access_token() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
    }
}
