//! The JWT codec as an [`AuthBackend`]: browsers carry the token in an HttpOnly cookie, API
//! clients in `Authorization: Bearer`.

use std::time::Duration;

use actix_web::{
    cookie::{time, Cookie, SameSite},
    http::header,
    HttpRequest,
};
use async_trait::async_trait;
use authlab_core::{
    AuthBackend, Authentication, BackendError, Capabilities, Grant, Identity, Rejection,
};

use crate::{settings::SettingsError, JwtSettings, TokenCodec};

/// The stateless backend. See the crate docs for what it cannot do.
pub struct JwtBackend {
    codec: TokenCodec,
    settings: JwtSettings,
}

impl JwtBackend {
    pub fn new(settings: JwtSettings) -> Result<Self, SettingsError> {
        Ok(JwtBackend {
            codec: TokenCodec::new(&settings)?,
            settings,
        })
    }

    pub fn codec(&self) -> &TokenCodec {
        &self.codec
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
        Ok(match self.codec.verify(&token) {
            Ok(claims) => Authentication::Authenticated(claims.identity()),
            Err(rejection) => {
                tracing::warn!(reason = %rejection, "JWT rejected");
                Authentication::Rejected(rejection)
            }
        })
    }

    async fn login(&self, _req: &HttpRequest, identity: &Identity) -> Result<Grant, BackendError> {
        let (token, _claims) = self.codec.issue(identity).map_err(BackendError::internal)?;
        Ok(Grant {
            cookie: Some(self.cookie(token.clone(), self.settings.ttl)),
            token: Some(token),
            expires_in: Some(self.settings.ttl.as_secs()),
        })
    }

    async fn logout(&self, _req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        // Nothing to delete on the server: forgetting the cookie is all a stateless logout can do.
        Ok(vec![self.removal_cookie()])
    }

    fn forget(&self) -> Vec<Cookie<'static>> {
        vec![self.removal_cookie()]
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            survives_app_restart: true,
            instant_revocation: false,
            shared_across_instances: true,
            live_role_changes: false,
        }
    }
}
