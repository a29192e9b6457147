//! Who the request acts for, asked of the mount's backend and nothing else.

use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use authlab_core::{Authentication, Identity};

use crate::{
    errors::{ApiError, PageError},
    Mount,
};

/// The mount a request was routed to.
pub fn mount_of(req: &HttpRequest) -> Result<web::Data<Mount>, anyhow::Error> {
    req.app_data::<web::Data<Mount>>()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("route {} has no mount", req.path()))
}

/// The logged-in user of a page. Anonymous visitors are sent to the login form; a rejected
/// credential sends them there with the reason, and the cookie that carried it is cleared.
pub struct CurrentUser(pub Identity);

impl FromRequest for CurrentUser {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let mount = mount_of(&req)?;
            match mount.backend.authenticate(&req).await? {
                Authentication::Authenticated(identity) => Ok(CurrentUser(identity)),
                Authentication::Anonymous => Err(PageError::LoginRequired {
                    login_url: mount.path("login"),
                }),
                Authentication::Rejected(reason) => Err(PageError::Rejected {
                    login_url: mount.path("login"),
                    reason,
                    forget: mount.backend.forget(),
                }),
            }
        })
    }
}

/// The caller of a JSON endpoint, or a 401.
pub struct ApiUser(pub Identity);

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let mount = mount_of(&req)?;
            match mount.backend.authenticate(&req).await? {
                Authentication::Authenticated(identity) => Ok(ApiUser(identity)),
                Authentication::Anonymous if presents_credential(&req, &mount) => {
                    Err(ApiError::UnknownCredential)
                }
                Authentication::Anonymous => Err(ApiError::Unauthenticated),
                Authentication::Rejected(reason) => Err(ApiError::Rejected(reason)),
            }
        })
    }
}

/// Whether the request carries this mount's login cookie or a bearer token at all: "no
/// credentials were presented" must not be said to someone who sent a dead one.
fn presents_credential(req: &HttpRequest, mount: &Mount) -> bool {
    let cookie = mount
        .credential
        .cookie
        .and_then(|name| req.cookie(name.as_str()))
        .is_some_and(|c| !c.value().is_empty());
    cookie
        || req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION)
}
