//! The one trait a way of keeping a user logged in must implement.
//!
//! Modelled on actix-session's `SessionStore`: the pluggable part is small, each implementation is
//! a sibling crate, and what an implementation cannot do is declared ([`Capabilities`]) rather
//! than discovered, so one contract test suite can run against every mount and skip, by name, what
//! a backend does not promise.

use actix_web::{cookie::Cookie, HttpRequest};
use async_trait::async_trait;

use crate::{BackendError, Identity, Inspection, Rejection, ServerFacts};

/// What a backend made of the credentials on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// No credentials were presented (or they pointed at nothing, like a session that is gone).
    Anonymous,
    /// Credentials were presented and are good.
    Authenticated(Identity),
    /// Credentials were presented and refused, for a reason worth telling the user.
    Rejected(Rejection),
}

/// What the client must be given to stay logged in.
#[derive(Debug, Default)]
pub struct Grant {
    /// A cookie for browsers, when the backend sets it itself (the session middleware sets its own).
    pub cookie: Option<Cookie<'static>>,
    /// A bearer token for API clients, when the backend has one.
    pub token: Option<String>,
    /// Seconds until the login ends by itself, when the backend knows.
    pub expires_in: Option<u64>,
    /// A refresh token, for a backend whose `token` is a short-lived access token: the API
    /// answers in OAuth 2.0's shape (RFC 6749 §5.1) and a browser gets its cookie too.
    pub refresh: Option<RefreshGrant>,
}

/// The refresh half of a [`Grant`].
#[derive(Debug)]
pub struct RefreshGrant {
    pub token: String,
    pub cookie: Cookie<'static>,
}

/// The promises a backend makes, as measured by the benchmarks and asserted by the contract tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// A login outlives a restart of the application process.
    pub survives_app_restart: bool,
    /// A logout (or a revocation) stops the old credential at once, before it would expire.
    pub instant_revocation: bool,
    /// A second application instance sharing the same configuration accepts the login.
    pub shared_across_instances: bool,
    /// A role change on the server applies to a login that already exists.
    pub live_role_changes: bool,
}

/// A way of keeping a user logged in. Handlers call only this; they never know which one they serve.
#[async_trait(?Send)]
pub trait AuthBackend: Send + Sync + 'static {
    /// Who the request acts for. Fails only when the backend cannot answer (Redis down).
    async fn authenticate(&self, req: &HttpRequest) -> Result<Authentication, BackendError>;

    /// Start a login for an identity whose password was already checked.
    async fn login(&self, req: &HttpRequest, identity: &Identity) -> Result<Grant, BackendError>;

    /// Start a login for a program (`POST /{b}/api/login`), whose answer is JSON. By default the
    /// same as [`AuthBackend::login`]; a backend whose browsers carry a cookie that programs
    /// cannot use well (the session mounts) adds a bearer token here.
    async fn login_api(
        &self,
        req: &HttpRequest,
        identity: &Identity,
    ) -> Result<Grant, BackendError> {
        self.login(req, identity).await
    }

    /// End the login carried by this request. Returns the cookies the response must carry (removal
    /// cookies, for a backend whose only state is on the client).
    async fn logout(&self, req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError>;

    /// End every login of `identity`'s user, on every device. `Ok(false)` when this backend
    /// cannot (a stateless token stays valid until it expires unless the server keeps state).
    async fn logout_everywhere(
        &self,
        _req: &HttpRequest,
        _identity: &Identity,
    ) -> Result<bool, BackendError> {
        Ok(false)
    }

    /// End every login on this mount, of every user (the teacher's "reset the room"). `Ok(false)`
    /// when this backend cannot.
    async fn end_every_login(&self) -> Result<bool, BackendError> {
        Ok(false)
    }

    /// Whether the backend can serve at all right now (its store answers). The login page uses it
    /// to say "Redis is down" before the student types a password.
    async fn readiness(&self) -> Result<(), BackendError> {
        Ok(())
    }

    /// What the browser and the server hold for the login this request carries, for the
    /// dashboard's inspector. Called only after [`AuthBackend::authenticate`] accepted it.
    async fn inspect(&self, _req: &HttpRequest) -> Result<Inspection, BackendError> {
        Ok(Inspection {
            server: ServerFacts::nothing("This mount keeps no login."),
            ..Inspection::default()
        })
    }

    /// Cookies that make the client forget a credential the backend rejected.
    fn forget(&self) -> Vec<Cookie<'static>> {
        Vec::new()
    }

    fn capabilities(&self) -> Capabilities;
}
