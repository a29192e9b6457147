//! The service's endpoints: `GET /api/me` (JSON), the page at `/` that says who you are and how
//! it knew, and `/healthz`.

use std::sync::Arc;

use actix_web::{
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse, ResponseError,
};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::{
    checker::Checker,
    verdict::{CheckError, Refusal, Verified},
};

/// What every handler shares: the checker and the issuer's address (for the page's link).
pub struct Service {
    pub checker: Checker,
    pub issuer: String,
}

pub fn configure(service: Arc<Service>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(service))
            .app_data(web::FormConfig::default().limit(8 * 1024))
            .route("/", web::get().to(show))
            .route("/", web::post().to(submit))
            .route("/api/me", web::get().to(me))
            .route("/healthz", web::get().to(health))
            .route("/assets/app.css", web::get().to(app_css));
    }
}

/// The JSON API's failures.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] CheckError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            CheckError::Refused(_) => StatusCode::UNAUTHORIZED,
            CheckError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match &self.0 {
            CheckError::Refused(reason) => {
                tracing::warn!(%reason, "token refused");
                HttpResponse::Unauthorized()
                    .insert_header((
                        header::WWW_AUTHENTICATE,
                        format!(
                            "Bearer realm=\"authlab-resource\", error=\"{}\"",
                            reason.bearer_error()
                        ),
                    ))
                    .json(json!({"error": reason.bearer_error(), "message": reason.to_string()}))
            }
            CheckError::Unavailable(err) => {
                tracing::error!(error = %err, "the issuer could not be asked");
                HttpResponse::ServiceUnavailable()
                    .insert_header((header::RETRY_AFTER, "1"))
                    .json(json!({"error": "issuer_unavailable",
                        "message": "the issuer is not answering; try again shortly"}))
            }
        }
    }
}

/// The bearer token of a request.
fn bearer(req: &HttpRequest) -> Result<&str, Refusal> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(Refusal::Missing)?
        .to_str()
        .map_err(|_| Refusal::NotBearer)?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.trim()),
        _ => Err(Refusal::NotBearer),
    }
}

async fn me(req: HttpRequest, service: web::Data<Service>) -> Result<HttpResponse, ApiError> {
    let token = bearer(&req).map_err(CheckError::from)?;
    let who = service.checker.check(token).await?;
    let kid = match &who.how {
        crate::verdict::How::LocalSignature { kid } => Some(kid.as_str()),
        crate::verdict::How::Introspection => None,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "sub": who.sub,
            "name": who.name,
            "role": who.role,
            "exp": who.exp,
            "iss": who.iss,
            "aud": who.aud,
            "verified_by": who.how.code(),
            "kid": kid,
        })))
}

#[derive(Template)]
#[template(path = "resource.html")]
struct Page<'a> {
    issuer: &'a str,
    cached_keys: usize,
    can_introspect: bool,
    verified: Option<Verified>,
    refused: Option<Refusal>,
    unavailable: bool,
}

#[derive(Deserialize)]
struct TokenForm {
    token: String,
}

async fn show(service: web::Data<Service>) -> HttpResponse {
    page(&service, StatusCode::OK, None)
}

async fn submit(service: web::Data<Service>, form: web::Form<TokenForm>) -> HttpResponse {
    let token = form.into_inner().token;
    let outcome = service.checker.check(token.trim()).await;
    let status = match &outcome {
        Ok(_) => StatusCode::OK,
        Err(CheckError::Refused(_)) => StatusCode::UNAUTHORIZED,
        Err(CheckError::Unavailable(err)) => {
            tracing::error!(error = %err, "the issuer could not be asked");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    page(&service, status, Some(outcome))
}

fn page(
    service: &Service,
    status: StatusCode,
    outcome: Option<Result<Verified, CheckError>>,
) -> HttpResponse {
    let (verified, refused, unavailable) = match outcome {
        None => (None, None, false),
        Some(Ok(who)) => (Some(who), None, false),
        Some(Err(CheckError::Refused(reason))) => (None, Some(reason), false),
        Some(Err(CheckError::Unavailable(_))) => (None, None, true),
    };
    let page = Page {
        issuer: &service.issuer,
        cached_keys: service.checker.jwks().key_count(),
        can_introspect: service.checker.can_introspect(),
        verified,
        refused,
        unavailable,
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(err) => {
            tracing::error!(error = %err, "the resource page did not render");
            HttpResponse::InternalServerError().body("internal server error")
        }
    }
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(include_str!("../../../templates/assets/app.css"))
}
