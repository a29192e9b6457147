//! `HEAD` is answered wherever `GET` is (RFC 9110 §9.3.2: a server should send the same header
//! fields for `HEAD` as for `GET`).
//!
//! actix-web's `web::get()` routes match `GET` only, so every page answered `HEAD` with 404.
//! Rather than doubling every route, a `HEAD` request is handed to the routes as a `GET`; the
//! connection's codec remembers that the request was `HEAD` and sends the headers without the
//! body, as the RFC asks.

use actix_web::{dev::ServiceRequest, http::Method};

/// Route a `HEAD` request as the `GET` it mirrors.
pub fn route_as_get(req: &mut ServiceRequest) {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
}
