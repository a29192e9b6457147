//! Building the application's long-lived parts from [`Settings`]: the only code that knows which
//! concrete backends exist.

use std::{sync::Arc, time::Duration};

use authlab_core::{baseline::BaselineBackend, UserDirectory};
use authlab_jwt::{JwtAlg, JwtBackend, JwtSettings, KeyRing, RingFiles};
use authlab_session::{
    denylist::RedisDenylist,
    store::{InProcessStore, RedisLink, RedisStore},
    CookieKey, SessionBackend, SessionSettings, StoreKind, MIN_KEY_BYTES,
};

use crate::{
    csrf::CsrfKey,
    keys, mount,
    restart::RestartSwitch,
    throttle::{LoginThrottle, ThrottleLimits},
    walkthrough::Recorder,
    Mount, Settings,
};

/// File names in the data directory.
pub const SESSION_KEY_FILE: &str = "session-cookie.key";
pub const JWT_SECRET_FILE: &str = "jwt-hs256.key";
pub const CSRF_KEY_FILE: &str = "csrf.key";
pub const GENERATED_JWT_SECRET_BYTES: usize = 64;

/// Everything the app factory needs; cloned into each worker (clones share the stores).
#[derive(Clone)]
pub struct AppState {
    pub settings: Settings,
    pub users: Arc<UserDirectory>,
    pub redis: RedisLink,
    pub redis_store: RedisStore,
    pub memory_store: InProcessStore,
    pub session_settings: SessionSettings,
    pub memory_settings: SessionSettings,
    pub csrf_key: CsrfKey,
    pub throttle: Arc<LoginThrottle>,
    pub session: Arc<Mount>,
    pub memory: Arc<Mount>,
    pub jwt: Arc<Mount>,
    pub baseline: Arc<Mount>,
    /// The `/jwt` signing key in use, shared with its backend (the rotate lab swaps it).
    pub jwt_keys: Arc<KeyRing>,
    /// What a rotated key's codec is built from (everything but the secret stays).
    pub jwt_settings: JwtSettings,
    /// Flipped by the restart lab; the serve loop exits to be restarted.
    pub restart: RestartSwitch,
    /// The last exchanges of each browser, for the walkthrough.
    pub recorder: Arc<Recorder>,
}

impl AppState {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let users = Arc::new(UserDirectory::demo());
        let cookie_key = CookieKey::new(&keys::load_or_create(
            &settings.data_dir,
            SESSION_KEY_FILE,
            MIN_KEY_BYTES,
        )?)?;
        let alg = settings.jwt_alg;
        let (jwt_secret, jwt_files) = match (&settings.jwt_secret, alg) {
            (Some(secret), JwtAlg::Hs256) => (secret.clone(), None),
            (Some(_), JwtAlg::EdDsa) => anyhow::bail!("AUTHLAB_JWT_SECRET is an HS256 secret; unset it for AUTHLAB_JWT_ALG=EdDSA (its key is generated in the data dir)"),
            (None, _) => (
                keys::load_or_create(&settings.data_dir, alg.key_file_name(), alg.generated_key_bytes())?,
                Some(RingFiles::new(settings.data_dir.join(alg.key_file_name()))),
            ),
        };
        let csrf_key = CsrfKey::new(
            keys::load_or_create(&settings.data_dir, CSRF_KEY_FILE, 32)?,
            settings.cookie_secure(),
        );
        let redis = RedisLink::new(&settings.redis_url, settings.redis_timeout())
            .map_err(|err| anyhow::anyhow!("AUTHLAB_REDIS_URL is not a Redis URL: {err}"))?;
        let redis_store = RedisStore::new(redis.clone());
        let memory_store = InProcessStore::new();

        let session_ttl = Duration::from_secs(settings.session_ttl.max(1));
        let session_cookie = |name: &str, path: &str| SessionSettings {
            cookie_name: name.to_owned(),
            cookie_path: path.to_owned(),
            cookie_secure: settings.cookie_secure(),
            ttl: session_ttl,
            cookie_key: cookie_key.clone(),
        };
        let session_settings = session_cookie("authlab_session", "/session");
        let memory_settings = session_cookie("authlab_memory", "/memory");

        let mut jwt_settings = JwtSettings::new(jwt_secret, Duration::from_secs(settings.jwt_ttl));
        jwt_settings.cookie_secure = settings.cookie_secure();
        jwt_settings.algorithm = alg;
        let mut jwt_backend = JwtBackend::open(jwt_settings.clone(), jwt_files)?;
        if settings.jwt_denylist {
            jwt_backend = jwt_backend.with_denylist(Arc::new(RedisDenylist::new(redis.clone())));
        }

        let jwt_keys = jwt_backend.key_ring();

        let session = Arc::new(Mount {
            slug: "session",
            title: "Session in Redis",
            summary: mount::SESSION_SUMMARY,
            backend: Arc::new(
                SessionBackend::new(
                    users.clone(),
                    StoreKind::Redis(redis_store.clone()),
                    session_ttl.as_secs(),
                    settings.session_absolute_ttl.max(1),
                )
                .with_cookie(session_settings.clone()),
            ),
        });
        let memory = Arc::new(Mount {
            slug: "memory",
            title: "Session in server memory",
            summary: mount::MEMORY_SUMMARY,
            backend: Arc::new(
                SessionBackend::new(
                    users.clone(),
                    StoreKind::InProcess(memory_store.clone()),
                    session_ttl.as_secs(),
                    settings.session_absolute_ttl.max(1),
                )
                .with_cookie(memory_settings.clone()),
            ),
        });
        let jwt = Arc::new(Mount {
            slug: "jwt",
            title: "JSON Web Token",
            summary: mount::JWT_SUMMARY,
            backend: Arc::new(jwt_backend),
        });
        let baseline = Arc::new(Mount {
            slug: "baseline",
            title: "Baseline (no authentication)",
            summary: mount::BASELINE_SUMMARY,
            backend: Arc::new(BaselineBackend),
        });

        Ok(AppState {
            settings,
            users,
            redis,
            redis_store,
            memory_store,
            session_settings,
            memory_settings,
            csrf_key,
            throttle: Arc::new(LoginThrottle::new(ThrottleLimits::default())),
            session,
            memory,
            jwt,
            baseline,
            jwt_keys,
            jwt_settings,
            restart: RestartSwitch::default(),
            recorder: Arc::new(Recorder::default()),
        })
    }

    /// The mounts a student can log in to, in the order the pages show them.
    pub fn login_mounts(&self) -> [&Arc<Mount>; 3] {
        [&self.session, &self.memory, &self.jwt]
    }
}
