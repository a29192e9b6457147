//! The routing table: which prefix gets which backend and which middleware.

use actix_web::{
    error::{InternalError, JsonPayloadError},
    http::StatusCode,
    middleware::from_fn,
    web, HttpRequest, HttpResponse,
};
use authlab_session::session_middleware;

use crate::{labs, outage::answer_503_when_the_store_is_down, routes, walkthrough, AppState};

/// Largest form or JSON body accepted; a login needs a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024;

/// Register every route. Called once per worker thread with a clone of the shared state.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let redis_sessions = session_middleware(state.redis_store.clone(), &state.session_settings);
        let memory_sessions =
            session_middleware(state.memory_store.clone(), &state.memory_settings);

        cfg.app_data(web::Data::from(state.users.clone()))
            .app_data(web::Data::new(state.csrf_key.clone()))
            .app_data(web::Data::from(state.throttle.clone()))
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(json_config())
            .route("/", web::get().to(routes::landing::show))
            .route("/healthz", web::get().to(routes::health::show))
            .route("/.well-known/jwks.json", web::get().to(routes::jwks::show))
            .route("/assets/app.css", web::get().to(routes::assets::app_css))
            .configure(labs::routes)
            .configure(walkthrough::routes)
            .route("/assets/app.js", web::get().to(routes::assets::app_js))
            .route("/report", web::get().to(routes::report::show))
            .route("/report/{file}", web::get().to(routes::report::chart))
            .service(
                web::scope("/session")
                    .app_data(web::Data::from(state.session.clone()))
                    .configure(routes::mount_routes)
                    .wrap(redis_sessions)
                    // Outermost, so it sees what actix-session makes of a Redis failure.
                    .wrap(from_fn(answer_503_when_the_store_is_down)),
            )
            .service(
                web::scope("/memory")
                    .app_data(web::Data::from(state.memory.clone()))
                    .configure(routes::mount_routes)
                    .wrap(memory_sessions),
            )
            .service(
                web::scope("/jwt")
                    .app_data(web::Data::from(state.jwt.clone()))
                    .configure(routes::mount_routes)
                    .configure(labs::token_routes),
            )
            .service(
                web::scope("/baseline")
                    .app_data(web::Data::from(state.baseline.clone()))
                    .configure(routes::baseline_routes),
            )
            .app_data(web::Data::new(state))
            .default_service(web::to(routes::fallback::not_found));
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
