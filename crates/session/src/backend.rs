//! The session middleware's record as an [`AuthBackend`].

use std::{sync::Arc, time::Duration};

use actix_web::{cookie::Cookie, HttpRequest};
use async_trait::async_trait;
use authlab_core::{
    AuthBackend, Authentication, BackendError, Capabilities, Grant, Identity, Inspection,
    UserDirectory,
};

use crate::{
    inspect,
    store::{InProcessStore, RedisStore, RedisUnavailable},
    AuthSession, SessionSettings,
};

/// The inspector counts Redis sessions up to this many, then says "at least".
const COUNT_BOUND: u64 = 10_000;
/// The in-process inspector lists up to this many records.
const LISTED_RECORDS: usize = 8;

/// Where the records of a [`SessionBackend`] live, which decides what it survives.
#[derive(Clone)]
pub enum StoreKind {
    Redis(RedisStore),
    InProcess(InProcessStore),
}

/// The stateful backend: the session holds only the username; the role is looked up on every
/// request, which is why a role change applies at once.
///
/// # Limitations
/// It is only as available as its store, and with the in-process store a login lives exactly as
/// long as the process (see the crate docs).
pub struct SessionBackend {
    users: Arc<UserDirectory>,
    store: StoreKind,
    ttl_secs: u64,
    absolute_ttl_secs: u64,
    /// How the middleware sets the cookie, for the inspector (which must decrypt it).
    cookie: Option<SessionSettings>,
}

impl SessionBackend {
    /// `ttl_secs`: how long a record lives in the store after its last change (login, role
    /// change). `absolute_ttl_secs`: how long after login the login ends, whatever happens.
    pub fn new(
        users: Arc<UserDirectory>,
        store: StoreKind,
        ttl_secs: u64,
        absolute_ttl_secs: u64,
    ) -> Self {
        SessionBackend {
            users,
            store,
            ttl_secs,
            absolute_ttl_secs,
            cookie: None,
        }
    }

    /// Let the inspector read the cookie the middleware set with `settings`.
    pub fn with_cookie(mut self, settings: SessionSettings) -> Self {
        self.cookie = Some(settings);
        self
    }

    fn revocation_ttl(&self) -> Duration {
        // A revoked login must stay refused as long as any of its records could still live.
        Duration::from_secs(self.ttl_secs.max(self.absolute_ttl_secs).max(1))
    }

    async fn revoke_login(&self, login_id: &str) -> Result<(), BackendError> {
        match &self.store {
            StoreKind::Redis(store) => store
                .revoke_login(login_id, self.revocation_ttl())
                .await
                .map_err(|err| BackendError::unavailable("Redis", err.reason)),
            StoreKind::InProcess(store) => {
                store.revoke_login(login_id, self.revocation_ttl());
                Ok(())
            }
        }
    }

    pub fn store(&self) -> &StoreKind {
        &self.store
    }
}

#[async_trait(?Send)]
impl AuthBackend for SessionBackend {
    async fn authenticate(&self, req: &HttpRequest) -> Result<Authentication, BackendError> {
        // The middleware has already loaded the record (or answered 503 if the store is down).
        let session = AuthSession::of(req);
        let Some(username) = session.username() else {
            return Ok(Authentication::Anonymous);
        };
        let max_age = i64::try_from(self.absolute_ttl_secs).unwrap_or(i64::MAX);
        let too_old = session
            .login_at()
            .is_none_or(|at| unix_now().saturating_sub(at) >= max_age);
        let identity = match self.users.lookup(&username) {
            Some(identity) if !too_old => identity,
            // Past its absolute lifetime, or a user who no longer exists: end it for good.
            _ => {
                session.end();
                return Ok(Authentication::Anonymous);
            }
        };
        if session.role() != Some(identity.role) {
            session
                .change_role(identity.role)
                .map_err(BackendError::internal)?;
        }
        Ok(Authentication::Authenticated(identity))
    }

    async fn login(&self, req: &HttpRequest, identity: &Identity) -> Result<Grant, BackendError> {
        AuthSession::of(req)
            .start(&identity.username, identity.role, unix_now())
            .map_err(BackendError::internal)?;
        // The middleware saves the record and sets the cookie after the handler returns.
        Ok(Grant {
            expires_in: Some(self.ttl_secs),
            ..Grant::default()
        })
    }

    async fn logout(&self, req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        let session = AuthSession::of(req);
        // Revoke before the middleware deletes the record, so that a request still in flight
        // with this login cannot save it back.
        if let Some(login_id) = session.login_id() {
            self.revoke_login(&login_id).await?;
        }
        session.end();
        Ok(Vec::new())
    }

    async fn logout_everywhere(
        &self,
        req: &HttpRequest,
        identity: &Identity,
    ) -> Result<bool, BackendError> {
        let ttl = self.revocation_ttl();
        let ended = match &self.store {
            StoreKind::Redis(store) => store
                .revoke_user(&identity.username, ttl)
                .await
                .map_err(|err| BackendError::unavailable("Redis", err.reason))?,
            StoreKind::InProcess(store) => store.revoke_user(&identity.username, ttl),
        };
        tracing::info!(user = %identity.username, ended, "logged out everywhere");
        AuthSession::of(req).end();
        Ok(true)
    }

    async fn inspect(&self, req: &HttpRequest) -> Result<Inspection, BackendError> {
        let Some(settings) = &self.cookie else {
            return Ok(Inspection::default());
        };
        let raw = req.cookie(&settings.cookie_name);
        let session_id = raw
            .as_ref()
            .and_then(|cookie| inspect::session_id(settings, cookie));
        let server = match &self.store {
            StoreKind::Redis(store) => {
                let record = match &session_id {
                    Some(id) => store.inspect_record(id).await.map_err(unavailable)?,
                    None => None,
                };
                let (count, at_least) = store
                    .count_sessions(COUNT_BOUND)
                    .await
                    .map_err(unavailable)?;
                inspect::redis_facts(record, count, at_least)
            }
            StoreKind::InProcess(store) => inspect::memory_facts(
                store.records(session_id.as_deref(), LISTED_RECORDS),
                session_id.as_deref(),
                store.stats(),
            ),
        };
        Ok(Inspection {
            cookie: raw.map(|cookie| inspect::cookie_facts(settings, cookie.value())),
            token: None,
            credential_note: inspect::credential_note(session_id.as_deref()),
            server,
        })
    }

    async fn readiness(&self) -> Result<(), BackendError> {
        match &self.store {
            StoreKind::Redis(store) => store
                .link()
                .ping()
                .await
                .map_err(|err| BackendError::unavailable("Redis", err.reason)),
            StoreKind::InProcess(_) => Ok(()),
        }
    }

    fn capabilities(&self) -> Capabilities {
        let durable = matches!(self.store, StoreKind::Redis(_));
        Capabilities {
            survives_app_restart: durable,
            instant_revocation: true,
            shared_across_instances: durable,
            live_role_changes: true,
        }
    }
}

fn unavailable(err: RedisUnavailable) -> BackendError {
    BackendError::unavailable("Redis", err.reason)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
