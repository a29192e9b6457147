//! The Redis session store: actix-session's `RedisSessionStore` behind a [`RedisLink`], with the
//! revocation bookkeeping of [`super::revocation`] after every write.

use std::{collections::HashMap, time::Duration};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time;
use authlab_core::{BackendError, ServerFacts, StoredRecord};

use super::{
    keys::SESSION_PREFIX,
    link::{RedisLink, RedisUnavailable},
    revocation::Revocations,
};
use crate::{
    inspect,
    store::login_store::{LoginStore, SessionCount, StoreCapabilities},
};

/// The inspector counts Redis sessions up to this many, then says "at least".
const COUNT_BOUND: u64 = 10_000;

/// `RedisSessionStore` behind a [`RedisLink`]: same keys, same values, bounded and recoverable,
/// and a logout that a request in flight cannot undo.
///
/// # Limitations
/// Redis is configured by whoever runs it: without AOF or RDB persistence a Redis restart logs
/// everyone out, exactly like an in-process store would. Ending a login costs a few round trips
/// and two sets per login (see the module docs of `revocation`).
#[derive(Clone)]
pub struct RedisStore {
    link: RedisLink,
    revocations: Revocations,
}

impl RedisStore {
    pub fn new(link: RedisLink) -> Self {
        RedisStore {
            revocations: Revocations::new(link.clone()),
            link,
        }
    }

    pub fn link(&self) -> &RedisLink {
        &self.link
    }

    /// One session record as Redis holds it: value, TTL and `MEMORY USAGE`, for the inspector.
    /// `None` when the key does not exist.
    pub async fn inspect_record(
        &self,
        session_key: &str,
    ) -> Result<Option<StoredRecord>, RedisUnavailable> {
        let key = format!("{SESSION_PREFIX}{session_key}");
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
        Ok(value.map(|value| StoredRecord {
            key,
            value,
            // -1: no expiry; -2: gone between the commands.
            ttl_seconds: (ttl >= 0).then_some(ttl),
            size_bytes: bytes,
            yours: true,
        }))
    }
}

fn unavailable(err: RedisUnavailable) -> BackendError {
    BackendError::unavailable("Redis", err.reason)
}

impl LoginStore for RedisStore {
    fn capabilities(&self) -> StoreCapabilities {
        StoreCapabilities {
            survives_app_restart: true,
            shared_across_instances: true,
        }
    }

    async fn revoke_login(
        &self,
        login_id: &str,
        remember_for: Duration,
    ) -> Result<(), BackendError> {
        self.revocations
            .revoke_login(login_id, remember_for)
            .await
            .map_err(unavailable)
    }

    async fn revoke_user(
        &self,
        username: &str,
        remember_for: Duration,
    ) -> Result<usize, BackendError> {
        self.revocations
            .revoke_user(username, remember_for)
            .await
            .map_err(unavailable)
    }

    async fn count_sessions(&self, bound: u64) -> Result<SessionCount, BackendError> {
        let (sessions, at_least) = self
            .link
            .count_keys(&format!("{SESSION_PREFIX}*"), Some(bound))
            .await
            .map_err(unavailable)?;
        Ok(SessionCount { sessions, at_least })
    }

    async fn server_facts(&self, session_key: Option<&str>) -> Result<ServerFacts, BackendError> {
        let record = match session_key {
            Some(key) => self.inspect_record(key).await.map_err(unavailable)?,
            None => None,
        };
        let count = self.count_sessions(COUNT_BOUND).await?;
        Ok(inspect::redis_facts(record, count.sessions, count.at_least))
    }

    async fn ping(&self) -> Result<(), BackendError> {
        self.link.ping().await.map_err(unavailable)
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
        ttl: &time::Duration,
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
        self.revocations
            .after_write(&key, &state, ttl)
            .await
            .map_err(|unavailable| SaveError::Other(unavailable.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &time::Duration,
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
        self.revocations
            .after_write(&key, &state, ttl)
            .await
            .map_err(|unavailable| UpdateError::Other(unavailable.into()))?;
        Ok(key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &time::Duration,
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
