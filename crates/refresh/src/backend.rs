//! `/refresh` as an [`AuthBackend`]: the access token is checked like `/jwt`'s (a signature, no
//! lookup); the refresh token is what the server keeps, revokes and rotates.

use std::{sync::Arc, time::Duration};

use actix_web::{
    cookie::{time, Cookie, SameSite},
    http::header,
    HttpMessage, HttpRequest,
};
use async_trait::async_trait;
use authlab_core::{
    timing, AuthBackend, Authentication, BackendError, Capabilities, CookieFacts, Grant, Identity,
    Inspection, RecordCount, RefreshGrant, Rejection, ServerFacts, StoredRecord, UserDirectory,
};
use authlab_jwt::{Claims, JwtAlg, KeyRing};

use crate::{
    settings::{ACCESS_COOKIE, REFRESH_COOKIE, SLUG},
    store::{Ended, Family, Issued, RefreshStore, Refusal},
    token::RefreshToken,
    RefreshSettings,
};

/// A fresh pair, put on the request by the rotation middleware so that the handler's
/// [`AuthBackend::authenticate`] sees the new access token, not the expired one.
#[derive(Clone)]
pub(crate) struct Rotated {
    pub access: String,
    pub refresh: RefreshToken,
}

/// Put on the request by the rotation middleware when the refresh token was refused: the
/// handler then tells the user why the login ended.
#[derive(Clone, Copy)]
pub(crate) struct RefreshRefused(pub Rejection);

/// A new access token and the refresh token that goes with it.
pub struct Pair {
    pub access: String,
    pub refresh: Issued,
    pub identity: Identity,
}

/// The backend. See the crate docs for what it trades.
pub struct RefreshBackend {
    keys: Arc<KeyRing>,
    store: RefreshStore,
    users: Arc<UserDirectory>,
    settings: RefreshSettings,
}

impl RefreshBackend {
    pub fn new(
        keys: Arc<KeyRing>,
        store: RefreshStore,
        users: Arc<UserDirectory>,
        settings: RefreshSettings,
    ) -> Self {
        RefreshBackend {
            keys,
            store,
            users,
            settings,
        }
    }

    pub fn settings(&self) -> &RefreshSettings {
        &self.settings
    }

    pub fn store(&self) -> &RefreshStore {
        &self.store
    }

    /// An access token for `identity` in `family`: `/jwt`'s claims with this mount's shorter
    /// `exp` and the family as `sid`, signed by the same key ring.
    fn access_token(&self, identity: &Identity, family: &Family) -> Result<String, BackendError> {
        let mut claims = self.keys.claims_for(identity);
        let ttl = i64::try_from(self.settings.access_ttl.as_secs()).unwrap_or(i64::MAX);
        claims.exp = claims.iat.saturating_add(ttl.max(1));
        claims.sid = Some(family.id.clone());
        self.keys.sign(&claims).map_err(BackendError::internal)
    }

    /// Check an access token as of now: the ring's signature and time rules, and a `sid`
    /// (a `/jwt` token is not a `/refresh` login).
    pub fn verify_access(&self, token: &str) -> Result<Claims, Rejection> {
        let claims = self.keys.verify(token)?;
        if claims.sid.is_none() {
            return Err(Rejection::WrongIssuerOrAudience);
        }
        Ok(claims)
    }

    /// The login an access token of ours names, expired or not: what a refresh token sent with
    /// it must belong to.
    fn named_family(&self, token: &str) -> Option<Family> {
        let claims = self.keys.verify_ignoring_time(token).ok()?;
        Some(Family {
            user: claims.sub,
            id: claims.sid?,
        })
    }

    /// Use `refresh` (sent with `access`, if the client has one): the next pair, or why not.
    pub async fn refresh(
        &self,
        refresh: &RefreshToken,
        access: Option<&str>,
    ) -> Result<Result<Pair, Refusal>, BackendError> {
        let expected = access.and_then(|token| self.named_family(token));
        let issued = match self.store.rotate(refresh, expected.as_ref()).await? {
            Ok(issued) => issued,
            Err(refusal) => {
                tracing::warn!(reason = %refusal.rejection(), "refresh token refused");
                return Ok(Err(refusal));
            }
        };
        // The role is read now: a role change reaches a login at its next refresh.
        let Some(identity) = self.users.lookup(&issued.family.user) else {
            self.store.end(&issued.family, Ended::LoggedOut).await?;
            return Ok(Err(Refusal::Unknown));
        };
        let access = self.access_token(&identity, &issued.family)?;
        Ok(Ok(Pair {
            access,
            refresh: issued,
            identity,
        }))
    }

    /// End the logins a refresh token and an access token name; returns how many were named.
    pub async fn end_logins(
        &self,
        refresh: Option<&RefreshToken>,
        access: Option<&str>,
    ) -> Result<usize, BackendError> {
        let mut families = Vec::new();
        if let Some(token) = refresh {
            families.extend(self.store.family_of(token).await?);
        }
        families.extend(access.and_then(|token| self.named_family(token)));
        families.dedup();
        for family in &families {
            self.store.end(family, Ended::LoggedOut).await?;
        }
        Ok(families.len())
    }

    /// The access token a request presents: the one just rotated in, else a bearer header,
    /// else the cookie.
    pub fn presented_access(&self, req: &HttpRequest) -> Result<Option<String>, Rejection> {
        if let Some(rotated) = req.extensions().get::<Rotated>() {
            return Ok(Some(rotated.access.clone()));
        }
        if let Some(value) = req.headers().get(header::AUTHORIZATION) {
            return bearer(value.to_str().map_err(|_| Rejection::Malformed)?)
                .map(|token| Some(token.to_owned()))
                .ok_or(Rejection::Malformed);
        }
        Ok(req
            .cookie(ACCESS_COOKIE.as_str())
            .map(|cookie| cookie.value().to_owned())
            .filter(|value| !value.is_empty()))
    }

    /// The refresh token a browser presents: the one just rotated in, else its cookie.
    pub fn presented_refresh(&self, req: &HttpRequest) -> Option<RefreshToken> {
        presented_refresh(req)
    }

    /// The access cookie. It outlives the token in it (it lasts as long as the refresh token),
    /// so that an expired token still comes back and names the login it belonged to.
    pub fn access_cookie(&self, value: String, max_age: Duration) -> Cookie<'static> {
        self.cookie(ACCESS_COOKIE.as_str(), value, max_age, SameSite::Lax)
    }

    /// The refresh cookie: never sent on a request another site started.
    pub fn refresh_cookie(&self, value: String, max_age: Duration) -> Cookie<'static> {
        self.cookie(REFRESH_COOKIE.as_str(), value, max_age, SameSite::Strict)
    }

    /// Both cookies of a pair.
    pub fn pair_cookies(&self, pair: &Pair) -> [Cookie<'static>; 2] {
        let lives = Duration::from_secs(pair.refresh.expires_in);
        [
            self.access_cookie(pair.access.clone(), lives),
            self.refresh_cookie(pair.refresh.token.expose().to_owned(), lives),
        ]
    }

    fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age: Duration,
        same_site: SameSite,
    ) -> Cookie<'static> {
        Cookie::build(name, value)
            .path(SLUG.prefix())
            .http_only(true)
            .secure(self.settings.cookie_secure)
            .same_site(same_site)
            .max_age(time::Duration::seconds(
                i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
            ))
            .finish()
    }

    fn removal_cookies(&self) -> Vec<Cookie<'static>> {
        let mut access = self.access_cookie(String::new(), Duration::ZERO);
        access.make_removal();
        let mut refresh = self.refresh_cookie(String::new(), Duration::ZERO);
        refresh.make_removal();
        vec![access, refresh]
    }
}

/// The refresh token a browser presents: the one a rotation just set on this request's way
/// in, else its cookie (the refresh labs show it).
pub fn presented_refresh(req: &HttpRequest) -> Option<RefreshToken> {
    if let Some(rotated) = req.extensions().get::<Rotated>() {
        return Some(rotated.refresh.clone());
    }
    req.cookie(REFRESH_COOKIE.as_str())
        .and_then(|cookie| RefreshToken::parse(cookie.value()))
}

/// The token of an `Authorization: Bearer` header value.
pub fn bearer(value: &str) -> Option<&str> {
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Some(token.trim())
        }
        _ => None,
    }
}

#[async_trait(?Send)]
impl AuthBackend for RefreshBackend {
    async fn authenticate(&self, req: &HttpRequest) -> Result<Authentication, BackendError> {
        if let Some(RefreshRefused(rejection)) = req.extensions().get::<RefreshRefused>().copied() {
            return Ok(Authentication::Rejected(rejection));
        }
        let token = match self.presented_access(req) {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(Authentication::Anonymous),
            Err(rejection) => return Ok(Authentication::Rejected(rejection)),
        };
        let label = match self.keys.current().algorithm() {
            JwtAlg::Hs256 => "HS256 verify",
            JwtAlg::EdDsa => "EdDSA verify",
        };
        match timing::measure_sync(label, || self.verify_access(&token)) {
            Ok(claims) => Ok(Authentication::Authenticated(claims.identity())),
            Err(rejection) => Ok(Authentication::Rejected(rejection)),
        }
    }

    async fn login(&self, _req: &HttpRequest, identity: &Identity) -> Result<Grant, BackendError> {
        let issued = self.store.start(&identity.username).await?;
        let access = self.access_token(identity, &issued.family)?;
        let lives = Duration::from_secs(issued.expires_in);
        Ok(Grant {
            cookie: Some(self.access_cookie(access.clone(), lives)),
            token: Some(access),
            expires_in: Some(self.settings.access_ttl.as_secs()),
            refresh: Some(RefreshGrant {
                cookie: self.refresh_cookie(issued.token.expose().to_owned(), lives),
                token: issued.token.expose().to_owned(),
            }),
        })
    }

    async fn logout(&self, req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        let access = self.presented_access(req).ok().flatten();
        self.end_logins(self.presented_refresh(req).as_ref(), access.as_deref())
            .await?;
        Ok(self.removal_cookies())
    }

    async fn logout_everywhere(
        &self,
        _req: &HttpRequest,
        identity: &Identity,
    ) -> Result<bool, BackendError> {
        let ended = self.store.end_user(&identity.username).await?;
        tracing::info!(user = %identity.username, ended, "logged out everywhere");
        Ok(true)
    }

    /// Every family ends; the access tokens already out die with the key ring, which the JWT
    /// mount's reset replaces (they share it), and cannot be renewed.
    async fn end_every_login(&self) -> Result<bool, BackendError> {
        let deleted = self.store.end_everyone().await?;
        tracing::info!(deleted, "every /refresh login ended");
        Ok(true)
    }

    async fn readiness(&self) -> Result<(), BackendError> {
        self.store.ping().await
    }

    async fn inspect(&self, req: &HttpRequest) -> Result<Inspection, BackendError> {
        let access = self.presented_access(req).ok().flatten();
        let cookie = access.as_ref().map(|value| CookieFacts {
            name: ACCESS_COOKIE.as_str().to_owned(),
            value: value.clone(),
            flags: vec![
                "HttpOnly".to_owned(),
                if self.settings.cookie_secure {
                    "Secure"
                } else {
                    "not Secure"
                }
                .to_owned(),
                "SameSite=Lax".to_owned(),
                format!("Path={}", SLUG.prefix()),
            ],
            sent_bytes: ACCESS_COOKIE.as_str().len() + 1 + value.len(),
        });
        let refresh = self.presented_refresh(req);
        let family = access.as_deref().and_then(|token| self.named_family(token));
        // The page is served on the access token alone; what Redis holds is shown when Redis
        // answers, and its silence is said, not turned into a 503.
        let held = async {
            let entries = match &family {
                Some(family) => self.store.entries(family, refresh.as_ref()).await?,
                None => Vec::new(),
            };
            Ok::<_, BackendError>((entries, self.store.count_tokens(10_000).await?))
        };
        let server = match held.await {
            Ok((entries, (count, at_least))) => ServerFacts {
                store: "Redis".to_owned(),
                explanation: "Redis keeps this login's family (live, or ended and why) and, for \
                    each refresh token, only its SHA-256 pointing at the family. Checking the \
                    access token needs none of it; refreshing reads it, and logout or a reused \
                    refresh token ends the family."
                    .to_owned(),
                records: entries
                    .into_iter()
                    .map(|entry| StoredRecord {
                        size_bytes: Some((entry.key.len() + entry.value.len()) as u64),
                        key: entry.key,
                        value: entry.value,
                        ttl_seconds: Some(entry.ttl_seconds),
                        yours: true,
                    })
                    .collect(),
                count: Some(RecordCount {
                    what: "refresh tokens (spent ones included)".to_owned(),
                    one: "refresh token (spent ones included)".to_owned(),
                    count,
                    at_least,
                    total_bytes: None,
                }),
            },
            Err(BackendError::Unavailable { .. }) => ServerFacts {
                store: "Redis (not answering)".to_owned(),
                explanation: "Redis is not answering. This page was served anyway: the access \
                    token is checked by its signature alone. Refreshing it needs Redis, so once \
                    it expires the next page answers 503 until Redis is back."
                    .to_owned(),
                records: Vec::new(),
                count: None,
            },
            Err(err) => return Err(err),
        };
        Ok(Inspection {
            cookie,
            token: access
                .as_deref()
                .and_then(authlab_jwt::inspect::token_facts),
            credential_note: format!(
                "Two cookies. {} holds the access token, a JWT like /jwt's (signed by the same \
                 key ring), living AUTHLAB_ACCESS_TTL = {} s: checked by its signature alone, no \
                 lookup. {} (HttpOnly, SameSite=Strict) holds the refresh token, 32 random bytes \
                 that mean nothing by themselves: when the access token has expired, the server \
                 spends it and sets a new pair.",
                ACCESS_COOKIE,
                self.settings.access_ttl.as_secs(),
                REFRESH_COOKIE,
            ),
            server,
        })
    }

    fn forget(&self) -> Vec<Cookie<'static>> {
        self.removal_cookies()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            survives_app_restart: true,
            // Logout ends the family at once, but an access token already issued keeps working
            // until its short exp: the bounded window this mount trades for no lookup.
            instant_revocation: false,
            shared_across_instances: true,
            live_role_changes: false,
        }
    }
}
