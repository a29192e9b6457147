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
//!
//! It also closes actix-session's logout race. A request that loaded a session before a logout
//! deleted it may still save it afterwards (`update` falls back to a fresh key when `SET XX`
//! finds the key gone, and a renewal always saves anew): the user would be logged in again.
//! Every write here is followed, in this order, by adding its key to the login's key set and
//! checking whether the login id was revoked (deleting the write if so); a logout revokes the
//! login id first and then deletes every key in the set. Whatever the interleaving, a write
//! either sees the revocation or is seen by the deletion. Unchanged requests are untouched: still
//! one GET.

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

use super::{
    login_of_state::login_of, REDIS_KEY_PREFIX, REDIS_LOGIN_KEYS_PREFIX, REDIS_REVOKED_PREFIX,
    REDIS_USER_LOGINS_PREFIX,
};
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

    async fn scan(
        &self,
        pattern: &str,
        bound: Option<u64>,
        unlink: bool,
    ) -> Result<(u64, bool), RedisUnavailable> {
        self.run(|mut c| async move {
            let mut cursor = 0u64;
            let mut total = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut c.commands)
                    .await?;
                total += if unlink && !keys.is_empty() {
                    redis::cmd("UNLINK")
                        .arg(&keys)
                        .query_async::<u64>(&mut c.commands)
                        .await?
                } else {
                    keys.len() as u64
                };
                if next == 0 {
                    return Ok::<_, redis::RedisError>((total, false));
                }
                if bound.is_some_and(|bound| total >= bound) {
                    return Ok((total, true));
                }
                cursor = next;
            }
        })
        .await
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
            .set_number_of_retries(0);
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
/// A record read back for the inspector.
#[derive(Debug, Clone)]
pub struct RawRecord {
    pub key: String,
    pub value: String,
    pub ttl_seconds: Option<i64>,
    pub size_bytes: Option<u64>,
}

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

    /// End one login: refuse it from now on, then delete every session key written for it.
    pub async fn revoke_login(
        &self,
        login_id: &str,
        ttl: StdDuration,
    ) -> Result<(), RedisUnavailable> {
        let revoked = format!("{REDIS_REVOKED_PREFIX}{login_id}");
        let keys_set = format!("{REDIS_LOGIN_KEYS_PREFIX}{login_id}");
        let ttl = ttl.as_secs().max(1);
        self.link
            .run(|mut c| async move {
                redis::cmd("SET")
                    .arg(&revoked)
                    .arg(1)
                    .arg("EX")
                    .arg(ttl)
                    .query_async::<()>(&mut c.commands)
                    .await?;
                let keys: Vec<String> = redis::cmd("SMEMBERS")
                    .arg(&keys_set)
                    .query_async(&mut c.commands)
                    .await?;
                redis::cmd("DEL")
                    .arg(&keys)
                    .arg(&keys_set)
                    .query_async::<()>(&mut c.commands)
                    .await
            })
            .await
    }

    /// End every login of `username` ("log out everywhere"); returns how many logins it had.
    pub async fn revoke_user(
        &self,
        username: &str,
        ttl: StdDuration,
    ) -> Result<usize, RedisUnavailable> {
        let user_set = format!("{REDIS_USER_LOGINS_PREFIX}{username}");
        let login_ids: Vec<String> = self
            .link
            .run(|mut c| async move {
                redis::cmd("SMEMBERS")
                    .arg(&user_set)
                    .query_async(&mut c.commands)
                    .await
            })
            .await?;
        for login_id in &login_ids {
            self.revoke_login(login_id, ttl).await?;
        }
        Ok(login_ids.len())
    }

    /// The bookkeeping after a write; see the module docs for why the order matters.
    /// One session record as Redis holds it: value, TTL and `MEMORY USAGE`, for the inspector.
    /// `None` when the key does not exist.
    pub async fn inspect_record(
        &self,
        session_key: &str,
    ) -> Result<Option<RawRecord>, RedisUnavailable> {
        let key = format!("{REDIS_KEY_PREFIX}{session_key}");
        let (value, ttl, bytes): (Option<String>, i64, Option<u64>) = self
            .link
            .run(|mut c| {
                let key = key.clone();
                async move {
                    redis::pipe()
                        .cmd("GET")
                        .arg(&key)
                        .cmd("TTL")
                        .arg(&key)
                        .cmd("MEMORY")
                        .arg("USAGE")
                        .arg(&key)
                        .query_async(&mut c.commands)
                        .await
                }
            })
            .await?;
        Ok(value.map(|value| RawRecord {
            key,
            value,
            // -1: no expiry; -2: gone between the commands.
            ttl_seconds: (ttl >= 0).then_some(ttl),
            size_bytes: bytes,
        }))
    }

    /// How many session records Redis holds, counting no further than `bound`.
    pub async fn count_sessions(&self, bound: u64) -> Result<(u64, bool), RedisUnavailable> {
        self.link
            .count_keys(&format!("{REDIS_KEY_PREFIX}*"), Some(bound))
            .await
    }

    async fn after_write(
        &self,
        key: &SessionKey,
        state: &HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<(), RedisUnavailable> {
        let Some((login_id, username)) = login_of(state) else {
            return Ok(());
        };
        let session_key = format!("{REDIS_KEY_PREFIX}{}", key.as_ref());
        let keys_set = format!("{REDIS_LOGIN_KEYS_PREFIX}{login_id}");
        let user_set = format!("{REDIS_USER_LOGINS_PREFIX}{username}");
        let revoked = format!("{REDIS_REVOKED_PREFIX}{login_id}");
        let ttl = ttl.whole_seconds().max(1);
        self.link
            .run(|mut c| async move {
                let (is_revoked,): (bool,) = redis::pipe()
                    .cmd("SADD")
                    .arg(&keys_set)
                    .arg(&session_key)
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&keys_set)
                    .arg(ttl)
                    .ignore()
                    .cmd("SADD")
                    .arg(&user_set)
                    .arg(&login_id)
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&user_set)
                    .arg(ttl)
                    .ignore()
                    .cmd("EXISTS")
                    .arg(&revoked)
                    .query_async(&mut c.commands)
                    .await?;
                if is_revoked {
                    redis::cmd("DEL")
                        .arg(&session_key)
                        .query_async::<()>(&mut c.commands)
                        .await?;
                }
                Ok::<_, redis::RedisError>(())
            })
            .await
    }
}

impl SessionStore for RedisStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let load = self.link.run(|c| async move {
            match c.sessions.load(session_key).await {
                Err(LoadError::Other(err)) => Err(err),
                // Bad data is the caller's business, not an outage.
                other => Ok(other),
            }
        });
        // The round trip every authenticated /session request pays, shown in Server-Timing.
        let outcome = authlab_core::timing::measure("redis GET", load).await;
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
        let state = session_state.clone();
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
        let key = match outcome {
            Ok(result) => result?,
            Err(unavailable) => return Err(SaveError::Other(unavailable.into())),
        };
        self.after_write(&key, &state, ttl)
            .await
            .map_err(|unavailable| SaveError::Other(unavailable.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let state = session_state.clone();
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
        let key = match outcome {
            Ok(result) => result?,
            Err(unavailable) => return Err(UpdateError::Other(unavailable.into())),
        };
        self.after_write(&key, &state, ttl)
            .await
            .map_err(|unavailable| UpdateError::Other(unavailable.into()))?;
        Ok(key)
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
