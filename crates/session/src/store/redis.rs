//! Sessions in Redis, through actix-session's `RedisSessionStore`, made fault-tolerant.
//!
//! Out of the box, actix-session 0.11 with redis 0.32 has no timeouts: with Redis stopped a
//! request hangs for over a minute, and after Redis returns the first request still hangs while
//! the connection manager backs off. [`RedisLink`] fixes that from the outside, without forking
//! the store:
//!
//! - every call (connecting included) runs under one `tokio::time::timeout`;
//! - a call that fails or times out throws the connection away, so the next request connects
//!   afresh (a refused connection fails in microseconds) instead of waiting on a backoff;
//! - nothing connects at start-up, so the server starts, and `/jwt` and `/memory` serve, with
//!   Redis down; `/session` recovers by itself when Redis is back;
//! - a failure is reported through [`crate::outage`], so the web layer answers 503, not 500.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, RwLock},
    time::Duration as StdDuration,
};

use actix_session::storage::{
    LoadError, RedisSessionStore, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::REDIS_KEY_PREFIX;
use crate::outage;

/// Redis could not be reached in time. Carries no secret: the URL is shown without its password.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Redis at {url} is unavailable: {reason}")]
pub struct RedisUnavailable {
    pub url: String,
    pub reason: String,
}

/// Both connections to one Redis: actix-session's store, and a general one for the inspector,
/// the health check and the benchmarks.
#[derive(Clone)]
pub struct Connected {
    pub sessions: RedisSessionStore,
    pub commands: ConnectionManager,
}

struct Inner {
    url: String,
    timeout: StdDuration,
    current: RwLock<Option<Connected>>,
    connecting: tokio::sync::Mutex<()>,
}

/// A connection to Redis that is made lazily, remade after a failure, and never waits longer than
/// its timeout. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct RedisLink {
    inner: Arc<Inner>,
}

impl RedisLink {
    /// Checks the URL's syntax only: connecting waits for the first request.
    pub fn new(url: &str, timeout: StdDuration) -> Result<Self, redis::RedisError> {
        redis::Client::open(url)?;
        Ok(RedisLink {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                timeout,
                current: RwLock::new(None),
                connecting: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The URL with any password replaced, fit for logs and pages.
    pub fn display_url(&self) -> String {
        redact_url(&self.inner.url)
    }

    pub fn timeout(&self) -> StdDuration {
        self.inner.timeout
    }

    /// Run `op` against Redis, bounded by the timeout (connecting included). On failure the
    /// connection is dropped and the outage reported.
    pub async fn run<T, E, F, Fut>(&self, op: F) -> Result<T, RedisUnavailable>
    where
        F: FnOnce(Connected) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: std::fmt::Display,
    {
        let attempt = async {
            let connected = self.connected().await?;
            op(connected).await.map_err(|err| err.to_string())
        };
        let reason = match tokio::time::timeout(self.inner.timeout, attempt).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(reason)) => reason,
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

    /// `PING`, bounded by the timeout.
    pub async fn ping(&self) -> Result<(), RedisUnavailable> {
        self.run(|mut c| async move {
            redis::cmd("PING")
                .query_async::<String>(&mut c.commands)
                .await
        })
        .await
        .map(drop)
    }

    fn current(&self) -> Option<Connected> {
        self.inner
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn forget_connection(&self) {
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    async fn connected(&self) -> Result<Connected, String> {
        if let Some(connected) = self.current() {
            return Ok(connected);
        }
        // One connection attempt at a time; the others wait for it (within their own timeout).
        let _connecting = self.inner.connecting.lock().await;
        if let Some(connected) = self.current() {
            return Ok(connected);
        }
        let connected = self.connect().await.map_err(|err| err.to_string())?;
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(connected.clone());
        tracing::info!(redis = %self.display_url(), "connected to Redis");
        Ok(connected)
    }

    async fn connect(&self) -> anyhow::Result<Connected> {
        let client = redis::Client::open(self.inner.url.as_str())?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.inner.timeout)
            .set_response_timeout(self.inner.timeout)
            .set_number_of_retries(1);
        let commands = ConnectionManager::new_with_config(client, config).await?;
        let sessions = RedisSessionStore::builder(self.inner.url.clone())
            .cache_keygen(|key| format!("{REDIS_KEY_PREFIX}{key}"))
            .build()
            .await?;
        Ok(Connected { sessions, commands })
    }
}

/// `RedisSessionStore` behind a [`RedisLink`]: same keys, same values, bounded and recoverable.
///
/// # Limitations
/// Redis is configured by whoever runs it: without AOF or RDB persistence a Redis restart logs
/// everyone out, exactly like an in-process store would.
#[derive(Clone)]
pub struct RedisStore {
    link: RedisLink,
}

impl RedisStore {
    pub fn new(link: RedisLink) -> Self {
        RedisStore { link }
    }

    pub fn link(&self) -> &RedisLink {
        &self.link
    }
}

impl SessionStore for RedisStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let outcome = self
            .link
            .run(|c| async move {
                match c.sessions.load(session_key).await {
                    Err(LoadError::Other(err)) => Err(err),
                    // Bad data is the caller's business, not an outage.
                    other => Ok(other),
                }
            })
            .await;
        match outcome {
            Ok(result) => result,
            Err(unavailable) => Err(LoadError::Other(unavailable.into())),
        }
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let outcome = self
            .link
            .run(|c| async move {
                match c.sessions.save(session_state, ttl).await {
                    Err(SaveError::Other(err)) => Err(err),
                    // Bad data is the caller's business, not an outage.
                    other => Ok(other),
                }
            })
            .await;
        match outcome {
            Ok(result) => result,
            Err(unavailable) => Err(SaveError::Other(unavailable.into())),
        }
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let outcome = self
            .link
            .run(|c| async move {
                match c.sessions.update(session_key, session_state, ttl).await {
                    Err(UpdateError::Other(err)) => Err(err),
                    // Bad data is the caller's business, not an outage.
                    other => Ok(other),
                }
            })
            .await;
        match outcome {
            Ok(result) => result,
            Err(unavailable) => Err(UpdateError::Other(unavailable.into())),
        }
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        self.link
            .run(|c| async move { c.sessions.update_ttl(session_key, ttl).await })
            .await
            .map_err(Into::into)
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        self.link
            .run(|c| async move { c.sessions.delete(session_key).await })
            .await
            .map_err(Into::into)
    }
}

/// `redis://user:pass@host:6379/0` → `redis://[redacted]@host:6379/0`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://[redacted]{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_displayed_url() {
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(
            redact_url("redis://user:s3cret@cache:6379/0"),
            "redis://[redacted]@cache:6379/0"
        );
    }

    #[tokio::test]
    async fn a_dead_address_fails_fast_and_reports_an_outage() {
        // Port 1 on loopback refuses connections at once.
        let link =
            RedisLink::new("redis://127.0.0.1:1", StdDuration::from_millis(500)).expect("url");

        let (result, reported) = outage::watch(link.ping()).await;

        assert!(result.is_err());
        assert!(reported);
    }
}
