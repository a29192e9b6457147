//! Transparent rotation: a page request whose access token has expired (or is gone) but whose
//! refresh token is good is refreshed on the way in and served, with the new pair set on the way
//! out and `Server-Timing: refreshed;…` saying so.
//!
//! Only page reads (`GET`, `HEAD`) are refreshed here: a form post is answered by its handler
//! (the login form sets its own pair; logout ends the family whichever token it holds), and API
//! clients refresh themselves at `/refresh/api/token`, as OAuth 2.0 clients do.

use std::{sync::Arc, time::Instant};

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    Error, HttpMessage,
};
use authlab_core::{timing, BackendError};
use authlab_session::StoreDownAnswer;

use crate::{
    backend::{RefreshRefused, Rotated},
    settings::{ACCESS_COOKIE, SLUG},
    RefreshBackend,
};

/// The `Server-Timing` metric of a transparent refresh.
pub const REFRESHED: &str = "refreshed";

/// Whether this request was refreshed on its way in (the rotation recorded it).
pub fn refreshed_now() -> bool {
    timing::so_far().iter().any(|cost| cost.metric == REFRESHED)
}

pub async fn refresh_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    backend: Arc<RefreshBackend>,
    store_down: StoreDownAnswer,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let page = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.path().starts_with(&SLUG.path("api/"));
    let Some(refresh) = page
        .then(|| backend.presented_refresh(req.request()))
        .flatten()
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let access = req
        .cookie(ACCESS_COOKIE.as_str())
        .map(|cookie| cookie.value().to_owned());
    if access
        .as_deref()
        .is_some_and(|token| backend.verify_access(token).is_ok())
    {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let started = Instant::now();
    let pair = match backend.refresh(&refresh, access.as_deref()).await {
        Ok(pair) => pair,
        Err(BackendError::Unavailable { .. }) => {
            return Ok(req.into_response(store_down("Redis", false)));
        }
        Err(err) => return Err(actix_web::error::ErrorInternalServerError(err)),
    };
    let cookies = match pair {
        Ok(pair) => {
            timing::record_as(REFRESHED, "refresh token rotated", started.elapsed());
            let cookies = backend.pair_cookies(&pair);
            req.extensions_mut().insert(Rotated {
                access: pair.access,
                refresh: pair.refresh.token,
            });
            Some(cookies)
        }
        Err(refusal) => {
            req.extensions_mut()
                .insert(RefreshRefused(refusal.rejection()));
            None
        }
    };
    let mut response = next.call(req).await?;
    for cookie in cookies.iter().flatten() {
        response.response_mut().add_cookie(cookie)?;
    }
    Ok(response.map_into_boxed_body())
}
