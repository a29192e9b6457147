//! Sessions in the server's own memory.
//!
//! This is the store the course notes have in mind when they say "if the server restarts, all
//! users get logged out": the map dies with the process. It is shared by all worker threads of one
//! process (behind a mutex) and by nothing else, so a second instance does not see it either.
//!
//! Revocation is simple here because one mutex orders everything: a revoked login id is
//! remembered until its sessions would have expired, its records are removed, and no later save
//! or update carrying it is written (that is the logout race closed).
//!
//! A login is kept as its record line (`crate::record`: `alice <login id> admin <login time> 0`)
//! under a 32-character random key, not as actix-session's JSON map under a 64-character one:
//! what the memory benchmark shows is then what a login costs. (32 alphanumerics are 190 random
//! bits, far beyond what guessing can reach.)

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration as StdDuration, Instant},
};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use authlab_core::{BackendError, ServerFacts, StoredRecord};
use rand::{distr::Alphanumeric, Rng};

use super::login_store::{LoginStore, SessionCount, StoreCapabilities, TokenLogin};
use crate::{inspect, record::LoginRecord};

/// Characters of a session key: 32 alphanumerics, about 190 random bits.
const KEY_LEN: usize = 32;

/// Expired entries are swept after this many saves, so an abandoned login does not live forever.
const SWEEP_EVERY_SAVES: u64 = 1024;
/// The inspector lists up to this many records.
const LISTED_RECORDS: usize = 8;

struct Entry {
    /// A login's record line, or actix-session's JSON for any other state.
    state: Box<str>,
    expires_at: Instant,
}

impl Entry {
    fn encode(state: &HashMap<String, String>) -> anyhow::Result<Box<str>> {
        Ok(match LoginRecord::of_state(state)? {
            Some(login) => login.line(0).into_boxed_str(),
            None => serde_json::to_string(state)?.into_boxed_str(),
        })
    }

    fn login(&self) -> Option<LoginRecord> {
        // JSON starts with a brace; a record line never does (the user's braces are escaped).
        if self.state.starts_with('{') {
            return None;
        }
        LoginRecord::parse_line(&self.state).map(|(login, _)| login)
    }

    fn decode(&self) -> Result<HashMap<String, String>, serde_json::Error> {
        match self.login() {
            // One mutex orders everything here: no epoch to carry.
            Some(login) => Ok(LoginRecord {
                epoch: None,
                ..login
            }
            .to_state()),
            None => serde_json::from_str(&self.state),
        }
    }
}

fn generate_key() -> SessionKey {
    let key: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(KEY_LEN)
        .map(char::from)
        .collect();
    SessionKey::try_from(key).unwrap_or_else(|_| actix_session::storage::generate_session_key())
}

#[derive(Default)]
struct Map {
    entries: HashMap<Box<str>, Entry>,
    saves: u64,
    /// Revoked login ids, until when they must stay refused.
    revoked: HashMap<Box<str>, Instant>,
    /// Opaque bearer tokens by their SHA-256, with their login and when they expire.
    tokens: HashMap<Box<str>, (TokenLogin, Instant)>,
}

impl Map {
    fn is_revoked(&self, state: &HashMap<String, String>) -> bool {
        LoginRecord::from_state(state).is_some_and(|login| {
            self.revoked
                .get(login.login_id.as_str())
                .is_some_and(|until| *until > Instant::now())
        })
    }

    /// Remove every record whose login matches `matches`; returns the login ids removed.
    fn remove_logins(&mut self, matches: impl Fn(&str, &str) -> bool) -> Vec<String> {
        let mut removed = Vec::new();
        self.entries.retain(|_, entry| match entry.login() {
            Some(login) if matches(&login.login_id, &login.user) => {
                removed.push(login.login_id);
                false
            }
            _ => true,
        });
        removed
    }
}

/// One process's session records, with their TTLs.
///
/// # Limitations
/// Lost when the process exits; invisible to any other instance.
#[derive(Clone, Default)]
pub struct InProcessStore {
    map: Arc<Mutex<Map>>,
}

/// What the in-process store holds, for the inspector and the memory benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProcessStats {
    pub sessions: usize,
    /// Key and value bytes plus the fixed size of each map slot: a lower bound on the heap cost.
    pub approximate_bytes: usize,
}

impl InProcessStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Map> {
        // A panic while holding the lock cannot leave the map half-written in a way that matters
        // more than losing the process would, so keep serving.
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn stats(&self) -> InProcessStats {
        let map = self.lock();
        let now = Instant::now();
        let live = map.entries.iter().filter(|(_, e)| e.expires_at > now);
        let (sessions, bytes) = live.fold((0, 0), |(n, bytes), (key, entry)| {
            (
                n + 1,
                bytes + key.len() + entry.state.len() + std::mem::size_of::<(Box<str>, Entry)>(),
            )
        });
        InProcessStats {
            sessions,
            approximate_bytes: bytes,
        }
    }

    /// Up to `limit` live records (key, stored JSON, time left, estimated bytes), the record
    /// `yours` leading and marked when present: the inspector lists the whole store when it is
    /// small.
    fn records(&self, yours: Option<&str>, limit: usize) -> Vec<StoredRecord> {
        let map = self.lock();
        let now = Instant::now();
        let mut live: Vec<StoredRecord> = map
            .entries
            .iter()
            .filter(|(_, entry)| entry.expires_at > now)
            .map(|(key, entry)| StoredRecord {
                key: key.to_string(),
                value: entry.state.to_string(),
                ttl_seconds: i64::try_from(entry.expires_at.duration_since(now).as_secs()).ok(),
                size_bytes: u64::try_from(
                    key.len() + entry.state.len() + std::mem::size_of::<(Box<str>, Entry)>(),
                )
                .ok(),
                yours: Some(key.as_ref()) == yours,
            })
            .collect();
        live.sort_by(|a, b| (!a.yours).cmp(&!b.yours).then_with(|| a.key.cmp(&b.key)));
        live.truncate(limit);
        live
    }

    fn insert(
        map: &mut Map,
        key: &SessionKey,
        state: &HashMap<String, String>,
        ttl: &Duration,
    ) -> anyhow::Result<()> {
        let state = Entry::encode(state)?;
        let ttl = StdDuration::try_from(*ttl).unwrap_or_default();
        map.entries.insert(
            key.as_ref().into(),
            Entry {
                state,
                expires_at: Instant::now() + ttl,
            },
        );
        Ok(())
    }
}

impl InProcessStore {
    fn save_locked(
        map: &mut Map,
        state: &HashMap<String, String>,
        ttl: &Duration,
    ) -> anyhow::Result<SessionKey> {
        let key = generate_key();
        if map.is_revoked(state) {
            // A request that loaded this login before its logout is saving it back: hand the
            // middleware a key that points at nothing, so the browser ends up logged out.
            return Ok(key);
        }
        Self::insert(map, &key, state, ttl)?;
        map.saves += 1;
        if map.saves.is_multiple_of(SWEEP_EVERY_SAVES) {
            let now = Instant::now();
            map.entries.retain(|_, entry| entry.expires_at > now);
            map.revoked.retain(|_, until| *until > now);
            map.tokens.retain(|_, (_, until)| *until > now);
        }
        Ok(key)
    }
}

impl SessionStore for InProcessStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        // What an authenticated /memory request pays instead of a Redis round trip.
        authlab_core::timing::measure_sync("in-process map lookup", || {
            let mut map = self.lock();
            let key = session_key.as_ref();
            match map.entries.get(key) {
                Some(entry) if entry.expires_at > Instant::now() => entry
                    .decode()
                    .map(Some)
                    .map_err(|err| LoadError::Deserialization(err.into())),
                Some(_) => {
                    map.entries.remove(key);
                    Ok(None)
                }
                None => Ok(None),
            }
        })
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        Self::save_locked(&mut self.lock(), &session_state, ttl).map_err(SaveError::Serialization)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let mut map = self.lock();
        if !map.entries.contains_key(session_key.as_ref()) || map.is_revoked(&session_state) {
            // Like the Redis store's `SET XX`: a record that is gone is not brought back under its
            // old key (that would resurrect a logged-out session); the middleware gets a new key.
            return Self::save_locked(&mut map, &session_state, ttl)
                .map_err(UpdateError::Serialization);
        }
        Self::insert(&mut map, &session_key, &session_state, ttl)
            .map_err(UpdateError::Serialization)?;
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let mut map = self.lock();
        if let Some(entry) = map.entries.get_mut(session_key.as_ref()) {
            entry.expires_at = Instant::now() + StdDuration::try_from(*ttl).unwrap_or_default();
        }
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        self.lock().entries.remove(session_key.as_ref());
        Ok(())
    }
}

/// Nothing here can fail or wait: the map is in this process, behind one mutex.
impl LoginStore for InProcessStore {
    fn capabilities(&self) -> StoreCapabilities {
        StoreCapabilities {
            survives_app_restart: false,
            shared_across_instances: false,
        }
    }

    async fn revoke_login(
        &self,
        _username: &str,
        login_id: &str,
        remember_for: StdDuration,
    ) -> Result<(), BackendError> {
        let mut map = self.lock();
        map.revoked
            .insert(login_id.into(), Instant::now() + remember_for);
        map.remove_logins(|id, _| id == login_id);
        Ok(())
    }

    async fn revoke_user(
        &self,
        username: &str,
        remember_for: StdDuration,
    ) -> Result<usize, BackendError> {
        let mut map = self.lock();
        let tokens_before = map.tokens.len();
        map.tokens.retain(|_, (login, _)| login.user != username);
        let tokens = tokens_before - map.tokens.len();
        let removed = map.remove_logins(|_, user| user == username);
        let until = Instant::now() + remember_for;
        for login_id in &removed {
            map.revoked.insert(login_id.as_str().into(), until);
        }
        Ok(removed.len() + tokens)
    }

    async fn keep_token(
        &self,
        digest: &str,
        login: &TokenLogin,
        ttl: StdDuration,
    ) -> Result<(), BackendError> {
        let mut map = self.lock();
        let now = Instant::now();
        // Tokens are swept when one is made, so abandoned ones cannot pile up.
        map.tokens.retain(|_, (_, until)| *until > now);
        map.tokens.insert(digest.into(), (login.clone(), now + ttl));
        Ok(())
    }

    async fn token_login(&self, digest: &str) -> Result<Option<TokenLogin>, BackendError> {
        Ok(authlab_core::timing::measure_sync(
            "in-process map lookup",
            || {
                let map = self.lock();
                map.tokens
                    .get(digest)
                    .filter(|(_, until)| *until > Instant::now())
                    .map(|(login, _)| login.clone())
            },
        ))
    }

    async fn drop_token(&self, digest: &str) -> Result<(), BackendError> {
        self.lock().tokens.remove(digest);
        Ok(())
    }

    async fn revoke_everyone(&self, remember_for: StdDuration) -> Result<usize, BackendError> {
        let mut map = self.lock();
        let removed = map.remove_logins(|_, _| true);
        let until = Instant::now() + remember_for;
        for login_id in &removed {
            map.revoked.insert(login_id.as_str().into(), until);
        }
        Ok(removed.len())
    }

    async fn count_sessions(&self, _bound: u64) -> Result<SessionCount, BackendError> {
        // Counting a map in memory is cheap at any size: no bound needed.
        Ok(SessionCount {
            sessions: u64::try_from(self.stats().sessions).unwrap_or(u64::MAX),
            at_least: false,
        })
    }

    async fn server_facts(&self, session_key: Option<&str>) -> Result<ServerFacts, BackendError> {
        let stats = self.stats();
        Ok(inspect::memory_facts(
            self.records(session_key, LISTED_RECORDS),
            u64::try_from(stats.sessions).unwrap_or(u64::MAX),
            u64::try_from(stats.approximate_bytes).unwrap_or(u64::MAX),
        ))
    }

    async fn ping(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The behaviour every store shares is in the conformance suite
    //! (`crates/session/tests/conformance`); these are this store's own.
    use super::*;

    fn state() -> HashMap<String, String> {
        HashMap::from([("user".to_owned(), "\"alice\"".to_owned())])
    }

    #[tokio::test]
    async fn an_expired_record_is_gone() {
        let store = InProcessStore::new();

        let key = store.save(state(), &Duration::ZERO).await.expect("save");

        assert_eq!(store.load(&key).await.expect("load"), None);
    }
}
