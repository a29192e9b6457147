//! A backend that authenticates nothing: the benchmarks' baseline.
//!
//! `GET /baseline/api/me` goes through the same extractor and handler as the real mounts, so the
//! difference in cost between it and `/jwt/api/me` or `/session/api/me` is the cost of
//! authentication and nothing else.

use actix_web::{cookie::Cookie, HttpRequest};
use async_trait::async_trait;

use crate::{
    AuthBackend, Authentication, BackendError, Capabilities, Credential, Grant, Identity, Mount,
    MountInfo, MountSlug, Role, StateHome, StepWords,
};

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

/// `/baseline`: the benchmarks' yardstick, with only `GET /baseline/api/me`.
pub const BASELINE_MOUNT: MountInfo = MountInfo {
    slug: MountSlug::new("baseline"),
    title: "Baseline (no authentication)",
    summary: "No authentication at all, through the same handler: what the benchmarks measure \
              the other mounts against.",
    credential: Credential {
        cookie: None,
        renewal_cookie: None,
        bearer: false,
        what: "nothing",
    },
    home: StateHome::Nowhere,
    login: false,
    words: StepWords {
        created_title: "Nothing created",
        created: "Nothing: there is no login.",
        sent: "Nothing.",
        stored: "Nothing.",
        verified: "Nothing is checked.",
        authorized: "Everyone is the same guest.",
        ended: "There is nothing to end.",
    },
};

/// The baseline as a running mount.
pub fn baseline_mount() -> Mount {
    Mount::new(
        &BASELINE_MOUNT,
        "A baseline login never ends: there is none.".to_owned(),
        std::sync::Arc::new(BaselineBackend),
    )
}
