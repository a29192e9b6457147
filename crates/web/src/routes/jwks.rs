//! `GET /.well-known/jwks.json`: the public keys that verify this server's tokens (RFC 7517).
//!
//! Another service fetches this once and verifies tokens locally, picking the key by the token's
//! `kid`. A key added by a rotation needs no cache expiry to be found (a client meeting an unknown
//! `kid` refetches; PyJWKClient does), but a key dropped by an emergency revocation is trusted by
//! caches until `max-age` runs out: hence a short one. Under HS256 the set is empty: a shared
//! secret is never published.

use actix_web::{http::header, web, HttpResponse};

use crate::AppState;

/// How long a verifier may keep the key set.
pub const MAX_AGE_SECS: u32 = 60;

pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={MAX_AGE_SECS}"),
        ))
        .insert_header((header::CONTENT_TYPE, "application/jwk-set+json"))
        .json(state.jwt_keys.jwks())
}
