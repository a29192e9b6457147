//! `/jwt`'s tokens as a [`TokenIntrospector`]: active when the ring verifies them now (and, with
//! the denylist on, when their `jti` was not logged out).
//!
//! A resource server holding the JWKS needs none of this for a JWT: it checks the signature
//! itself. The endpoint answers for JWTs anyway, so that a service that cannot (an HS256 issuer
//! publishes no key) or that wants the denylist's word can ask, and so that one endpoint answers
//! for every token this server issues.

use std::sync::Arc;

use async_trait::async_trait;
use authlab_core::{ActiveToken, BackendError, Denylist, TokenIntrospector, TokenKind};

use crate::KeyRing;

/// The ring (and denylist) of a [`crate::JwtBackend`], shared with it.
pub struct JwtIntrospector {
    pub(crate) keys: Arc<KeyRing>,
    pub(crate) denylist: Option<Arc<dyn Denylist>>,
}

#[async_trait(?Send)]
impl TokenIntrospector for JwtIntrospector {
    async fn introspect(&self, token: &str) -> Result<Option<ActiveToken>, BackendError> {
        let Ok(claims) = self.keys.verify(token) else {
            return Ok(None);
        };
        if let Some(denylist) = &self.denylist {
            if denylist.is_revoked(&claims.jti).await? {
                return Ok(None);
            }
        }
        Ok(Some(ActiveToken {
            kind: TokenKind::Jwt,
            sub: claims.sub,
            name: claims.name,
            role: claims.role,
            iat: claims.iat,
            exp: claims.exp,
            iss: claims.iss,
            aud: claims.aud,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use authlab_core::{Identity, Role, Secret};

    use super::*;
    use crate::{JwtSettings, TokenCodec};

    fn introspector() -> JwtIntrospector {
        let settings = JwtSettings::new(Secret::new([7u8; 64]), Duration::from_secs(60));
        JwtIntrospector {
            keys: Arc::new(KeyRing::new(TokenCodec::new(&settings).expect("codec"))),
            denylist: None,
        }
    }

    #[actix_web::test]
    async fn a_token_the_ring_signed_is_active_for_its_subject_and_garbage_is_not() {
        let introspector = introspector();
        let alice = Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        };
        let (token, claims) = introspector.keys.issue(&alice).expect("signed");

        let active = introspector.introspect(&token).await.expect("answers");
        let garbage = introspector
            .introspect("not.a.token")
            .await
            .expect("answers");

        let active = active.expect("active");
        assert_eq!((active.sub.as_str(), active.role), ("alice", Role::Admin));
        assert_eq!((active.exp, active.kind), (claims.exp, TokenKind::Jwt));
        assert_eq!(garbage, None);
    }
}
