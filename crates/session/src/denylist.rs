//! The JWT denylist in Redis.
//!
//! It lives in this crate because [`RedisLink`] is the project's one bounded, self-healing Redis
//! client; the JWT crate sees only the `Denylist` trait from core.

use async_trait::async_trait;
use authlab_core::{BackendError, Denylist};

use crate::store::RedisLink;

pub const REDIS_DENYLIST_PREFIX: &str = "authlab:jwt-denied:";

pub struct RedisDenylist {
    link: RedisLink,
}

impl RedisDenylist {
    pub fn new(link: RedisLink) -> Self {
        RedisDenylist { link }
    }
}

fn unavailable(err: crate::store::RedisUnavailable) -> BackendError {
    BackendError::unavailable("Redis", err.reason)
}

#[async_trait(?Send)]
impl Denylist for RedisDenylist {
    async fn revoke(&self, jti: &str, ttl_secs: u64) -> Result<(), BackendError> {
        let key = &format!("{REDIS_DENYLIST_PREFIX}{jti}");
        self.link
            .run(|mut c| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("EX")
                    .arg(ttl_secs.max(1))
                    .query_async::<()>(&mut c.commands)
                    .await
            })
            .await
            .map_err(unavailable)
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, BackendError> {
        let key = &format!("{REDIS_DENYLIST_PREFIX}{jti}");
        self.link
            .run(|mut c| async move {
                redis::cmd("EXISTS")
                    .arg(key)
                    .query_async::<bool>(&mut c.commands)
                    .await
            })
            .await
            .map_err(unavailable)
    }

    async fn entries(&self) -> Result<u64, BackendError> {
        self.link
            .count_keys(&format!("{REDIS_DENYLIST_PREFIX}*"), None)
            .await
            .map(|(count, _)| count)
            .map_err(unavailable)
    }
}
