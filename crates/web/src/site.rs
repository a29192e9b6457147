//! The product as a whole: the request data every handler may ask for, the routes that are not
//! under a mount, and one scope per mount with the same URL contract.
//!
//! The composition root calls [`configure`] once per worker. It hands in the mounts and, for
//! each, any routes of its own to add under the mount's prefix (the classroom adds its labs
//! there), so the product itself knows no lab and no concrete backend.

use std::sync::Arc;

use actix_web::{
    error::{InternalError, JsonPayloadError},
    http::StatusCode,
    web, HttpRequest, HttpResponse,
};
use authlab_core::{HashBudget, Mount, Mounts, UserDirectory};

use crate::{
    announcements::Announcements, csrf::CsrfKey, forms::MAX_BODY_BYTES, front_door::CookieJudges,
    hosts::AllowedHosts, introspection::Introspection, routes, throttle::LoginThrottle, Settings,
};

/// The product's long-lived parts, shared by every worker.
#[derive(Clone)]
pub struct Product {
    pub settings: Settings,
    /// The threads, queue and memory every password check shares.
    pub hashing: HashBudget,
    /// The `Host` names this server answers to.
    pub allowed_hosts: Arc<AllowedHosts>,
    /// Who judges each of our cookies when neighbours send one of the same name.
    pub cookie_judges: CookieJudges,
    pub users: Arc<UserDirectory>,
    pub csrf_key: CsrfKey,
    pub throttle: Arc<LoginThrottle>,
    pub mounts: Mounts,
    /// What happened to everybody: the banner on every page.
    pub announcements: Arc<Announcements>,
    /// `POST /introspect`: who may ask, and which token kinds answer.
    pub introspection: Introspection,
}

/// Routes a caller adds under one mount's prefix, beside the product's own.
pub type MountExtras<'a> = &'a dyn Fn(&Mount, &mut web::ServiceConfig);

/// Register the product: request data, the site-wide routes and every mount's scope.
pub fn configure(product: &Product, cfg: &mut web::ServiceConfig, extras: MountExtras<'_>) {
    crate::nav::publish(&product.mounts);
    cfg.app_data(web::Data::from(product.users.clone()))
        .app_data(web::Data::new(product.csrf_key.clone()))
        .app_data(web::Data::from(product.throttle.clone()))
        .app_data(web::Data::from(product.announcements.clone()))
        .app_data(web::Data::new(product.settings.clone()))
        .app_data(web::Data::new(product.mounts.clone()))
        .app_data(web::Data::new(product.hashing.clone()))
        .app_data(web::Data::from(product.allowed_hosts.clone()))
        .app_data(web::Data::new(product.cookie_judges.clone()))
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(json_config())
        .app_data(web::Data::new(product.introspection.clone()))
        .route("/", web::get().to(routes::landing::show))
        .route("/healthz", web::get().to(routes::health::show))
        .route("/introspect", web::post().to(routes::introspect::submit))
        .route("/assets/app.css", web::get().to(routes::assets::app_css))
        .route("/assets/app.js", web::get().to(routes::assets::app_js));
    for mount in product.mounts.all() {
        let scope = web::scope(&mount.slug.prefix())
            .app_data(web::Data::from(mount.clone()))
            .configure(|cfg| {
                if mount.login {
                    routes::mount_routes(cfg);
                } else {
                    routes::baseline_routes(cfg);
                }
                extras(mount, cfg);
            });
        (mount.install)(cfg, scope);
    }
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|err, _req: &HttpRequest| {
            let status = match &err {
                JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                    StatusCode::PAYLOAD_TOO_LARGE
                }
                JsonPayloadError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ => StatusCode::BAD_REQUEST,
            };
            tracing::warn!(error = %err, "bad JSON body");
            let body = HttpResponse::build(status).json(serde_json::json!({
                "error": "bad_request",
                "message": "expected a JSON object {\"username\": \"…\", \"password\": \"…\"} of at most 8 KiB",
            }));
            InternalError::from_response(err, body).into()
        })
}
