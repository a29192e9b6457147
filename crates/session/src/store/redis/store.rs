//! The Redis session store: one key per login, read with the user's epoch in one round trip.
//!
//! A request that changes nothing costs exactly one command, `MGET record epoch` (both keys share
//! the user's hash slot). The TTL is extended only when the record changes (the middleware's
//! `OnStateChanges`), so there is no sliding TTL to fold into that read. Writes go through the
//! revocation script of [`super::revocation`]; the key layout is in [`super::keys`].

use std::{collections::HashMap, time::Duration};

use actix_session::storage::{
    generate_session_key, LoadError, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time;
use authlab_core::{BackendError, ServerFacts, StoredRecord};
use rand::{distr::Alphanumeric, Rng};

use super::{
    keys::{
        ended_key, epoch_key, login_record_key, login_session_key, user_tag, Target, SECRET_LEN,
        SESSION_PREFIX,
    },
    link::{RedisLink, RedisUnavailable},
    revocation::{self, WRITE},
};
use crate::{
    inspect,
    record::LoginRecord,
    store::login_store::{LoginStore, SessionCount, StoreCapabilities},
};

/// The inspector counts Redis sessions up to this many, then says "at least".
const COUNT_BOUND: u64 = 10_000;

/// Delete a login's record only if it still belongs to this session key (`ARGV[1]`, its secret):
/// an old session id, renewed since, must not end the session that replaced it.
const DELETE_IF_CURRENT: &str = r"
local old = redis.call('GET', KEYS[1])
if old and string.sub(old, -(#ARGV[1] + 1)) == ' ' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
";

/// Sessions in Redis behind a [`RedisLink`]: bounded and recoverable, one compact key per login,
/// and a logout that a request in flight cannot undo.
///
/// # Limitations
/// Redis is configured by whoever runs it: without AOF or RDB persistence a Redis restart logs
/// everyone out, exactly like an in-process store would. "Log out everywhere" ends the logins at
/// once (one `INCR`) but frees their records with a walk of the key space (`SCAN`), on a Redis
/// Cluster a walk of every master. On a cluster, replication is asynchronous: a login written
/// just before its master dies can be lost with it, and until a replica takes over, the users of
/// that master's slots get 503 (see `docs/architecture.md`, *Redis Cluster*).
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

    /// One session record as Redis holds it: value, TTL and `MEMORY USAGE`, for the inspector.
    /// `None` when the key does not exist.
    pub async fn inspect_record(
        &self,
        session_key: &str,
    ) -> Result<Option<StoredRecord>, RedisUnavailable> {
        let Some(target) = Target::of(session_key) else {
            return Ok(None);
        };
        let key = target.record_key();
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

    async fn read(&self, target: &Target) -> Result<Option<HashMap<String, String>>, LoadError> {
        match target {
            Target::Login {
                tag,
                login_id,
                secret,
            } => {
                let keys = &[login_record_key(tag, login_id), epoch_key(tag)];
                let (line, epoch): (Option<String>, Option<u64>) = self
                    .link
                    .run(|mut c| async move {
                        redis::cmd("MGET")
                            .arg(keys)
                            .query_async(&mut c.commands)
                            .await
                    })
                    .await
                    .map_err(|err| LoadError::Other(err.into()))?;
                Ok(line.and_then(|line| live_login(&line, secret, epoch.unwrap_or(0))))
            }
            Target::Plain(_) => {
                let key = &target.record_key();
                let json: Option<String> = self
                    .link
                    .run(|mut c| async move {
                        redis::cmd("GET")
                            .arg(key)
                            .query_async(&mut c.commands)
                            .await
                    })
                    .await
                    .map_err(|err| LoadError::Other(err.into()))?;
                json.map(|json| serde_json::from_str(&json))
                    .transpose()
                    .map_err(|err| LoadError::Deserialization(err.into()))
            }
        }
    }

    /// Write a login through the revocation script. `keep`: the secret of the session key being
    /// updated. Returns the session key, or one that points at nothing when the write was
    /// refused (the login was ended: the browser ends up logged out).
    async fn write_login(
        &self,
        login: &LoginRecord,
        keep: Option<&str>,
        ttl: &time::Duration,
    ) -> Result<SessionKey, RedisUnavailable> {
        let tag = user_tag(&login.user);
        let keys = [
            login_record_key(&tag, &login.login_id),
            epoch_key(&tag),
            ended_key(&tag, &login.login_id),
        ];
        let loaded_epoch = login.epoch.map(|e| e.to_string()).unwrap_or_default();
        let fresh = new_secret();
        let head = login.line_head();
        let ttl = ttl.whole_seconds().max(1);
        let (keys, head, loaded_epoch, fresh) = (&keys, &head, &loaded_epoch, &fresh);
        let written: Option<String> = self
            .link
            .run(|mut c| async move {
                redis::cmd("EVAL")
                    .arg(WRITE)
                    .arg(keys.len())
                    .arg(keys)
                    .arg(head)
                    .arg(loaded_epoch)
                    .arg(keep.unwrap_or(""))
                    .arg(fresh)
                    .arg(ttl)
                    .query_async(&mut c.commands)
                    .await
            })
            .await?;
        let secret = written.unwrap_or_else(|| {
            tracing::info!("a write of an ended login was refused");
            new_secret()
        });
        Ok(session_key(login_session_key(
            &tag,
            &login.login_id,
            &secret,
        )))
    }

    async fn write_plain(
        &self,
        key: &str,
        state: &HashMap<String, String>,
        ttl: &time::Duration,
        only_if_present: bool,
    ) -> Result<bool, SaveErrorKind> {
        let json = serde_json::to_string(state).map_err(|err| SaveErrorKind::Data(err.into()))?;
        let (key, json) = (&format!("{SESSION_PREFIX}{key}"), &json);
        let ttl = ttl.whole_seconds().max(1);
        let written: Option<String> = self
            .link
            .run(|mut c| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(json)
                    .arg(if only_if_present { "XX" } else { "NX" })
                    .arg("EX")
                    .arg(ttl)
                    .query_async(&mut c.commands)
                    .await
            })
            .await
            .map_err(SaveErrorKind::Unavailable)?;
        Ok(written.is_some())
    }
}

/// Why a write failed, before it becomes actix-session's error type.
enum SaveErrorKind {
    Data(anyhow::Error),
    Unavailable(RedisUnavailable),
}

impl From<SaveErrorKind> for SaveError {
    fn from(err: SaveErrorKind) -> Self {
        match err {
            SaveErrorKind::Data(err) => SaveError::Serialization(err),
            SaveErrorKind::Unavailable(err) => SaveError::Other(err.into()),
        }
    }
}

impl From<SaveErrorKind> for UpdateError {
    fn from(err: SaveErrorKind) -> Self {
        match err {
            SaveErrorKind::Data(err) => UpdateError::Serialization(err),
            SaveErrorKind::Unavailable(err) => UpdateError::Other(err.into()),
        }
    }
}

/// The state of a stored login line, if it belongs to this session key and the current epoch.
fn live_login(line: &str, secret: &str, epoch: u64) -> Option<HashMap<String, String>> {
    let (login, extra) = LoginRecord::parse_line(line)?;
    let stored_secret = extra.first()?;
    (same_secret(stored_secret, secret) && login.epoch == Some(epoch)).then(|| login.to_state())
}

/// Compared without an early exit, so the time taken says nothing about the stored secret.
fn same_secret(stored: &str, presented: &str) -> bool {
    stored.len() == presented.len()
        && stored
            .bytes()
            .zip(presented.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

fn new_secret() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(SECRET_LEN)
        .map(char::from)
        .collect()
}

fn session_key(key: String) -> SessionKey {
    // Our keys are short ASCII; actix-session refuses only keys of 4064 bytes or more.
    SessionKey::try_from(key).unwrap_or_else(|_| generate_session_key())
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
        username: &str,
        login_id: &str,
        remember_for: Duration,
    ) -> Result<(), BackendError> {
        revocation::revoke_login(&self.link, username, login_id, remember_for)
            .await
            .map_err(unavailable)
    }

    async fn revoke_user(
        &self,
        username: &str,
        remember_for: Duration,
    ) -> Result<usize, BackendError> {
        revocation::revoke_user(&self.link, username, remember_for)
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
        let Some(target) = Target::of(session_key.as_ref()) else {
            return Ok(None);
        };
        // The round trip every authenticated /session request pays, shown in Server-Timing.
        authlab_core::timing::measure("redis MGET", self.read(&target)).await
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &time::Duration,
    ) -> Result<SessionKey, SaveError> {
        let login = LoginRecord::of_state(&session_state)
            .map_err(|err| SaveError::Serialization(err.into()))?;
        if let Some(login) = login {
            return self
                .write_login(&login, None, ttl)
                .await
                .map_err(|err| SaveError::Other(err.into()));
        }
        let key = generate_session_key();
        self.write_plain(key.as_ref(), &session_state, ttl, false)
            .await?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &time::Duration,
    ) -> Result<SessionKey, UpdateError> {
        let target = Target::of(session_key.as_ref());
        let login = LoginRecord::of_state(&session_state)
            .map_err(|err| UpdateError::Serialization(err.into()))?;
        if let Some(login) = login {
            let keep = match &target {
                Some(Target::Login {
                    tag,
                    login_id,
                    secret,
                }) if *tag == user_tag(&login.user) && *login_id == login.login_id => {
                    Some(secret.as_str())
                }
                _ => None,
            };
            return self
                .write_login(&login, keep, ttl)
                .await
                .map_err(|err| UpdateError::Other(err.into()));
        }
        if let Some(Target::Plain(key)) = &target {
            if self.write_plain(key, &session_state, ttl, true).await? {
                return Ok(session_key);
            }
        }
        // Gone (or not ours): like actix-session's `SET XX` fallback, a new key, never the old.
        let key = generate_session_key();
        self.write_plain(key.as_ref(), &session_state, ttl, false)
            .await?;
        Ok(key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &time::Duration,
    ) -> Result<(), anyhow::Error> {
        let Some(target) = Target::of(session_key.as_ref()) else {
            return Ok(());
        };
        let key = &target.record_key();
        let ttl = ttl.whole_seconds().max(1);
        self.link
            .run(|mut c| async move {
                redis::cmd("EXPIRE")
                    .arg(key)
                    .arg(ttl)
                    .query_async::<()>(&mut c.commands)
                    .await
            })
            .await
            .map_err(Into::into)
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let Some(target) = Target::of(session_key.as_ref()) else {
            return Ok(());
        };
        let (key, target) = (&target.record_key(), &target);
        self.link
            .run(|mut c| async move {
                let command = match target {
                    Target::Login { secret, .. } => {
                        let mut eval = redis::cmd("EVAL");
                        eval.arg(DELETE_IF_CURRENT).arg(1).arg(key).arg(secret);
                        eval
                    }
                    Target::Plain(_) => {
                        let mut del = redis::cmd("DEL");
                        del.arg(key);
                        del
                    }
                };
                command.query_async::<()>(&mut c.commands).await
            })
            .await
            .map_err(Into::into)
    }
}
