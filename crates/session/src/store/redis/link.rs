//! One bounded, self-healing connection to Redis, shared by the session store, the JWT denylist,
//! the inspector, the health check, the flush lab and the benchmarks.
//!
//! Out of the box, actix-session 0.11 with redis 0.32 has no timeouts: with Redis stopped a
//! request hangs for over a minute, and after Redis returns the first request still hangs while
//! the connection manager backs off. [`RedisLink`] is the one connection every Redis call of this
//! project goes through (the session store's included), built with our own timeouts:
//!
//! - every call (connecting included) runs under one `tokio::time::timeout`;
//! - a call that fails or times out throws the connection away, so the next request connects
//!   afresh (a refused connection fails in microseconds) instead of waiting on a backoff;
//! - nothing connects at start-up, so the server starts, and `/jwt` and `/memory` serve, with
//!   Redis down; `/session` recovers by itself when Redis is back;
//! - a failure is reported through [`crate::outage`], so the web layer answers 503, not 500;
//! - the URL and every Redis error text pass through a [`Redactor`] before they reach a log line,
//!   a page or an error value;
//! - **one connection per thread**: a redis-rs connection runs its driver (the task that writes
//!   commands and parses replies) on the runtime that made it. Shared by every actix worker, it
//!   lived on one thread and every other worker's request hopped there and back: profiled under
//!   load, 23 % of `/session`'s server CPU ran on that one thread and another 17 % was the kernel
//!   switching between them (`docs/measured/cpu-budget.md`). Each worker (each thread) now makes
//!   and keeps its own, so a request's Redis call is written, read and parsed on the worker's own
//!   runtime. A failure forgets only the failing thread's connection; the others find out on their
//!   next call and retry it once on a fresh one, as after a Redis restart;
//! - one Redis or a Redis Cluster ([`RedisEndpoint`]): the callers do not know which. Their
//!   commands go through [`Commands`]; the cluster's own parts are in [`super::cluster`].

use std::{
    future::Future,
    sync::{Arc, RwLock},
    time::Duration,
};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use thread_local::ThreadLocal;

use super::{cluster, commands::Commands, redaction::Redactor};
use crate::outage;

/// How many keys one `SCAN` step asks for.
const SCAN_COUNT: usize = 1000;

/// Redis could not be reached in time. Carries no secret: the URL and the reason are redacted.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Redis at {url} is unavailable: {reason}")]
pub struct RedisUnavailable {
    pub url: String,
    pub reason: String,
}

/// The Redis URL does not parse. Its text names the URL with its credentials redacted.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{url} is not a Redis URL: {reason}")]
pub struct BadRedisUrl {
    pub url: String,
    pub reason: String,
}

/// What a link connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisEndpoint {
    /// One Redis, by URL.
    Single(String),
    /// A Redis Cluster, by seed nodes (`redis://host:port` each): any live few find the rest.
    Cluster(Vec<String>),
}

/// The connection to one Redis or a cluster, built with this link's timeouts (the session store,
/// the denylist, the inspector and the labs all use it).
#[derive(Clone)]
pub struct Connected {
    pub commands: Commands,
}

struct Inner {
    endpoint: RedisEndpoint,
    redactor: Redactor,
    timeout: Duration,
    /// This thread's connection (see the module docs: one per worker).
    current: ThreadLocal<RwLock<Option<Connected>>>,
    connecting: tokio::sync::Mutex<()>,
}

/// A connection to Redis that is made lazily, remade after a failure, and never waits longer than
/// its timeout. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct RedisLink {
    inner: Arc<Inner>,
}

impl RedisLink {
    /// One Redis. Checks the URL's syntax only: connecting waits for the first request.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, BadRedisUrl> {
        Self::open(RedisEndpoint::Single(url.to_owned()), timeout)
    }

    /// A Redis Cluster through these seeds (`host:port` or URLs). Checks their syntax only.
    pub fn cluster(seeds: &[String], timeout: Duration) -> Result<Self, BadRedisUrl> {
        Self::open(RedisEndpoint::Cluster(cluster::seed_urls(seeds)), timeout)
    }

    pub fn open(endpoint: RedisEndpoint, timeout: Duration) -> Result<Self, BadRedisUrl> {
        let (redactor, checked) = match &endpoint {
            RedisEndpoint::Single(url) => (
                Redactor::of(url),
                redis::Client::open(url.as_str())
                    .map(drop)
                    .map_err(|err| err.to_string()),
            ),
            RedisEndpoint::Cluster(urls) => (Redactor::of_each(urls), cluster::check_seeds(urls)),
        };
        checked.map_err(|reason| BadRedisUrl {
            url: redactor.url().to_owned(),
            reason: redactor.text(&reason),
        })?;
        Ok(RedisLink {
            inner: Arc::new(Inner {
                endpoint,
                redactor,
                timeout,
                current: ThreadLocal::new(),
                connecting: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The URL with every credential replaced, fit for logs and pages.
    pub fn display_url(&self) -> String {
        self.inner.redactor.url().to_owned()
    }

    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Run `op` against Redis, bounded by the timeout (connecting included). On failure the
    /// connection is dropped and the outage reported.
    ///
    /// A connection made before Redis restarted fails on its first use; like actix-session's own
    /// store, the call is then tried once more on a fresh connection, within the same timeout,
    /// so a Redis restart costs no request a 503.
    pub async fn run<T, F, Fut>(&self, op: F) -> Result<T, RedisUnavailable>
    where
        F: Fn(Connected) -> Fut,
        Fut: Future<Output = Result<T, redis::RedisError>>,
    {
        let attempt = async {
            let (connected, reused) = self.connected().await?;
            match op(connected).await {
                Ok(value) => Ok(value),
                Err(err) if reused && (err.is_connection_dropped() || err.is_io_error()) => {
                    self.forget_connection();
                    let (connected, _) = self.connected().await?;
                    op(connected).await.map_err(|err| err.to_string())
                }
                Err(err) => Err(err.to_string()),
            }
        };
        let reason = match tokio::time::timeout(self.inner.timeout, attempt).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(reason)) => self.inner.redactor.text(&reason),
            Err(_) => format!("no answer within {} ms", self.inner.timeout.as_millis()),
        };
        self.forget_connection();
        outage::report();
        tracing::warn!(redis = %self.display_url(), %reason, "Redis call failed");
        Err(RedisUnavailable {
            url: self.display_url(),
            reason,
        })
    }

    /// How many keys match `pattern`, walked with `SCAN` (never `KEYS`, which blocks Redis) and
    /// stopped once `bound` keys have been seen, so a big database cannot make a page slow.
    /// Returns the count and whether it stopped at the bound.
    pub async fn count_keys(
        &self,
        pattern: &str,
        bound: Option<u64>,
    ) -> Result<(u64, bool), RedisUnavailable> {
        self.scan(pattern, bound, false).await
    }

    /// Delete every key matching `pattern`, a `SCAN` batch at a time with `UNLINK` (which frees
    /// the memory off Redis's main thread); returns how many were deleted.
    pub async fn unlink_keys(&self, pattern: &str) -> Result<u64, RedisUnavailable> {
        Ok(self.scan(pattern, None, true).await?.0)
    }

    /// A `SCAN` walk of every node that holds keys (the one Redis, or each master of a
    /// cluster), deleting what it finds when `unlink`.
    async fn scan(
        &self,
        pattern: &str,
        bound: Option<u64>,
        unlink: bool,
    ) -> Result<(u64, bool), RedisUnavailable> {
        self.run(|mut c| async move {
            let mut total = 0u64;
            let nodes = c.commands.scan_nodes().await?;
            for (n, &node) in nodes.iter().enumerate() {
                let mut cursor = 0u64;
                loop {
                    let (next, keys) = c
                        .commands
                        .scan_step(node, cursor, pattern, SCAN_COUNT)
                        .await?;
                    total += if unlink && !keys.is_empty() {
                        unlink_all(&mut c.commands, &keys).await?
                    } else {
                        keys.len() as u64
                    };
                    let walked_all = next == 0 && n + 1 == nodes.len();
                    if bound.is_some_and(|bound| total >= bound) {
                        return Ok::<_, redis::RedisError>((total, !walked_all));
                    }
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
            }
            Ok((total, false))
        })
        .await
    }

    /// `PING`, bounded by the timeout.
    pub async fn ping(&self) -> Result<(), RedisUnavailable> {
        self.run(|mut c| async move { c.commands.ping().await })
            .await
    }

    /// This thread's slot.
    fn slot(&self) -> &RwLock<Option<Connected>> {
        self.inner.current.get_or(|| RwLock::new(None))
    }

    fn current(&self) -> Option<Connected> {
        self.slot()
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn forget_connection(&self) {
        *self
            .slot()
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    /// The connection, and whether it was made before this call.
    async fn connected(&self) -> Result<(Connected, bool), String> {
        if let Some(connected) = self.current() {
            return Ok((connected, true));
        }
        // One connection attempt at a time; the others wait for it (within their own timeout).
        let _connecting = self.inner.connecting.lock().await;
        if let Some(connected) = self.current() {
            return Ok((connected, false));
        }
        let connected = self.connect().await.map_err(|err| err.to_string())?;
        *self
            .slot()
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(connected.clone());
        tracing::info!(redis = %self.display_url(), "connected to Redis");
        Ok((connected, false))
    }

    async fn connect(&self) -> anyhow::Result<Connected> {
        let timeout = self.inner.timeout;
        let commands = match &self.inner.endpoint {
            RedisEndpoint::Single(url) => {
                let client = redis::Client::open(url.as_str())?;
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout)
                    .set_number_of_retries(0);
                Commands::Single(ConnectionManager::new_with_config(client, config).await?)
            }
            RedisEndpoint::Cluster(urls) => {
                Commands::Cluster(cluster::connect(urls, timeout).await?)
            }
        };
        Ok(Connected { commands })
    }
}

/// `UNLINK` the keys one `SCAN` step found. On one Redis, one command. On a cluster the keys may
/// lie in many slots: the client splits the command per slot (one multi-key command across slots
/// is refused with `CROSSSLOT`).
async fn unlink_all(commands: &mut Commands, keys: &[String]) -> redis::RedisResult<u64> {
    redis::cmd("UNLINK").arg(keys).query_async(commands).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dead_address_fails_fast_and_reports_an_outage() {
        // Port 1 on loopback refuses connections at once.
        let link = RedisLink::new("redis://127.0.0.1:1", Duration::from_millis(500)).expect("url");

        let (result, reported) = outage::watch(link.ping()).await;

        assert!(result.is_err());
        assert!(reported);
    }

    #[tokio::test]
    async fn a_failing_link_shows_neither_form_of_password() {
        for url in [
            "redis+unix:///nonexistent/authlab-test.sock?pass=s3cret",
            "redis+unix:///nonexistent/authlab-test.sock?db=0&password=s3cret",
            "redis://app:s3cret@127.0.0.1:1/0",
        ] {
            let link = RedisLink::new(url, Duration::from_millis(500)).expect("url");

            let err = link.ping().await.expect_err("nothing listens there");

            let text = format!("{err} {err:?} {}", link.display_url());
            assert!(!text.contains("s3cret"), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        let err = RedisLink::new(
            "http://app:s3cret@cache/?pass=s3cret",
            Duration::from_secs(1),
        )
        .err()
        .expect("not a Redis URL");

        let text = format!("{err} {err:?}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
