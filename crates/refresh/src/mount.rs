//! `/refresh` as a value: its words, its backend, and its install: the rotation middleware
//! around its scope, and its two OAuth endpoints registered ahead of it.

use std::sync::Arc;

use actix_web::{middleware::from_fn, web};
use authlab_core::{Credential, Mount, MountInfo, StateHome, StepWords};
use authlab_session::StoreDownAnswer;

use crate::{
    api::{self, StoreDown},
    rotation,
    settings::{ACCESS_COOKIE, REFRESH_COOKIE, SLUG},
    RefreshBackend,
};

pub const REFRESH_MOUNT: MountInfo = MountInfo {
    slug: SLUG,
    title: "Access + refresh tokens",
    summary: "The middle ground: a short-lived JWT access token that is checked without a lookup, \
              and a refresh token the server keeps (by its SHA-256) in Redis and rotates at every \
              use. Logout ends the refresh token at once; a copied access token keeps working \
              until its short exp.",
    credential: Credential {
        cookie: Some(ACCESS_COOKIE),
        renewal_cookie: Some(REFRESH_COOKIE),
        bearer: true,
        what: "a short-lived signed token and a rotating refresh token",
    },
    home: StateHome::Split,
    login: true,
    words: StepWords {
        created_title: "Token pair issued",
        created: "Signs a short-lived access token (a JWT, /jwt's key ring, with a sid naming \
                  this login), and draws a 32-byte random refresh token; Redis gets the login's \
                  family and the refresh token's SHA-256, never the token.",
        sent: "Receives two Set-Cookie: the access token (Path=/refresh) and the refresh token \
               (HttpOnly, SameSite=Strict).",
        stored: "Keeps the family and the SHA-256 of each refresh token; the access token is not \
                 stored anywhere.",
        verified: "Checks the access token's signature and exp, no lookup. When it has expired, \
                   spends the refresh token in Redis and sets a new pair (Server-Timing: \
                   refreshed).",
        authorized: "Checks the role written in the access token: a role change arrives with the \
                     next refresh, within AUTHLAB_ACCESS_TTL.",
        ended: "Logout ends the family in Redis at once: no refresh token of this login works \
                again. An access token already issued keeps working until its short exp.",
    },
};

/// The running `/refresh` mount. `store_down` answers the requests during which Redis failed.
pub fn refresh_mount(backend: RefreshBackend, store_down: StoreDownAnswer) -> Mount {
    let settings = backend.settings();
    let lifetime = format!(
        "AUTHLAB_ACCESS_TTL = {} s per access token, renewed by a refresh token that lives \
         AUTHLAB_REFRESH_TTL = {} s unused, and at most AUTHLAB_SESSION_ABSOLUTE_TTL = {} s after \
         login",
        settings.access_ttl.as_secs(),
        settings.refresh_ttl.as_secs(),
        settings.absolute.as_secs(),
    );
    let backend = Arc::new(backend);
    let installed = backend.clone();
    Mount::new(&REFRESH_MOUNT, lifetime, backend).with_install(Arc::new(move |cfg, scope| {
        let data = web::Data::from(installed.clone());
        let down = web::Data::new(StoreDown(store_down));
        // Registered before the mount's scope, so they answer these paths (the scope has its
        // own, generic `/api/logout`).
        cfg.service(
            web::resource(SLUG.path("api/token"))
                .app_data(data.clone())
                .app_data(down.clone())
                .route(web::post().to(api::token)),
        );
        cfg.service(
            web::resource(SLUG.path("api/logout"))
                .app_data(data)
                .app_data(down)
                .route(web::post().to(api::logout)),
        );
        let rotating = installed.clone();
        cfg.service(scope.wrap(from_fn(move |req, next| {
            rotation::refresh_pages(req, next, rotating.clone(), store_down)
        })));
    }))
}
