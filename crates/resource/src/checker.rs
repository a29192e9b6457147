//! Which way a presented token is checked: an EdDSA JWT locally with the issuer's published key,
//! anything else through the issuer's introspection.
//!
//! Sending a token to the issuer is always safe (the issuer decides, with its own rules), so
//! only the tokens this service can decide alone stay here: a JWT whose header says EdDSA and
//! names a `kid`. An HS256 JWT cannot be checked without the issuer's secret, which this service
//! must never hold (it could then forge tokens), so it is introspected like an opaque token.

use authlab_core::Secret;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::{
    introspection_client::IntrospectionClient,
    jwks_cache::{JwksCache, Lookup},
    local_verify::Rules,
    verdict::{CheckError, Refusal, Verified},
};

/// No token the issuer makes is this long.
pub const MAX_TOKEN_BYTES: usize = 4096;

pub struct Checker {
    jwks: JwksCache,
    rules: Rules,
    introspection: Option<IntrospectionClient>,
}

/// What the header of a JWT-shaped token asks for.
enum Route {
    Local { kid: String },
    Introspect,
}

impl Checker {
    pub fn new(
        http: reqwest::Client,
        jwks_url: String,
        introspection_url: String,
        secret: Option<Secret>,
        rules: Rules,
    ) -> Self {
        Checker {
            jwks: JwksCache::new(http.clone(), jwks_url),
            rules,
            introspection: secret
                .map(|secret| IntrospectionClient::new(http, introspection_url, secret)),
        }
    }

    pub fn jwks(&self) -> &JwksCache {
        &self.jwks
    }

    pub fn can_introspect(&self) -> bool {
        self.introspection.is_some()
    }

    pub async fn check(&self, token: &str) -> Result<Verified, CheckError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Refusal::TooLarge.into());
        }
        if token.is_empty() {
            return Err(Refusal::Missing.into());
        }
        match route(token)? {
            Route::Local { kid } => match self.jwks.key(&kid).await? {
                Lookup::Key(key) => Ok(self.rules.verify(token, &kid, &key)?),
                Lookup::Unknown => Err(Refusal::UnknownKey.into()),
            },
            Route::Introspect => match &self.introspection {
                Some(client) => client.check(token).await,
                None => Err(Refusal::CannotIntrospect.into()),
            },
        }
    }
}

fn route(token: &str) -> Result<Route, Refusal> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Ok(Route::Introspect);
    }
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(parts[0])
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(Refusal::Malformed)?;
    if header.get("alg").and_then(|alg| alg.as_str()) != Some("EdDSA") {
        return Ok(Route::Introspect);
    }
    match header.get("kid").and_then(|kid| kid.as_str()) {
        Some(kid) if !kid.is_empty() => Ok(Route::Local {
            kid: kid.to_owned(),
        }),
        _ => Err(Refusal::NoKeyId),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(json: &str) -> String {
        format!("{}.e30.sig", URL_SAFE_NO_PAD.encode(json))
    }

    #[test]
    fn eddsa_jwts_stay_here_and_everything_else_goes_to_the_issuer() {
        assert!(matches!(
            route(&header(r#"{"alg":"EdDSA","kid":"k1"}"#)),
            Ok(Route::Local { kid }) if kid == "k1"
        ));
        assert!(matches!(
            route(&header(r#"{"alg":"HS256","kid":"k1"}"#)),
            Ok(Route::Introspect)
        ));
        assert!(matches!(
            route("an-opaque-random-string"),
            Ok(Route::Introspect)
        ));
        assert!(matches!(
            route(&header(r#"{"alg":"EdDSA"}"#)),
            Err(Refusal::NoKeyId)
        ));
        assert!(matches!(route("%%%.e30.sig"), Err(Refusal::Malformed)));
    }
}
