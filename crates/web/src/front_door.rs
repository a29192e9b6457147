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
//!    same-named cookies the one its owner accepts (see [`accepts`]);
//! 5. the body must arrive within a deadline ([`body_deadline`]): 408.
//!
//! One middleware rather than five keeps the order in one place, where it can be read.

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error,
};

use crate::{
    app::MAX_BODY_BYTES,
    body_deadline::{self, BODY_DEADLINE},
    cookie_header, csrf, forwarded, head_requests, hosts,
    walkthrough::{self, BROWSER_COOKIE},
    AppState,
};

/// Middleware: see the module docs.
pub async fn front_door(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(actix_web::error::ErrorInternalServerError(
            "the app state is not registered",
        ));
    };
    forwarded::strip_untrusted(&mut req);
    if let Err(problem) = state.allowed_hosts.check(req.request()) {
        tracing::warn!(?problem, "request for a host this server is not");
        return Ok(req
            .into_response(hosts::refusal(problem))
            .map_into_right_body());
    }
    head_requests::route_as_get(&mut req);
    cookie_header::normalise(req.headers_mut(), |name, value| {
        accepts(&state, name, value)
    });
    if let Err(problem) = body_deadline::read_within(&mut req, MAX_BODY_BYTES, BODY_DEADLINE).await
    {
        tracing::warn!(?problem, "request body refused");
        return Ok(req
            .into_response(body_deadline::refusal(problem))
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Whether `value` is a good `name` cookie by the standard of the part that reads it: a session
/// cookie this server's key encrypted, a JWT that verifies now, a well-formed CSRF seed, a signed
/// browser id. Other names: any value.
fn accepts(state: &AppState, name: &str, value: &str) -> bool {
    if name == state.session_settings.cookie_name || name == state.memory_settings.cookie_name {
        state.session_settings.cookie_key.opens(name, value)
    } else if name == state.jwt_settings.cookie_name {
        state.jwt_keys.load().verify(value).is_ok()
    } else if name == csrf::CSRF_COOKIE {
        csrf::is_well_formed(value)
    } else if name == BROWSER_COOKIE {
        walkthrough::recorder::verified_id(&state.csrf_key, value).is_some()
    } else {
        true
    }
}
