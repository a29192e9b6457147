//! The list of mounts: the one place that names them. Every page, the recorder, the walkthrough,
//! the compare view, the labs, the test kit and the benchmarks read the list built here.
//!
//! Adding a mount is: its own crate or module (its backend and its `MountInfo`), one entry in
//! [`CATALOG`] and one in [`build`], its templates' words, and its rows in the docs.

use std::{sync::Arc, time::Duration};

use authlab_core::{
    baseline::{baseline_mount, BASELINE_MOUNT},
    MountInfo, MountSlug, Mounts, Secret, TokenIntrospector, UserDirectory,
};
use authlab_jwt::{jwt_mount, JwtBackend, JwtSettings, KeyRing, RingFiles, JWT_MOUNT};
use authlab_refresh::{
    refresh_mount, RefreshBackend, RefreshSettings, RefreshStore, REFRESH_MOUNT,
};
use authlab_session::{
    denylist::RedisDenylist,
    introspection::OpaqueIntrospector,
    session_mount,
    store::{InProcessStore, RedisLink, RedisStore},
    CookieKey, SessionPolicy, SessionSettings, MEMORY_MOUNT, REDIS_MOUNT,
};
use authlab_web::{errors::store_unavailable, Settings};

/// Every mount this server serves, in the order the pages show them: what the test kit and the
/// benchmarks iterate without running a server.
pub const CATALOG: [&MountInfo; 5] = [
    &REDIS_MOUNT,
    &MEMORY_MOUNT,
    &JWT_MOUNT,
    &REFRESH_MOUNT,
    &BASELINE_MOUNT,
];

/// What building the mounts takes.
pub struct MountParts<'a> {
    pub settings: &'a Settings,
    pub users: Arc<UserDirectory>,
    pub redis: RedisLink,
    pub cookie_key: CookieKey,
    pub jwt_secret: Secret,
    /// Where the key ring keeps its keys, for a generated key (`None`: the key was typed in).
    pub jwt_files: Option<RingFiles>,
}

/// The mounts, and the handles the classroom needs of the JWT one.
pub struct Built {
    pub mounts: Mounts,
    pub tokens_mount: MountSlug,
    pub jwt_keys: Arc<KeyRing>,
    pub jwt_settings: JwtSettings,
    /// The names of the session mounts' cookies (encrypted under the cookie key).
    pub session_cookies: Vec<String>,
    /// Every kind of bearer token `POST /introspect` answers for.
    pub introspectors: Vec<Arc<dyn TokenIntrospector>>,
}

pub fn build(parts: MountParts<'_>) -> anyhow::Result<Built> {
    let MountParts {
        settings,
        users,
        redis,
        cookie_key,
        jwt_secret,
        jwt_files,
    } = parts;
    // One policy for both session mounts, their middleware and their backend alike.
    let policy = SessionPolicy::new(
        Duration::from_secs(settings.session_ttl),
        Duration::from_secs(settings.session_absolute_ttl),
    );
    let session_lifetime = format!(
        "AUTHLAB_SESSION_TTL = {} s after the last change, and at most \
         AUTHLAB_SESSION_ABSOLUTE_TTL = {} s after login",
        policy.idle.as_secs(),
        policy.absolute.as_secs()
    );
    let cookie = |info: &MountInfo| SessionSettings {
        cookie_name: info
            .credential
            .cookie
            .map(|name| name.as_str().to_owned())
            .unwrap_or_default(),
        cookie_path: info.slug.prefix(),
        cookie_secure: settings.cookie_secure(),
        policy,
        cookie_key: cookie_key.clone(),
    };

    let redis_store = RedisStore::new(redis.clone());
    let session = session_mount(
        &REDIS_MOUNT,
        users.clone(),
        redis_store.clone(),
        cookie(&REDIS_MOUNT),
        session_lifetime.clone(),
        Some(store_unavailable),
    );
    let memory_store = InProcessStore::new();
    let memory = session_mount(
        &MEMORY_MOUNT,
        users.clone(),
        memory_store.clone(),
        cookie(&MEMORY_MOUNT),
        session_lifetime,
        None,
    );

    let mut jwt_settings = JwtSettings::new(jwt_secret, Duration::from_secs(settings.jwt_ttl));
    jwt_settings.cookie_secure = settings.cookie_secure();
    jwt_settings.algorithm = settings.jwt_alg;
    let mut jwt_backend = JwtBackend::open(jwt_settings.clone(), jwt_files)?;
    if settings.jwt_denylist {
        jwt_backend = jwt_backend.with_denylist(Arc::new(RedisDenylist::new(redis.clone())));
    }
    let jwt_keys = jwt_backend.key_ring();
    // The opaque bearer tokens of the session mounts answer from the stores that keep them.
    let (issuer, audience) = (jwt_settings.issuer.clone(), jwt_settings.audience.clone());
    let introspectors: Vec<Arc<dyn TokenIntrospector>> = vec![
        Arc::new(jwt_backend.introspector()),
        // The process's own map first: it always answers, so a Redis outage cannot turn a
        // /memory token's answer into a 503.
        Arc::new(OpaqueIntrospector::new(
            memory_store,
            users.clone(),
            policy,
            issuer.clone(),
            audience.clone(),
        )),
        Arc::new(OpaqueIntrospector::new(
            redis_store,
            users.clone(),
            policy,
            issuer,
            audience,
        )),
    ];

    // The access token is signed by the same ring, whose rules refuse a token living longer
    // than a /jwt token: a longer access lifetime is clamped to it, once, here.
    let access_ttl = settings.access_ttl.clamp(1, settings.jwt_ttl.max(1));
    if access_ttl != settings.access_ttl {
        tracing::warn!(
            asked = settings.access_ttl,
            used = access_ttl,
            "AUTHLAB_ACCESS_TTL clamped to AUTHLAB_JWT_TTL: /refresh's access tokens are signed \
             by /jwt's key ring"
        );
    }
    let refresh_settings = RefreshSettings {
        access_ttl: Duration::from_secs(access_ttl),
        refresh_ttl: Duration::from_secs(settings.refresh_ttl.max(1)),
        reuse_grace: Duration::from_secs(settings.refresh_reuse_grace),
        absolute: policy.absolute,
        cookie_secure: settings.cookie_secure(),
    };
    let refresh = refresh_mount(
        RefreshBackend::new(
            jwt_keys.clone(),
            RefreshStore::new(redis, &refresh_settings),
            users,
            refresh_settings,
        ),
        store_unavailable,
    );

    Ok(Built {
        mounts: Mounts::new(vec![
            session,
            memory,
            jwt_mount(jwt_backend),
            refresh,
            baseline_mount(),
        ]),
        tokens_mount: JWT_MOUNT.slug,
        session_cookies: vec![
            cookie(&REDIS_MOUNT).cookie_name,
            cookie(&MEMORY_MOUNT).cookie_name,
        ],
        jwt_keys,
        jwt_settings,
        introspectors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_lists_the_built_mounts_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings {
            data_dir: dir.path().to_owned(),
            ..Settings::defaults()
        };
        let built = build(MountParts {
            settings: &settings,
            users: Arc::new(UserDirectory::demo()),
            redis: RedisLink::new(&settings.redis_url, settings.redis_timeout()).expect("url"),
            cookie_key: CookieKey::new(&Secret::new([7u8; 64])).expect("key"),
            jwt_secret: Secret::new([9u8; 64]),
            jwt_files: None,
        })
        .expect("mounts");

        let built: Vec<MountSlug> = built.mounts.all().map(|m| m.slug).collect();
        let listed: Vec<MountSlug> = CATALOG.iter().map(|info| info.slug).collect();
        assert_eq!(built, listed);
    }
}
