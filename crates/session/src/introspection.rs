//! `/session`'s and `/memory`'s opaque bearer tokens as a [`TokenIntrospector`]: what
//! `POST /introspect` asks so a second service can accept them.
//!
//! An opaque token means nothing without the store that holds it, so a resource server cannot
//! check one itself: it asks the issuer on every request, and a logout is seen at the next one.
//! This answers from the same store, by the token's SHA-256, with the same rules as the mount's
//! own bearer login (the absolute lifetime, a user who still exists, the role the directory says
//! now).

use std::sync::Arc;

use async_trait::async_trait;
use authlab_core::{ActiveToken, BackendError, TokenIntrospector, TokenKind, UserDirectory};

use crate::{opaque::OpaqueToken, store::LoginStore, SessionPolicy};

/// Answers for the opaque tokens one store keeps.
pub struct OpaqueIntrospector<S: LoginStore> {
    store: S,
    users: Arc<UserDirectory>,
    policy: SessionPolicy,
    /// What the answer names as issuer and audience (the same as the issuer's JWTs).
    issuer: String,
    audience: String,
}

impl<S: LoginStore> OpaqueIntrospector<S> {
    pub fn new(
        store: S,
        users: Arc<UserDirectory>,
        policy: SessionPolicy,
        issuer: String,
        audience: String,
    ) -> Self {
        OpaqueIntrospector {
            store,
            users,
            policy,
            issuer,
            audience,
        }
    }
}

#[async_trait(?Send)]
impl<S: LoginStore> TokenIntrospector for OpaqueIntrospector<S> {
    async fn introspect(&self, token: &str) -> Result<Option<ActiveToken>, BackendError> {
        let Some(token) = OpaqueToken::parse(token) else {
            return Ok(None);
        };
        let Some(login) = self.store.token_login(&token.digest()).await? else {
            return Ok(None);
        };
        let now = crate::backend::unix_now();
        if self.policy.is_too_old(login.login_at, now) {
            return Ok(None);
        }
        let Some(identity) = self.users.lookup(&login.user) else {
            return Ok(None);
        };
        // It ends at the absolute lifetime at the latest, and sooner if left unused for the
        // idle TTL from now.
        let absolute_end = login
            .login_at
            .saturating_add(i64::try_from(self.policy.absolute.as_secs()).unwrap_or(i64::MAX));
        let idle_end =
            now.saturating_add(i64::try_from(self.policy.idle.as_secs()).unwrap_or(i64::MAX));
        Ok(Some(ActiveToken {
            kind: TokenKind::Opaque,
            sub: identity.username,
            name: identity.display_name,
            role: identity.role,
            iat: login.login_at,
            exp: absolute_end.min(idle_end),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        }))
    }
}
