//! Telling the web layer that the session store failed, across actix-session.
//!
//! actix-session turns every store error into an opaque 500 (`InternalError`, whose cause cannot
//! be read back). We want a 503 with a clear page instead: "Redis is down" is not a bug. So the
//! store records the failure in a task-local flag that the web layer's middleware set up around
//! the request, and that middleware decides the status. The flag lives exactly as long as one
//! request's future.

use std::{cell::Cell, future::Future};

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::InternalError,
    middleware::Next,
    Error,
};

use crate::StoreDownAnswer;

tokio::task_local! {
    static STORE_FAILED: Cell<bool>;
}

/// Run a request's future and say whether a session store reported an outage during it.
pub async fn watch<F: Future>(future: F) -> (F::Output, bool) {
    STORE_FAILED
        .scope(Cell::new(false), async move {
            let output = future.await;
            (output, STORE_FAILED.with(Cell::get))
        })
        .await
}

/// Called by a store when it cannot reach its backing service. Outside [`watch`] it does nothing.
pub fn report() {
    let _ = STORE_FAILED.try_with(|failed| failed.set(true));
}

/// Middleware for a mount whose session store can fail: wraps actix-session's middleware and,
/// when the store reported an outage during the request, answers with `answer` (a 503) whatever
/// the inner layers made of it (actix-session would have made it an opaque 500).
///
/// The 503 travels as an error carrying its response: the request itself cannot be kept aside
/// for building a new response, because actix needs to own it uniquely while routing.
pub async fn answer_503_when_the_store_is_down(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    answer: StoreDownAnswer,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_api = req.path().contains("/api/");
    let (result, store_failed) = watch(next.call(req)).await;
    if store_failed {
        return Err(InternalError::from_response(
            "the session store is unavailable",
            answer("Redis", is_api),
        )
        .into());
    }
    result.map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_report_inside_watch_is_seen_and_outside_is_harmless() {
        report();

        let ((), failed) = watch(async { report() }).await;
        let ((), quiet) = watch(async {}).await;

        assert!(failed);
        assert!(!quiet);
    }
}
