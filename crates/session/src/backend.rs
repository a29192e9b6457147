//! The session middleware's record as an [`AuthBackend`].

use std::sync::Arc;

use actix_web::{cookie::Cookie, HttpRequest};
use async_trait::async_trait;
use authlab_core::{
    AuthBackend, Authentication, BackendError, Capabilities, Grant, Identity, UserDirectory,
};

use crate::{
    store::{InProcessStore, RedisLink},
    AuthSession,
};

/// Where the records of a [`SessionBackend`] live, which decides what it survives.
#[derive(Clone)]
pub enum StoreKind {
    Redis(RedisLink),
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
}

impl SessionBackend {
    pub fn new(users: Arc<UserDirectory>, store: StoreKind, ttl_secs: u64) -> Self {
        SessionBackend {
            users,
            store,
            ttl_secs,
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
        Ok(
            match session.username().and_then(|name| self.users.lookup(&name)) {
                Some(identity) => Authentication::Authenticated(identity),
                None => Authentication::Anonymous,
            },
        )
    }

    async fn login(&self, req: &HttpRequest, identity: &Identity) -> Result<Grant, BackendError> {
        AuthSession::of(req)
            .start(&identity.username, unix_now())
            .map_err(BackendError::internal)?;
        // The middleware saves the record and sets the cookie after the handler returns.
        Ok(Grant {
            expires_in: Some(self.ttl_secs),
            ..Grant::default()
        })
    }

    async fn logout(&self, req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        AuthSession::of(req).end();
        Ok(Vec::new())
    }

    async fn readiness(&self) -> Result<(), BackendError> {
        match &self.store {
            StoreKind::Redis(link) => link
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

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
