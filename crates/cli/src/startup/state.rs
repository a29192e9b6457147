//! Building the application's long-lived parts from [`Settings`]: keys from the data directory,
//! the Redis link, the stores, the mounts, the classroom's handles.

use std::{sync::Arc, time::Duration};

use authlab_classroom::{Classroom, Recorder, RestartSwitch, TokenKit};
use authlab_core::{Mounts, UserDirectory};
use authlab_session::{store::RedisLink, CookieKey, MIN_KEY_BYTES};
use authlab_web::{
    csrf::CsrfKey,
    keys::{self, CSRF_KEY_FILE, GENERATED_JWT_SECRET_BYTES, JWT_SECRET_FILE, SESSION_KEY_FILE},
    throttle::{LoginThrottle, ThrottleLimits},
    Product, Settings,
};

use super::mounts::{self, MountParts};

/// Everything the app factory needs; cloned into each worker (clones share the stores).
#[derive(Clone)]
pub struct AppState {
    pub product: Product,
    pub classroom: Classroom,
}

impl AppState {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let users = Arc::new(UserDirectory::demo());
        let cookie_key = CookieKey::new(&keys::load_or_create(
            &settings.data_dir,
            SESSION_KEY_FILE,
            MIN_KEY_BYTES,
        )?)?;
        let jwt_secret = match &settings.jwt_secret {
            Some(secret) => secret.clone(),
            None => keys::load_or_create(
                &settings.data_dir,
                JWT_SECRET_FILE,
                GENERATED_JWT_SECRET_BYTES,
            )?,
        };
        let csrf_key = CsrfKey::new(
            keys::load_or_create(&settings.data_dir, CSRF_KEY_FILE, 32)?,
            settings.cookie_secure(),
        );
        let redis = RedisLink::new(&settings.redis_url, settings.redis_timeout())
            .map_err(|err| anyhow::anyhow!("AUTHLAB_REDIS_URL is not a Redis URL: {err}"))?;

        let built = mounts::build(MountParts {
            settings: &settings,
            users: users.clone(),
            redis: redis.clone(),
            cookie_key,
            jwt_secret,
        })?;

        Ok(AppState {
            classroom: Classroom {
                tokens: TokenKit {
                    mount: built.tokens_mount,
                    keys: built.jwt_keys,
                    settings: built.jwt_settings,
                },
                redis,
                restart: RestartSwitch::default(),
                recorder: Arc::new(Recorder::default()),
            },
            product: Product {
                settings,
                users,
                csrf_key,
                throttle: Arc::new(LoginThrottle::new(ThrottleLimits::default())),
                mounts: built.mounts,
            },
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.product.settings
    }

    pub fn users(&self) -> &Arc<UserDirectory> {
        &self.product.users
    }

    pub fn mounts(&self) -> &Mounts {
        &self.product.mounts
    }

    pub fn redis(&self) -> &RedisLink {
        &self.classroom.redis
    }
}

/// How long a session lives: the idle and absolute lifetimes, at least a second each.
pub(super) fn session_lifetimes(settings: &Settings) -> (Duration, Duration) {
    (
        Duration::from_secs(settings.session_ttl.max(1)),
        Duration::from_secs(settings.session_absolute_ttl.max(1)),
    )
}
