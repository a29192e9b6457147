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
                Authentication::Anonymous => Err(ApiError::Unauthenticated),
                Authentication::Rejected(reason) => Err(ApiError::Rejected(reason)),
            }
        })
    }
}
