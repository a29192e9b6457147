//! Building the application's long-lived parts from [`Settings`]: keys from the data directory,
//! the Redis link, the stores, the mounts, the classroom's handles.

use std::sync::Arc;

use authlab_classroom::{
    teacher::{Greeting, TeacherDesk},
    walkthrough::{recorder::verified_id, BROWSER_COOKIE},
    Classroom, Recorder, RestartSwitch, TokenKit,
};
use authlab_core::{HashBudget, UserDirectory};
use authlab_jwt::{JwtAlg, RingFiles};
use authlab_session::{
    store::{redis::RedisEndpoint, RedisLink},
    CookieKey, MIN_KEY_BYTES,
};
use authlab_web::{
    announcements::Announcements,
    csrf::CsrfKey,
    front_door::{CookieJudge, CookieJudges},
    hosts::AllowedHosts,
    introspection::{self, Introspection},
    keys::{self, CSRF_KEY_FILE, SESSION_KEY_FILE},
    throttle::{LoginThrottle, ThrottleLimits},
    Product, Settings,
};

use super::mounts::{self, MountParts};

/// Everything the app factory needs; cloned into each worker (clones share the stores).
#[derive(Clone)]
pub struct AppState {
    pub product: Product,
    pub classroom: Classroom,
    /// What the terminal is told of the teacher's password, once the server listens.
    pub teacher_greeting: Arc<Greeting>,
}

impl AppState {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let (users, skipped) = UserDirectory::with_students_in(settings.data_dir.clone())
            .map_err(|err| anyhow::anyhow!("the students file could not be read: {err}"))?;
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "lines of the students file were not understood and skipped"
            );
        }
        let users = Arc::new(users);
        let cookie_key = CookieKey::new(&keys::load_or_create(
            &settings.data_dir,
            SESSION_KEY_FILE,
            MIN_KEY_BYTES,
        )?)?;
        // The algorithm picks the key file; a typed secret is HS256's alone, and is checked for
        // strength (a generated one is random; a short one is left to the length check, which
        // says so).
        let alg = settings.jwt_alg;
        let (jwt_secret, jwt_files) = match (&settings.jwt_secret, alg) {
            (Some(secret), JwtAlg::Hs256) => {
                if secret.len() >= authlab_jwt::MIN_SECRET_BYTES {
                    authlab_jwt::secret_strength::check(secret)
                        .map_err(|weak| anyhow::anyhow!("AUTHLAB_JWT_SECRET refused: {weak}"))?;
                }
                (secret.clone(), None)
            }
            (Some(_), JwtAlg::EdDsa) => anyhow::bail!(
                "AUTHLAB_JWT_SECRET is an HS256 secret; unset it for AUTHLAB_JWT_ALG=EdDSA (its key \
                 is generated in the data directory)"
            ),
            (None, _) => (
                keys::load_or_create(
                    &settings.data_dir,
                    alg.key_file_name(),
                    alg.generated_key_bytes(),
                )?,
                Some(RingFiles::new(settings.data_dir.join(alg.key_file_name()))),
            ),
        };
        let csrf_key = CsrfKey::new(
            keys::load_or_create(&settings.data_dir, CSRF_KEY_FILE, 32)?,
            settings.cookie_secure(),
        );
        let redis = RedisLink::open(settings.redis_endpoint(), settings.redis_timeout()).map_err(
            |err| {
                let setting = match settings.redis_endpoint() {
                    RedisEndpoint::Single(_) => "AUTHLAB_REDIS_URL is not a Redis URL",
                    RedisEndpoint::Cluster(_) => {
                        "AUTHLAB_REDIS_CLUSTER is not a list of seed nodes"
                    }
                };
                anyhow::anyhow!("{setting}: {err}")
            },
        )?;

        let built = mounts::build(MountParts {
            settings: &settings,
            users: users.clone(),
            redis: redis.clone(),
            cookie_key: cookie_key.clone(),
            jwt_secret,
            jwt_files,
        })?;
        let cookie_judges = cookie_judges(&built, &cookie_key, &csrf_key);
        let announcements = Arc::new(Announcements::kept_in(&settings.data_dir));
        let introspection_secret =
            introspection::load_secret(settings.introspection_secret.as_ref(), &settings.data_dir)?;
        let throttle = LoginThrottle::new(ThrottleLimits {
            attempts_per_address: settings.logins_per_minute.max(1),
            ..ThrottleLimits::default()
        });

        let (teacher, teacher_greeting) = TeacherDesk::open(&settings)?;

        Ok(AppState {
            teacher_greeting: Arc::new(teacher_greeting),
            classroom: Classroom {
                tokens: TokenKit {
                    mount: built.tokens_mount,
                    keys: built.jwt_keys,
                    settings: built.jwt_settings,
                },
                redis,
                restart: RestartSwitch::default(),
                recorder: Arc::new(Recorder::default()),
                teacher: Arc::new(teacher),
            },
            product: Product {
                hashing: HashBudget::per_core()?,
                allowed_hosts: Arc::new(AllowedHosts::from_settings(&settings)),
                cookie_judges,
                settings,
                users,
                csrf_key,
                throttle: Arc::new(throttle),
                mounts: built.mounts,
                announcements,
                introspection: Introspection::new(&introspection_secret, built.introspectors),
            },
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.product.settings
    }

    pub fn users(&self) -> &Arc<UserDirectory> {
        &self.product.users
    }

    pub fn redis(&self) -> &RedisLink {
        &self.classroom.redis
    }
}

/// Each of our cookies judged by the part that reads it: a session cookie must decrypt under the
/// cookie key, the token must verify, the walkthrough's browser id must carry its signature.
fn cookie_judges(
    built: &mounts::Built,
    cookie_key: &CookieKey,
    csrf_key: &CsrfKey,
) -> CookieJudges {
    let mut judges: Vec<(String, CookieJudge)> = Vec::new();
    for name in &built.session_cookies {
        let (key, judged) = (cookie_key.clone(), name.clone());
        judges.push((
            name.clone(),
            Arc::new(move |value| key.opens(&judged, value)),
        ));
    }
    let keys = built.jwt_keys.clone();
    judges.push((
        built.jwt_settings.cookie_name.clone(),
        Arc::new(move |value| keys.verify(value).is_ok()),
    ));
    // /refresh's two cookies: a refresh token is well formed or not ours; an access token is
    // judged by the ring's signature alone, because an expired one must still reach the
    // rotation (it names the login its refresh token must belong to).
    judges.push((
        authlab_refresh::REFRESH_COOKIE.as_str().to_owned(),
        Arc::new(|value| authlab_refresh::RefreshToken::parse(value).is_some()),
    ));
    let keys = built.jwt_keys.clone();
    judges.push((
        authlab_refresh::ACCESS_COOKIE.as_str().to_owned(),
        Arc::new(move |value| keys.verify_ignoring_time(value).is_ok()),
    ));
    let key = csrf_key.clone();
    judges.push((
        BROWSER_COOKIE.to_owned(),
        Arc::new(move |value| verified_id(&key, value).is_some()),
    ));
    CookieJudges::new(judges)
}
