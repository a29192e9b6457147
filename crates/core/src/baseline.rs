//! A backend that authenticates nothing: the benchmarks' baseline.
//!
//! `GET /baseline/api/me` goes through the same extractor and handler as the real mounts, so the
//! difference in cost between it and `/jwt/api/me` or `/session/api/me` is the cost of
//! authentication and nothing else.

use actix_web::{cookie::Cookie, HttpRequest};
use async_trait::async_trait;

use crate::{AuthBackend, Authentication, BackendError, Capabilities, Grant, Identity, Role};

/// Everyone is the same fixed guest; nothing is checked or stored.
///
/// # Limitations
/// It is not authentication at all: it exists only to be measured against.
#[derive(Debug, Default)]
pub struct BaselineBackend;

impl BaselineBackend {
    pub fn guest() -> Identity {
        Identity {
            username: "guest".to_owned(),
            display_name: "Baseline guest (no authentication)".to_owned(),
            role: Role::User,
        }
    }
}

#[async_trait(?Send)]
impl AuthBackend for BaselineBackend {
    async fn authenticate(&self, _req: &HttpRequest) -> Result<Authentication, BackendError> {
        Ok(Authentication::Authenticated(Self::guest()))
    }

    async fn login(&self, _req: &HttpRequest, _identity: &Identity) -> Result<Grant, BackendError> {
        Ok(Grant::default())
    }

    async fn logout(&self, _req: &HttpRequest) -> Result<Vec<Cookie<'static>>, BackendError> {
        Ok(Vec::new())
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
