//! Cross-site request forgery protection for every state-changing form, the login form included.
//!
//! Two independent layers:
//! 1. **Fetch metadata / Origin** ([`refuse_cross_site`]): an unsafe request (POST, …) that the
//!    browser labels `Sec-Fetch-Site: cross-site`, or whose `Origin` is not this server, is refused
//!    with 403 before any handler runs. This alone stops CSRF in current browsers.
//! 2. **A form token** for browsers that send neither header: every visitor gets a random
//!    `authlab_csrf` cookie (HttpOnly, SameSite=Strict) before any session exists (so the login
//!    form is covered too), and every form carries `HMAC-SHA256(server key, cookie)` in a hidden
//!    `csrf` field. A forged form cannot know the cookie, and a cookie planted by a sibling domain
//!    does not help without the server key. The check is constant-time.
//!
//! The JSON API is not a form target: a cross-site page cannot send `application/json` without a
//! CORS preflight this server never grants, and layer 1 applies to it as well.

use std::{future::ready, rc::Rc};

use actix_web::{
    body::MessageBody,
    cookie::{Cookie, SameSite},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{header, Method, StatusCode},
    middleware::Next,
    web, Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError,
};
use authlab_core::Secret;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::render;

pub const CSRF_COOKIE: &str = "authlab_csrf";
pub const CSRF_FIELD: &str = "csrf";
const SEED_BYTES: usize = 32;

/// The server's key for form tokens; kept in the data directory like the other keys.
#[derive(Clone)]
pub struct CsrfKey {
    secret: Secret,
    cookie_secure: bool,
}

impl CsrfKey {
    pub fn new(secret: Secret, cookie_secure: bool) -> Self {
        CsrfKey {
            secret,
            cookie_secure,
        }
    }

    fn mac(&self, seed: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.expose())
            .expect("HMAC accepts keys of any length");
        mac.update(seed.as_bytes());
        mac
    }

    /// The form token for a browser's seed cookie.
    pub fn token_for(&self, seed: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(seed).finalize().into_bytes())
    }

    pub fn verify(&self, seed: &str, token: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(token) {
            Ok(bytes) => self.mac(seed).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// The seed of this request: the browser's cookie, or a new one this response will set.
#[derive(Clone)]
struct Seed {
    value: Rc<str>,
    is_new: bool,
}

pub(crate) fn is_well_formed(seed: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(seed)
        .is_ok_and(|bytes| bytes.len() == SEED_BYTES)
}

impl Seed {
    fn fresh() -> Seed {
        let mut bytes = [0u8; SEED_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Seed {
            value: URL_SAFE_NO_PAD.encode(bytes).into(),
            is_new: true,
        }
    }
}

/// Middleware: reads the visitor's seed cookie, and sets a new one on a page's response when the
/// visitor has none.
///
/// Only pages get one (an HTML response, or any response whose handler asked for a
/// [`CsrfToken`]): an API client never submits a form, and making a seed for it cost 32 random
/// bytes and a `Set-Cookie` header on every cookie-less request (measured on `GET /{b}/api/me`).
/// Every page still sets it, not only pages with a form, so frames opened by a page (the compare
/// view's three login forms) load with the seed their parent set instead of racing to set three.
pub async fn ensure_seed_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|value| is_well_formed(value));
    if let Some(value) = existing {
        req.extensions_mut().insert(Seed {
            value: value.into(),
            is_new: false,
        });
    }
    let secure = req
        .app_data::<web::Data<CsrfKey>>()
        .is_none_or(|key| key.cookie_secure);
    let mut response = next.call(req).await?;
    let seed = response.request().extensions().get::<Seed>().cloned();
    let is_page = || {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    };
    let made = match seed {
        Some(seed) => seed.is_new.then(|| seed.value.to_string()),
        None if is_page() => Some(Seed::fresh().value.to_string()),
        None => None,
    };
    if let Some(value) = made {
        let cookie = Cookie::build(CSRF_COOKIE, value)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        // Only fails for invalid header bytes, which a base64url value cannot contain.
        let _ = response.response_mut().add_cookie(&cookie);
    }
    Ok(response)
}

/// Middleware: refuse unsafe cross-site requests (403) before anything else looks at them.
pub async fn refuse_cross_site(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        if let Some(reason) = cross_site_reason(req.request()) {
            tracing::warn!(path = req.path(), reason, "cross-site request refused");
            return Err(CsrfError::CrossSite.into());
        }
    }
    next.call(req).await
}

fn cross_site_reason(req: &HttpRequest) -> Option<&'static str> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header("sec-fetch-site") {
        Some("cross-site") => return Some("Sec-Fetch-Site: cross-site"),
        // The browser itself says the form came from one of our pages (a page cannot forge a
        // Sec-Fetch-* header). Trust that over Origin: under `Referrer-Policy: no-referrer`
        // Chromium sends `Origin: null` even for a same-origin form post, which the check below
        // would refuse (the browser tests found it: no login worked in a real browser).
        Some("same-origin") => return None,
        _ => {}
    }
    let origin = header(header::ORIGIN.as_str())?;
    let host = header(header::HOST.as_str())?;
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match origin_host {
        Some(origin_host) if origin_host.eq_ignore_ascii_case(host) => None,
        _ => Some("Origin does not match Host"),
    }
}

/// Why a state-changing request was refused.
#[derive(Debug, thiserror::Error)]
pub enum CsrfError {
    #[error("the request came from another site")]
    CrossSite,
    #[error("the form's security token is missing or wrong")]
    BadToken,
}

impl ResponseError for CsrfError {
    fn status_code(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            CsrfError::CrossSite => {
                "This form was sent from another site. authlab accepts forms only from its own pages."
            }
            CsrfError::BadToken => {
                "This form's security token is missing or out of date (was the page open for long, \
                 or were cookies cleared?). Go back, reload the page and try again."
            }
        };
        render::error_page(
            StatusCode::FORBIDDEN,
            "Forbidden",
            message,
            Some(("/".to_owned(), "All mounts")),
        )
    }
}

/// Check a submitted form token against this request's seed cookie.
pub fn check(req: &HttpRequest, submitted: Option<&str>) -> Result<(), CsrfError> {
    let seed = req.extensions().get::<Seed>().cloned();
    let key = req.app_data::<web::Data<CsrfKey>>();
    match (seed, key, submitted) {
        // A seed made for this very request cannot have been in the form.
        (Some(seed), Some(key), Some(token)) if !seed.is_new && key.verify(&seed.value, token) => {
            Ok(())
        }
        _ => Err(CsrfError::BadToken),
    }
}

/// The token a form on this page must carry.
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn value(&self) -> &str {
        &self.0
    }
}

impl FromRequest for CsrfToken {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    /// The token for this visitor's seed; a visitor without one gets a new seed here, which
    /// the middleware sets as a cookie on the response.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = req.app_data::<web::Data<CsrfKey>>().cloned();
        let Some(key) = key else {
            return ready(Err(actix_web::error::ErrorInternalServerError(
                "the CSRF key is not installed on this route",
            )));
        };
        let seed = req.extensions().get::<Seed>().cloned();
        let seed = seed.unwrap_or_else(|| {
            let seed = Seed::fresh();
            req.extensions_mut().insert(seed.clone());
            seed
        });
        ready(Ok(CsrfToken(key.token_for(&seed.value))))
    }
}
