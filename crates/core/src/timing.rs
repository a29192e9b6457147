//! What authenticating one request cost, for the `Server-Timing` header and the dashboard.
//!
//! The expensive part of authentication does not happen in one place: for a session mount it is
//! the store read that actix-session's middleware does before any handler runs; for `/jwt` it is
//! the signature check inside the backend (plus a Redis lookup when the denylist is on). So the
//! code that does the work records it ([`measure`]) into a task-local list that the web layer
//! opens around each request ([`collect`]), the same way `authlab_session::outage` reports a
//! failed store. Outside [`collect`] recording does nothing, so stores and codecs stay usable on
//! their own (benchmarks, unit tests).

use std::{cell::RefCell, future::Future, time::Duration, time::Instant};

tokio::task_local! {
    static COSTS: RefCell<Vec<Cost>>;
}

/// The `Server-Timing` metric of the per-request credential check.
pub const AUTH: &str = "auth";
/// The metric of a password check at login (argon2id: slow on purpose, once per login).
pub const PASSWORD: &str = "password";

/// One measured step of authentication.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// The `Server-Timing` metric name ([`AUTH`] or [`PASSWORD`]).
    pub metric: &'static str,
    /// What was done, in the words of the header's `desc` ("redis GET", "HS256 verify").
    pub what: &'static str,
    pub duration: Duration,
}

impl Cost {
    /// The duration in milliseconds with microsecond precision, as `Server-Timing` wants it.
    pub fn millis(&self) -> String {
        format!("{:.3}", self.duration.as_secs_f64() * 1000.0)
    }

    /// The duration in whole microseconds, for the page.
    pub fn micros(&self) -> u128 {
        self.duration.as_micros()
    }
}

/// Run a request's future, collecting the costs recorded while it runs.
pub async fn collect<F: Future>(future: F) -> (F::Output, Vec<Cost>) {
    COSTS
        .scope(RefCell::new(Vec::new()), async move {
            let output = future.await;
            (output, COSTS.with(|costs| costs.take()))
        })
        .await
}

/// Run `work` and record how long it took as the authentication step `what`.
pub async fn measure<F: Future>(what: &'static str, work: F) -> F::Output {
    measure_as(AUTH, what, work).await
}

/// Run `work` and record how long it took as `what` under `metric`.
pub async fn measure_as<F: Future>(metric: &'static str, what: &'static str, work: F) -> F::Output {
    let started = Instant::now();
    let output = work.await;
    record_as(metric, what, started.elapsed());
    output
}

/// Run synchronous `work` and record how long it took as the authentication step `what`.
pub fn measure_sync<T>(what: &'static str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let output = work();
    record(what, started.elapsed());
    output
}

/// Record an authentication step measured elsewhere.
pub fn record(what: &'static str, duration: Duration) {
    record_as(AUTH, what, duration);
}

pub fn record_as(metric: &'static str, what: &'static str, duration: Duration) {
    let cost = Cost {
        metric,
        what,
        duration,
    };
    let _ = COSTS.try_with(|costs| costs.borrow_mut().push(cost));
}

/// The costs recorded so far in this request (a handler reads them to show them on the page).
pub fn so_far() -> Vec<Cost> {
    COSTS
        .try_with(|costs| costs.borrow().clone())
        .unwrap_or_default()
}

/// The `Server-Timing` header value: `auth;dur=0.031;desc="redis GET"`, one entry per step.
/// `None` when nothing was measured (an anonymous request, or a page without authentication).
pub fn server_timing(costs: &[Cost]) -> Option<String> {
    if costs.is_empty() {
        return None;
    }
    Some(
        costs
            .iter()
            .map(|cost| {
                format!(
                    "{};dur={};desc=\"{}\"",
                    cost.metric,
                    cost.millis(),
                    cost.what
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn costs_recorded_inside_collect_are_returned_and_outside_are_dropped() {
        record("outside", Duration::from_millis(1));

        let (value, costs) = collect(async {
            measure_sync("HS256 verify", || 2 + 2);
            record("redis GET", Duration::from_micros(31));
            so_far().len()
        })
        .await;

        assert_eq!(value, 2);
        assert_eq!(costs.len(), 2);
        assert_eq!(costs[1].what, "redis GET");
        assert_eq!(so_far(), Vec::new());
    }

    #[test]
    fn the_header_gives_milliseconds_with_microsecond_precision() {
        let costs = [
            Cost {
                metric: AUTH,
                what: "redis GET",
                duration: Duration::from_micros(42),
            },
            Cost {
                metric: PASSWORD,
                what: "argon2id verify",
                duration: Duration::from_micros(35_250),
            },
        ];

        assert_eq!(
            server_timing(&costs).as_deref(),
            Some("auth;dur=0.042;desc=\"redis GET\", password;dur=35.250;desc=\"argon2id verify\"")
        );
        assert_eq!(server_timing(&[]), None);
    }
}
