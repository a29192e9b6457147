//! The session middleware's record as an [`AuthBackend`], written once for any [`LoginStore`].

use std::sync::Arc;

use actix_web::{cookie::Cookie, http::header, HttpRequest};
use async_trait::async_trait;
use authlab_core::{
    AuthBackend, Authentication, BackendError, Capabilities, Grant, Identity, Inspection,
    Rejection, UserDirectory,
};

use crate::{
    inspect,
    opaque::OpaqueToken,
    store::{LoginStore, TokenLogin},
    AuthSession, SessionSettings,
};

/// What an `Authorization` header holds, for a mount whose bearer tokens are opaque.
enum Presented {
    None,
    Token(OpaqueToken),
    /// Not `Bearer <one of our tokens>`.
    Malformed,
}

fn presented(req: &HttpRequest) -> Presented {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Presented::None;
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .and_then(|(_, token)| OpaqueToken::parse(token.trim()));
    token.map_or(Presented::Malformed, Presented::Token)
}

/// The stateful backend: the session holds only the username; the role is looked up on every
/// request, which is why a role change applies at once.
///
/// # Limitations
/// It is only as available as its store, and with the in-process store a login lives exactly as
/// long as the process (see the crate docs).
pub struct SessionBackend<S: LoginStore> {
    users: Arc<UserDirectory>,
    store: S,
    /// How the middleware sets the cookie (for the inspector, which must decrypt it) and the
    /// session policy the middleware was built with.
    settings: SessionSettings,
}

impl<S: LoginStore> SessionBackend<S> {
    /// Who an opaque bearer token acts for: its login, within the absolute lifetime, for a user
    /// who still exists (with the role the directory says now).
    async fn bearer_login(&self, token: &OpaqueToken) -> Result<Authentication, BackendError> {
        let digest = token.digest();
        let Some(login) = self.store.token_login(&digest).await? else {
            return Ok(Authentication::Anonymous);
        };
        let too_old = self.settings.policy.is_too_old(login.login_at, unix_now());
        match self.users.lookup(&login.user) {
            Some(identity) if !too_old => Ok(Authentication::Authenticated(identity)),
            _ => {
                self.store.drop_token(&digest).await?;
                Ok(Authentication::Anonymous)
            }
        }
    }

    /// `settings` must be the ones the mount's middleware was built with
    /// ([`crate::session_middleware`]): its policy's idle TTL is the record's, and its absolute
    /// lifetime ends the login whatever happens.
    pub fn new(users: Arc<UserDirectory>, store: S, settings: SessionSettings) -> Self {
        SessionBackend {
            users,
            store,
            settings,
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

#[async_trait(?Send)]
impl<S: LoginStore> AuthBackend for SessionBackend<S> {
    async fn authenticate(&self, req: &HttpRequest) -> Result<Authentication, BackendError> {
        match presented(req) {
            Presented::None => {}
            Presented::Malformed => return Ok(Authentication::Rejected(Rejection::Malformed)),
            Presented::Token(token) => return self.bearer_login(&token).await,
        }
        // The middleware has already loaded the record (or answered 503 if the store is down).
        let session = AuthSession::of(req);
        let Some(username) = session.username() else {
            return Ok(Authentication::Anonymous);
        };
        let now = unix_now();
        let too_old = session
            .login_at()
            .is_none_or(|at| self.settings.policy.is_too_old(at, now));
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
            expires_in: Some(self.settings.policy.idle.as_secs()),
            ..Grant::default()
        })
    }

    async fn login_api(
        &self,
        req: &HttpRequest,
        identity: &Identity,
    ) -> Result<Grant, BackendError> {
        // The cookie as for a browser, and the notes' "random token" for a program: kept by its
        // SHA-256 only, with the session's idle and absolute lifetimes.
        let mut grant = self.login(req, identity).await?;
        let token = OpaqueToken::generate();
        let policy = self.settings.policy;
        let ttl = policy.idle.min(policy.absolute);
        self.store
            .keep_token(
                &token.digest(),
                &TokenLogin {
                    user: identity.username.clone(),
                    login_at: unix_now(),
                },
                ttl,
            )
            .await?;
        grant.token = Some(token.expose().to_owned());
        grant.expires_in = Some(ttl.as_secs());
        Ok(grant)
    }

    async fn logout(&self, req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        if let Presented::Token(token) = presented(req) {
            self.store.drop_token(&token.digest()).await?;
        }
        let session = AuthSession::of(req);
        // Revoke before the middleware deletes the record, so that a request still in flight
        // with this login cannot save it back.
        if let (Some(username), Some(login_id)) = (session.username(), session.login_id()) {
            self.store
                .revoke_login(&username, &login_id, self.settings.policy.revocation_ttl())
                .await?;
        }
        session.end();
        Ok(Vec::new())
    }

    async fn logout_everywhere(
        &self,
        req: &HttpRequest,
        identity: &Identity,
    ) -> Result<bool, BackendError> {
        let ended = self
            .store
            .revoke_user(&identity.username, self.settings.policy.revocation_ttl())
            .await?;
        tracing::info!(user = %identity.username, ended, "logged out everywhere");
        AuthSession::of(req).end();
        Ok(true)
    }

    async fn end_every_login(&self) -> Result<bool, BackendError> {
        let ended = self
            .store
            .revoke_everyone(self.settings.policy.revocation_ttl())
            .await?;
        tracing::warn!(ended, "every login ended");
        Ok(true)
    }

    async fn inspect(&self, req: &HttpRequest) -> Result<Inspection, BackendError> {
        let settings = &self.settings;
        let raw = req.cookie(&settings.cookie_name);
        let session_id = raw
            .as_ref()
            .and_then(|cookie| inspect::session_id(settings, cookie));
        let server = self.store.server_facts(session_id.as_deref()).await?;
        Ok(Inspection {
            cookie: raw.map(|cookie| inspect::cookie_facts(settings, cookie.value())),
            token: None,
            credential_note: inspect::credential_note(session_id.as_deref()),
            server,
        })
    }

    async fn readiness(&self) -> Result<(), BackendError> {
        self.store.ping().await
    }

    fn capabilities(&self) -> Capabilities {
        let store = self.store.capabilities();
        Capabilities {
            survives_app_restart: store.survives_app_restart,
            instant_revocation: true,
            shared_across_instances: store.shared_across_instances,
            live_role_changes: true,
        }
    }
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
