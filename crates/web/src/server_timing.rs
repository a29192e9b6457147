//! The `Server-Timing` header: what authenticating this request cost, readable in any browser's
//! developer tools (Network → Timing) next to the page's own figure.
//!
//! The work is measured where it happens (`authlab_core::timing`): the session store's read
//! inside actix-session's middleware, the signature check inside the JWT backend. This middleware
//! wraps everything so that one list collects both, then writes it out.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    Error,
};
use authlab_core::timing;

pub async fn add_server_timing(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let (result, costs) = timing::collect(next.call(req)).await;
    let mut response = result?;
    if let Some(value) = timing::server_timing(&costs) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("server-timing"), value);
        }
    }
    Ok(response)
}
