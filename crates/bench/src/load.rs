//! The load generator: a closed loop for maximum throughput and an open loop for latency.
//!
//! - **Closed loop**: `k` connections, each sends its next request as soon as the last one
//!   answered. It finds the maximum rate, but its latencies hide queueing: a slow answer delays
//!   the next send, so the stall is measured once instead of for every request that would have
//!   been sent meanwhile (coordinated omission).
//! - **Open loop**: requests are due at a fixed rate whatever the server does, and each latency is
//!   measured from the time the request was *due*, not from when it was sent. A dedicated thread
//!   keeps the schedule with `std::thread::sleep` (tens of µs of slack on Linux, where tokio's
//!   timer has 1 ms), and hands each request to the runtime.
//!
//! The generator runs on the same two cores as the server: the report says so.

use std::{
    sync::{mpsc, Arc},
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;
use reqwest::StatusCode;

use crate::client::Credential;

/// One URL to hit, with the credential to present.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub credential: Option<Credential>,
}

impl Target {
    async fn send(&self, http: &reqwest::Client) -> Option<StatusCode> {
        let mut request = http.get(&self.url);
        if let Some(c) = &self.credential {
            request = request.header(c.header.clone(), c.value.clone());
        }
        let response = request.send().await.ok()?;
        let status = response.status();
        response.bytes().await.ok()?;
        Some(status)
    }
}

/// Latencies up to 60 s at 3 significant digits, in µs.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant, valid histogram bounds")
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

#[derive(Debug)]
pub struct ClosedLoop {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Service time of the successful requests (send to last byte), µs.
    pub latency: Histogram<u64>,
}

impl ClosedLoop {
    fn empty() -> Self {
        ClosedLoop {
            ok: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            latency: new_histogram(),
        }
    }

    /// One connection's tally, added to the run's.
    fn add(&mut self, ok: u64, errors: u64, latency: &Histogram<u64>) {
        self.ok += ok;
        self.errors += errors;
        let _ = self.latency.add(latency);
    }

    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// `connections` loops of request-after-answer against `target` for `duration`. A request counts
/// as ok only when it answered 200.
pub async fn closed_loop(
    http: &reqwest::Client,
    target: &Target,
    connections: usize,
    duration: Duration,
) -> ClosedLoop {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (http, target) = (http.clone(), target.clone());
        tasks.spawn(async move {
            let mut latency = new_histogram();
            let (mut ok, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let sent = Instant::now();
                match target.send(&http).await {
                    Some(StatusCode::OK) => {
                        ok += 1;
                        let _ = latency.record(micros(sent.elapsed()));
                    }
                    _ => errors += 1,
                }
            }
            (ok, errors, latency)
        });
    }
    let mut total = ClosedLoop::empty();
    while let Some(done) = tasks.join_next().await {
        if let Ok((ok, errors, latency)) = done {
            total.add(ok, errors, &latency);
        }
    }
    total.elapsed = started.elapsed();
    total
}

/// A closed loop on a token endpoint: each of `refresh_tokens` starts one chain, which spends
/// its refresh token and carries on with the one it gets back, as a client renewing its login
/// does (a spent token cannot be sent twice: that would be reuse, and end the login). A chain
/// whose refresh fails stops: its login is over, and counts one error.
pub async fn refresh_loop(
    http: &reqwest::Client,
    url: &str,
    refresh_tokens: Vec<String>,
    duration: Duration,
) -> (ClosedLoop, Vec<String>) {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for mut token in refresh_tokens {
        let (http, url) = (http.clone(), url.to_owned());
        tasks.spawn(async move {
            let mut latency = new_histogram();
            let (mut ok, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let sent = Instant::now();
                match crate::client::refresh(&http, &url, &token).await {
                    Ok(refreshed) => {
                        ok += 1;
                        let _ = latency.record(micros(sent.elapsed()));
                        token = refreshed.refresh_token;
                    }
                    Err(_) => {
                        errors += 1;
                        return (ok, errors, latency, None);
                    }
                }
            }
            (ok, errors, latency, Some(token))
        });
    }
    let mut total = ClosedLoop::empty();
    let mut alive = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok((ok, errors, latency, token)) = done {
            total.add(ok, errors, &latency);
            alive.extend(token);
        }
    }
    total.elapsed = started.elapsed();
    (total, alive)
}

/// One request of an open-loop run.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Index into the targets.
    pub target: usize,
    /// When it was due, from the start of the run.
    pub due: Duration,
    /// From when it was due to its last byte (or its failure).
    pub latency: Duration,
    /// None when no HTTP answer came (connection refused, timeout).
    pub status: Option<u16>,
    /// How late the generator itself was in sending it: when this grows, the generator (not the
    /// server) is behind, and the latencies say more about the client than the server.
    pub send_lag: Duration,
}

/// Requests due at `rate_per_target` per second on each target, round-robin, for `duration`.
/// Returns every sample, in completion order.
pub async fn open_loop(
    http: &reqwest::Client,
    targets: &[Target],
    rate_per_target: f64,
    duration: Duration,
    progress: Option<indicatif::ProgressBar>,
) -> Vec<Sample> {
    let targets: Arc<Vec<Target>> = Arc::new(targets.to_vec());
    let total_rate = rate_per_target * targets.len() as f64;
    let count = (total_rate * duration.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / total_rate.max(1e-9));
    let (tx, rx) = mpsc::channel::<Sample>();
    let runtime = tokio::runtime::Handle::current();
    let http = http.clone();
    let schedule_targets = targets.clone();
    let dispatcher = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        for i in 0..count {
            let due = interval.mul_f64(i as f64);
            let now = started.elapsed();
            if due > now {
                std::thread::sleep(due - now);
            }
            if let Some(bar) = &progress {
                bar.set_position(u64::try_from(due.as_millis()).unwrap_or(u64::MAX));
            }
            let target = usize::try_from(i).unwrap_or(0) % schedule_targets.len();
            let (http, targets, tx) = (http.clone(), schedule_targets.clone(), tx.clone());
            runtime.spawn(async move {
                let send_lag = started.elapsed().saturating_sub(due);
                let status = targets[target].send(&http).await;
                let _ = tx.send(Sample {
                    target,
                    due,
                    latency: started.elapsed().saturating_sub(due),
                    status: status.map(|s| s.as_u16()),
                    send_lag,
                });
            });
        }
        if let Some(bar) = &progress {
            bar.finish_and_clear();
        }
    });
    let _ = dispatcher.await;
    // Every request's sender is dropped when it answers (or times out, at the client's timeout).
    tokio::task::spawn_blocking(move || rx.iter().collect())
        .await
        .unwrap_or_default()
}

/// The latency histogram (µs) of the samples of one target, and how many were not 200.
pub fn summarize(samples: &[Sample], target: usize) -> (Histogram<u64>, u64) {
    let mut histogram = new_histogram();
    let mut errors = 0;
    for s in samples.iter().filter(|s| s.target == target) {
        let _ = histogram.record(micros(s.latency));
        if s.status != Some(200) {
            errors += 1;
        }
    }
    (histogram, errors)
}
