//! One module per page or endpoint. [`mount_routes`] is the URL contract of a mount, the same for
//! `/session`, `/memory` and `/jwt`.

pub mod admin;
pub mod api;
pub mod assets;
pub mod credentials;
pub mod dashboard;
pub mod fallback;
pub mod health;
pub mod introspect;
pub mod landing;
pub mod login;
pub mod logout;
pub mod logout_everywhere;

use actix_web::web;

/// The routes every login mount has, relative to its prefix.
pub fn mount_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login::show))
        .route("/login", web::post().to(login::submit))
        .route("/dashboard", web::get().to(dashboard::show))
        .route("/admin", web::get().to(admin::show))
        .route("/logout", web::post().to(logout::submit))
        .route(
            "/logout-everywhere",
            web::post().to(logout_everywhere::submit),
        )
        .route("/api/login", web::post().to(api::login))
        .route("/api/me", web::get().to(api::me))
        .route("/api/logout", web::post().to(api::logout));
}

/// The baseline mount has only the endpoint the benchmarks compare against.
pub fn baseline_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/me", web::get().to(api::me));
}
