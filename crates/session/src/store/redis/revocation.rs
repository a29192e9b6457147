//! Closing actix-session's logout race in Redis, and "log out everywhere".
//!
//! A request that loaded a session before a logout deleted it may still save it afterwards
//! (`update` falls back to a fresh key when `SET XX` finds the key gone, and a renewal always
//! saves anew): the user would be logged in again. So every write is followed, in this order, by
//! adding its key to the login's key set and checking whether the login id was revoked (deleting
//! the write if so); a logout revokes the login id first and then deletes every key in the set.
//! Whatever the interleaving, a write either sees the revocation or is seen by the deletion.
//! Unchanged requests are untouched: still one GET.

use std::{collections::HashMap, time::Duration};

use actix_session::storage::SessionKey;
use actix_web::cookie::time;

use super::{
    keys::{LOGIN_KEYS_PREFIX, REVOKED_PREFIX, SESSION_PREFIX, USER_LOGINS_PREFIX},
    link::{RedisLink, RedisUnavailable},
};
use crate::record::login_of;

/// The revocation bookkeeping beside the session records.
#[derive(Clone)]
pub struct Revocations {
    link: RedisLink,
}

impl Revocations {
    pub fn new(link: RedisLink) -> Self {
        Revocations { link }
    }

    /// End one login: refuse it from now on, then delete every session key written for it.
    pub async fn revoke_login(
        &self,
        login_id: &str,
        remember_for: Duration,
    ) -> Result<(), RedisUnavailable> {
        let revoked = format!("{REVOKED_PREFIX}{login_id}");
        let keys_set = format!("{LOGIN_KEYS_PREFIX}{login_id}");
        let ttl = remember_for.as_secs().max(1);
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
        remember_for: Duration,
    ) -> Result<usize, RedisUnavailable> {
        let user_set = format!("{USER_LOGINS_PREFIX}{username}");
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
            self.revoke_login(login_id, remember_for).await?;
        }
        Ok(login_ids.len())
    }

    /// The bookkeeping after a write; see the module docs for why the order matters.
    pub async fn after_write(
        &self,
        key: &SessionKey,
        state: &HashMap<String, String>,
        ttl: &time::Duration,
    ) -> Result<(), RedisUnavailable> {
        let Some((login_id, username)) = login_of(state) else {
            return Ok(());
        };
        let session_key = format!("{SESSION_PREFIX}{}", key.as_ref());
        let keys_set = format!("{LOGIN_KEYS_PREFIX}{login_id}");
        let user_set = format!("{USER_LOGINS_PREFIX}{username}");
        let revoked = format!("{REVOKED_PREFIX}{login_id}");
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
