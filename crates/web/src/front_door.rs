//! The first thing every request meets, before the session middleware, the CSRF layers and any
//! handler: the checks that decide whether the rest of the app sees the request at all, and in
//! what shape.
//!
//! In order, because each step relies on the one before:
//! 1. forwarding headers from anyone but a trusted proxy are removed ([`forwarded`]), so that
//!    nothing after this reads a host or address the client made up;
//! 2. the `Host` must be one of this server's names ([`hosts`]): 421, before any handler;
//! 3. `HEAD` is routed as `GET` ([`head_requests`]);
//! 4. the `Cookie` header is rewritten entry by entry ([`cookie_header`]), choosing among
//!    same-named cookies the one its owner accepts (see [`CookieJudges`]);
//! 5. the body must arrive within a deadline ([`body_deadline`]): 408.
//!
//! One middleware rather than five keeps the order in one place, where it can be read.

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error,
};

use std::sync::Arc;

use crate::{
    body_deadline::{self, BODY_DEADLINE},
    cookie_header, csrf,
    forms::MAX_BODY_BYTES,
    forwarded, head_requests,
    hosts::{self, AllowedHosts},
};

/// Whether a value is a good cookie of one name, asked of the part that reads that cookie.
pub type CookieJudge = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// How to tell our good cookie from a neighbour's of the same name (another path, another port's
/// app): the part that reads each cookie judges it (a session mount decrypts it, the token mount
/// verifies it, the classroom checks its browser id's signature). The composition root registers
/// the judges; a cookie nobody judges is taken as it is.
#[derive(Clone, Default)]
pub struct CookieJudges(Arc<Vec<(String, CookieJudge)>>);

impl CookieJudges {
    pub fn new(judges: Vec<(String, CookieJudge)>) -> Self {
        CookieJudges(Arc::new(judges))
    }

    /// Whether `value` is a good `name` cookie. The CSRF seed is the product's own.
    pub fn accepts(&self, name: &str, value: &str) -> bool {
        if name == csrf::CSRF_COOKIE {
            return csrf::is_well_formed(value);
        }
        self.0
            .iter()
            .find(|(judged, _)| judged == name)
            .is_none_or(|(_, judge)| judge(value))
    }
}

/// Middleware: see the module docs.
pub async fn front_door(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let (Some(hosts), Some(judges)) = (
        req.app_data::<web::Data<AllowedHosts>>().cloned(),
        req.app_data::<web::Data<CookieJudges>>().cloned(),
    ) else {
        return Err(actix_web::error::ErrorInternalServerError(
            "the front door's request data is not registered",
        ));
    };
    forwarded::strip_untrusted(&mut req);
    if let Err(problem) = hosts.check(req.request()) {
        tracing::warn!(?problem, "request for a host this server is not");
        return Ok(req
            .into_response(hosts::refusal(problem))
            .map_into_right_body());
    }
    head_requests::route_as_get(&mut req);
    cookie_header::normalise(req.headers_mut(), |name, value| judges.accepts(name, value));
    if let Err(problem) = body_deadline::read_within(&mut req, MAX_BODY_BYTES, BODY_DEADLINE).await
    {
        tracing::warn!(?problem, "request body refused");
        return Ok(req
            .into_response(body_deadline::refusal(problem))
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
