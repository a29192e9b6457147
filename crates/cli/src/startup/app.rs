//! The routing table: the product with its mounts, the classroom beside it, and the fallback.

use actix_web::web;
use authlab_web::routes;

use super::AppState;

/// Register every route. Called once per worker thread with a clone of the shared state.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let classroom = state.classroom.clone();
        authlab_web::site::configure(&state.product, cfg, &|mount, cfg| {
            classroom.mount_routes(mount, cfg);
        });
        state.classroom.configure(cfg);
        cfg.configure(authlab_jwt::jwks_route::routes(
            state.classroom.tokens.keys.clone(),
        ));
        cfg.default_service(web::to(routes::fallback::not_found));
    }
}
