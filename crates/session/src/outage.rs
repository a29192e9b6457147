//! Telling the web layer that the session store failed, across actix-session.
//!
//! actix-session turns every store error into an opaque 500 (`InternalError`, whose cause cannot
//! be read back). We want a 503 with a clear page instead: "Redis is down" is not a bug. So the
//! store records the failure in a task-local flag that the web layer's middleware set up around
//! the request, and that middleware decides the status. The flag lives exactly as long as one
//! request's future.

use std::{cell::Cell, future::Future};

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
