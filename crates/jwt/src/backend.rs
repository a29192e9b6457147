//! The JWT codec as an [`AuthBackend`]: browsers carry the token in an HttpOnly cookie, API
//! clients in `Authorization: Bearer`.

use std::{sync::Arc, time::Duration};

use actix_web::{
    cookie::{time, Cookie, SameSite},
    http::header,
    HttpRequest,
};
use async_trait::async_trait;
use authlab_core::{
    timing, AuthBackend, Authentication, BackendError, Capabilities, Denylist, Grant, Identity,
    Inspection, Rejection,
};

use crate::{
    codec::unix_now, inspect, key_ring::RingError, settings::SettingsError, JwtAlg,
    JwtIntrospector, JwtSettings, KeyRing, RingFiles, TokenCodec,
};

/// The stateless backend. See the crate docs for what it cannot do.
///
/// With a [`Denylist`] it is stateless no more: logout records the token's `jti` until its `exp`
/// and every request checks the list, failing closed (503) when the list cannot be read.
pub struct JwtBackend {
    keys: Arc<KeyRing>,
    settings: JwtSettings,
    denylist: Option<Arc<dyn Denylist>>,
}

impl JwtBackend {
    pub fn new(settings: JwtSettings) -> Result<Self, SettingsError> {
        Ok(JwtBackend {
            keys: Arc::new(KeyRing::new(TokenCodec::new(&settings)?)),
            settings,
            denylist: None,
        })
    }

    /// The backend over the key ring kept in `files` (previous keys read back), or over the
    /// configured key alone when `files` is `None`.
    pub fn open(settings: JwtSettings, files: Option<RingFiles>) -> Result<Self, RingError> {
        let keys = match files {
            Some(files) => KeyRing::open(&settings, files)?,
            None => KeyRing::new(TokenCodec::new(&settings)?),
        };
        Ok(JwtBackend {
            keys: Arc::new(keys),
            settings,
            denylist: None,
        })
    }

    /// Turn revocation on.
    pub fn with_denylist(mut self, denylist: Arc<dyn Denylist>) -> Self {
        self.denylist = Some(denylist);
        self
    }

    pub fn denylist(&self) -> Option<&Arc<dyn Denylist>> {
        self.denylist.as_ref()
    }

    /// The codec of the key in use right now.
    pub fn codec(&self) -> Arc<TokenCodec> {
        self.keys.current()
    }

    /// The shared handle to the keys: rotation with overlap, emergency revocation, the JWKS.
    pub fn key_ring(&self) -> Arc<KeyRing> {
        self.keys.clone()
    }

    /// What `POST /introspect` asks about this backend's tokens; shares its ring and denylist.
    pub fn introspector(&self) -> JwtIntrospector {
        JwtIntrospector {
            keys: self.keys.clone(),
            denylist: self.denylist.clone(),
        }
    }

    pub fn settings(&self) -> &JwtSettings {
        &self.settings
    }

    /// The token this request presents, and where: a bearer header wins over the cookie.
    pub fn presented_token(&self, req: &HttpRequest) -> Result<Option<String>, Rejection> {
        if let Some(value) = req.headers().get(header::AUTHORIZATION) {
            let value = value.to_str().map_err(|_| Rejection::Malformed)?;
            return match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    Ok(Some(token.trim().to_owned()))
                }
                _ => Err(Rejection::Malformed),
            };
        }
        Ok(req
            .cookie(&self.settings.cookie_name)
            .map(|cookie| cookie.value().to_owned()))
    }

    fn cookie(&self, value: String, max_age: Duration) -> Cookie<'static> {
        Cookie::build(self.settings.cookie_name.clone(), value)
            .path(self.settings.cookie_path.clone())
            .http_only(true)
            .secure(self.settings.cookie_secure)
            .same_site(SameSite::Lax)
            .max_age(time::Duration::seconds(
                i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
            ))
            .finish()
    }

    fn removal_cookie(&self) -> Cookie<'static> {
        let mut cookie = self.cookie(String::new(), Duration::ZERO);
        cookie.make_removal();
        cookie
    }
}

#[async_trait(?Send)]
impl AuthBackend for JwtBackend {
    async fn authenticate(&self, req: &HttpRequest) -> Result<Authentication, BackendError> {
        let token = match self.presented_token(req) {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(Authentication::Anonymous),
            Err(rejection) => return Ok(Authentication::Rejected(rejection)),
        };
        let label = match self.settings.algorithm {
            JwtAlg::Hs256 => "HS256 verify",
            JwtAlg::EdDsa => "EdDSA verify",
        };
        let claims = match timing::measure_sync(label, || self.keys.verify(&token)) {
            Ok(claims) => claims,
            Err(rejection) => {
                tracing::warn!(reason = %rejection, "JWT rejected");
                return Ok(Authentication::Rejected(rejection));
            }
        };
        // One key ring signs /jwt's tokens and /refresh's access tokens; a token that names a
        // refresh family was made for /refresh and is not a /jwt login.
        if claims.sid.is_some() {
            tracing::warn!(reason = %Rejection::WrongIssuerOrAudience, "JWT rejected");
            return Ok(Authentication::Rejected(Rejection::WrongIssuerOrAudience));
        }
        if let Some(denylist) = &self.denylist {
            let revoked =
                timing::measure("redis EXISTS (denylist)", denylist.is_revoked(&claims.jti));
            if revoked.await? {
                tracing::warn!(reason = %Rejection::Revoked, "JWT rejected");
                return Ok(Authentication::Rejected(Rejection::Revoked));
            }
        }
        Ok(Authentication::Authenticated(claims.identity()))
    }

    async fn login(&self, _req: &HttpRequest, identity: &Identity) -> Result<Grant, BackendError> {
        let (token, _claims) = self.keys.issue(identity).map_err(BackendError::internal)?;
        Ok(Grant {
            cookie: Some(self.cookie(token.clone(), self.settings.ttl)),
            token: Some(token),
            expires_in: Some(self.settings.ttl.as_secs()),
            refresh: None,
        })
    }

    async fn logout(&self, req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        // Without a denylist there is nothing to delete on the server: forgetting the cookie is
        // all a stateless logout can do, and a copy of the token keeps working until exp.
        if let (Some(denylist), Ok(Some(token))) = (&self.denylist, self.presented_token(req)) {
            if let Ok(claims) = self.keys.verify(&token) {
                let remaining = claims.exp.saturating_sub(unix_now()).max(1);
                denylist
                    .revoke(&claims.jti, u64::try_from(remaining).unwrap_or(1))
                    .await?;
            }
        }
        Ok(vec![self.removal_cookie()])
    }

    async fn inspect(&self, req: &HttpRequest) -> Result<Inspection, BackendError> {
        let token = self.presented_token(req).ok().flatten();
        let cookie = req
            .cookie(&self.settings.cookie_name)
            .map(|cookie| inspect::cookie_facts(&self.settings, cookie.value()));
        let denylisted = match &self.denylist {
            Some(denylist) => Some(denylist.entries().await?),
            None => None,
        };
        Ok(Inspection {
            cookie,
            token: token.as_deref().and_then(inspect::token_facts),
            credential_note: match self.settings.algorithm {
                JwtAlg::Hs256 => {
                    "The cookie's value is the token itself: header.payload.signature, \
                    each part base64url. The header and payload are only encoded, not encrypted; \
                    the signature is an HMAC-SHA256 of the first two parts with the server's key."
                }
                JwtAlg::EdDsa => {
                    "The cookie's value is the token itself: header.payload.signature, \
                    each part base64url. The header and payload are only encoded, not encrypted; \
                    the signature is an Ed25519 signature of the first two parts with the \
                    server's private key, which anyone can check with the public key published \
                    at /.well-known/jwks.json (chosen by the header's kid)."
                }
            }
            .to_owned(),
            server: inspect::server_facts(denylisted),
        })
    }

    /// A new key and no old one: every token so far is refused. Not for a typed key
    /// (`AUTHLAB_JWT_SECRET`), which belongs to whoever set it.
    async fn end_every_login(&self) -> Result<bool, BackendError> {
        match self.keys.revoke_all() {
            Ok(()) => Ok(true),
            Err(err) => {
                tracing::warn!(error = %err, "the JWT keys could not be replaced");
                Ok(false)
            }
        }
    }

    fn forget(&self) -> Vec<Cookie<'static>> {
        vec![self.removal_cookie()]
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            survives_app_restart: true,
            instant_revocation: self.denylist.is_some(),
            shared_across_instances: true,
            live_role_changes: false,
        }
    }
}
