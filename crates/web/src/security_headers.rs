//! Headers every response carries, so that a browser limits what a page can do even if a bug
//! let an attacker's text into it.

use actix_web::middleware::DefaultHeaders;

/// Only this server's own scripts, styles and images; no plugins; no `<base>` tricks; framed only
/// by itself (the compare view); forms post only to itself.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; \
     form-action 'self'";

pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "SAMEORIGIN"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
