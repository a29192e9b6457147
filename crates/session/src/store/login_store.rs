//! The one interface every session store of this project implements.
//!
//! actix-session's `SessionStore` knows records by session key only: load, save, update, delete.
//! A login needs more of its store: end one login (logout) or every login of a user ("log out
//! everywhere") in a way that a request still in flight cannot undo, show the inspector what the
//! server holds, count the sessions, and answer a readiness probe. [`LoginStore`] adds exactly
//! those, so [`crate::SessionBackend`] is written once, for any store, and the conformance suite
//! (`crates/session/tests/conformance`) holds every store to the same behaviour.
//!
//! What a store survives is declared by the store ([`StoreCapabilities`]), not guessed by its
//! caller from its type.
//!
//! The methods return `impl Future` without `Send`, as `SessionStore`'s do: actix-web runs each
//! request on one worker thread, and a store never crosses threads mid-call.

use std::{future::Future, time::Duration};

use actix_session::storage::SessionStore;
use authlab_core::{BackendError, ServerFacts};

/// What a store promises about the logins it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreCapabilities {
    /// A login outlives a restart of the application process.
    pub survives_app_restart: bool,
    /// A second application instance pointed at the same store sees the login.
    pub shared_across_instances: bool,
}

/// How many sessions a store holds, counted no further than a bound so counting stays cheap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCount {
    pub sessions: u64,
    /// Counting stopped at the bound: there are at least `sessions`.
    pub at_least: bool,
}

/// What the server keeps for an opaque bearer token (under the token's SHA-256, never the
/// token): whose login it is and when it began, so the absolute lifetime holds for it too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLogin {
    pub user: String,
    pub login_at: i64,
}

/// An actix-session store that can also end logins, show what it holds and say it is ready.
pub trait LoginStore: SessionStore + Clone + Send + Sync + 'static {
    fn capabilities(&self) -> StoreCapabilities;

    /// End one login of `username` everywhere it is stored, and refuse any later write of it for
    /// `remember_for` (how long one of its records could still live): that closes the logout
    /// race, where a request that loaded the login before the logout saves it afterwards.
    fn revoke_login(
        &self,
        username: &str,
        login_id: &str,
        remember_for: Duration,
    ) -> impl Future<Output = Result<(), BackendError>>;

    /// End every login of `username` ("log out everywhere"), with the same guarantee; returns
    /// how many logins were ended.
    fn revoke_user(
        &self,
        username: &str,
        remember_for: Duration,
    ) -> impl Future<Output = Result<usize, BackendError>>;

    /// End every login of every user, with the same guarantee where the store can give it;
    /// returns how many logins were ended.
    fn revoke_everyone(
        &self,
        remember_for: Duration,
    ) -> impl Future<Output = Result<usize, BackendError>>;

    /// How many session records the store holds now, counting no further than `bound`.
    fn count_sessions(
        &self,
        bound: u64,
    ) -> impl Future<Output = Result<SessionCount, BackendError>>;

    /// What the server holds, for the inspector: the record under `session_key` (the visitor's,
    /// when the cookie decrypted) read back from the store, and a count of the others.
    fn server_facts(
        &self,
        session_key: Option<&str>,
    ) -> impl Future<Output = Result<ServerFacts, BackendError>>;

    /// Keep an opaque bearer token's login under `digest` (its SHA-256) for `ttl`.
    fn keep_token(
        &self,
        digest: &str,
        login: &TokenLogin,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), BackendError>>;

    /// The login of the token whose SHA-256 is `digest`; `None` when it is unknown, expired,
    /// logged out, or its user logged out everywhere since it was issued.
    fn token_login(
        &self,
        digest: &str,
    ) -> impl Future<Output = Result<Option<TokenLogin>, BackendError>>;

    /// Forget the token whose SHA-256 is `digest` (its logout): refused from now on.
    fn drop_token(&self, digest: &str) -> impl Future<Output = Result<(), BackendError>>;

    /// Whether the store answers now (the readiness probe); quick, never hangs.
    fn ping(&self) -> impl Future<Output = Result<(), BackendError>>;
}
