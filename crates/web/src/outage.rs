//! Turning a session-store outage into a 503 (see `authlab_session::outage` for why this cannot
//! be an ordinary error mapping).

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::InternalError,
    middleware::Next,
    Error,
};

use crate::errors::{store_unavailable_json, store_unavailable_page};

/// Middleware for a mount whose session store can fail: wraps actix-session's middleware and,
/// when the store reported an outage during the request, answers 503 whatever the inner layers
/// made of it (actix-session would have made it an opaque 500).
///
/// The 503 travels as an error carrying its response: the request itself cannot be kept aside
/// for building a new response, because actix needs to own it uniquely while routing.
pub async fn answer_503_when_the_store_is_down(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_api = req.path().contains("/api/");
    let (result, store_failed) = authlab_session::outage::watch(next.call(req)).await;
    if store_failed {
        let response = if is_api {
            store_unavailable_json("Redis")
        } else {
            store_unavailable_page("Redis")
        };
        return Err(
            InternalError::from_response("the session store is unavailable", response).into(),
        );
    }
    result.map(ServiceResponse::map_into_boxed_body)
}
