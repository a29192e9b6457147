//! `GET /.well-known/jwks.json`: the public keys that verify this server's tokens (RFC 7517).
//!
//! Another service fetches this once and verifies tokens locally, picking the key by the token's
//! `kid`. A key added by a rotation needs no cache expiry to be found (a client meeting an unknown
//! `kid` refetches; PyJWKClient does), but a key dropped by an emergency revocation is trusted by
//! caches until `max-age` runs out: hence a short one. Under HS256 the set is empty: a shared
//! secret is never published.
//!
//! It lives with the key ring rather than in the product: it is the JWT mount publishing its own
//! keys at the site's well-known path, which the composition root registers.

use std::sync::Arc;

use actix_web::{http::header, web, HttpResponse};

use crate::KeyRing;

/// How long a verifier may keep the key set.
pub const MAX_AGE_SECS: u32 = 60;

/// The route, serving `keys`' public half.
pub fn routes(keys: Arc<KeyRing>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::resource("/.well-known/jwks.json")
                .app_data(web::Data::from(keys))
                .route(web::get().to(show)),
        );
    }
}

async fn show(keys: web::Data<KeyRing>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={MAX_AGE_SECS}"),
        ))
        .insert_header((header::CONTENT_TYPE, "application/jwk-set+json"))
        .json(keys.jwks())
}
