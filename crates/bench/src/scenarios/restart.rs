//! **restart**: who is still logged in after the app is killed, after Redis restarts (with and
//! without persistence), and after the JWT key changes: replaced at a restart, or rotated with
//! overlap while the app runs.
//!
//! Before each event, N users log in over HTTP on every mount (fresh logins each time, so one
//! event's losses do not carry into the next); after it, each credential asks `/api/me` once and
//! the share answered 200 is the survival. After a Redis restart the server is first given time to
//! reconnect (`/healthz` says `redis: up`): what is measured is lost records, not a stale socket.

use std::{collections::BTreeMap, time::Duration};

use authlab_core::MountInfo;
use authlab_procs::RedisOptions;

use super::{start_redis, Context};
use crate::{
    client::{
        login, login_many, logout, me, rotate_key, share_authenticated, Credential, Rotation,
    },
    progress,
    results::{RestartEvent, RestartResults},
    server::{self, AppProcess},
    Results,
};

type Logins = Vec<(&'static MountInfo, Vec<Credential>)>;

/// The event name of the rotation with overlap (matched when the figures are filed).
const KEY_OVERLAP: &str = "jwt_key_overlap";

async fn log_in_everyone(
    context: &Context<'_>,
    app: &AppProcess,
    what: &str,
) -> anyhow::Result<Logins> {
    let n = context.sizes.restart_users;
    let mounts = context.config.mounts;
    let bar = progress::bar(
        (n * mounts.login().count()) as u64,
        format!("logging in ({what})"),
    );
    let mut logins = Vec::new();
    for mount in mounts.login() {
        logins.push((
            mount,
            login_many(&context.http, &app.base_url(), mount, n, &bar).await?,
        ));
    }
    bar.finish_and_clear();
    // Sanity: every fresh login works before the event.
    for (mount, credentials) in &logins {
        let share = share_authenticated(&context.http, &app.base_url(), mount, credentials).await?;
        anyhow::ensure!(
            share == 1.0,
            "only {share} of fresh logins on {} work",
            mount.slug.prefix()
        );
    }
    Ok(logins)
}

async fn survival(
    context: &Context<'_>,
    app: &AppProcess,
    logins: &Logins,
    name: &str,
    description: &str,
) -> anyhow::Result<RestartEvent> {
    let mut survival = BTreeMap::new();
    for (mount, credentials) in logins {
        let share = share_authenticated(&context.http, &app.base_url(), mount, credentials).await?;
        survival.insert(mount.slug.as_str().to_owned(), share);
    }
    progress::say(format!("  {name}: {survival:?}"));
    Ok(RestartEvent {
        name: name.to_owned(),
        description: description.to_owned(),
        survival,
    })
}

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let binary = &context.config.binary;
    let mut events = Vec::new();

    // A Redis that keeps nothing on disk, as `redis-server` with `--save "" --appendonly no`.
    let mut redis = start_redis(RedisOptions::default(), results)?;
    let data_dir = context.data_dir("restart");
    let mut app = server::start(binary, &data_dir, &redis.url(), &[]).await?;

    let logins = log_in_everyone(context, &app, "app restart").await?;
    app.restart().await?;
    events.push(
        survival(
            context,
            &app,
            &logins,
            "app_restart",
            "`kill -9` of the server process, then the same binary started again (same keys, same Redis)",
        )
        .await?,
    );

    let logins = log_in_everyone(context, &app, "Redis restart").await?;
    redis.restart()?;
    app.wait_for_redis(Duration::from_secs(10)).await?;
    events.push(
        survival(
            context,
            &app,
            &logins,
            "redis_restart",
            "Redis without persistence killed (SIGKILL) and started again; the app keeps running",
        )
        .await?,
    );
    drop(app);
    drop(redis);

    // Redis with the append-only file, fsync every second.
    let mut redis = start_redis(RedisOptions { append_only: true }, results)?;
    let app = server::start(binary, &data_dir, &redis.url(), &[]).await?;
    let logins = log_in_everyone(context, &app, "Redis AOF restart").await?;
    // `appendfsync everysec`: give the last writes their second before the crash.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    redis.restart()?;
    app.wait_for_redis(Duration::from_secs(10)).await?;
    events.push(
        survival(
            context,
            &app,
            &logins,
            "redis_aof_restart",
            "Redis with AOF (`appendfsync everysec`) killed (SIGKILL) 1.1 s after the last login and started again",
        )
        .await?,
    );

    // Both rotations happen while the server runs, as the rotate lab does them: a restart would
    // also end /memory's logins, which no key rotation touches.
    let logins = log_in_everyone(context, &app, "JWT key rotation").await?;
    rotate_key(&context.http, &app.base_url(), Rotation::Emergency).await?;
    events.push(
        survival(
            context,
            &app,
            &logins,
            "jwt_key_rotation",
            "the JWT key revoked in an emergency (a leaked key): a new key signs and no old key verifies, while the app runs (the rotate lab's POST)",
        )
        .await?,
    );

    let logins = log_in_everyone(context, &app, "key rotated with overlap").await?;
    rotate_key(&context.http, &app.base_url(), Rotation::Overlap).await?;
    events.push(
        survival(
            context,
            &app,
            &logins,
            KEY_OVERLAP,
            "key rotated with overlap: a new JWT key signs while the app runs, the old one verifies until its tokens expire (the rotate lab's POST)",
        )
        .await?,
    );

    for event in &events {
        for (mount, share) in &event.survival {
            let figures = results.mount(mount);
            let slot = match event.name.as_str() {
                "app_restart" => &mut figures.app_restart_survival,
                "redis_restart" => &mut figures.redis_restart_survival,
                "redis_aof_restart" => &mut figures.redis_aof_restart_survival,
                KEY_OVERLAP => &mut figures.jwt_key_overlap_survival,
                _ => &mut figures.jwt_key_rotation_survival,
            };
            *slot = Some(*share);
        }
    }
    drop(app);
    drop(redis);

    let lifetimes = logout_window(context, results).await?;
    results.restart = Some(RestartResults {
        users_per_mount: context.sizes.restart_users,
        events,
        logout_lifetimes: Some(lifetimes),
    });
    Ok(())
}

/// The token lifetimes of the logout measurement: short, so that waiting out a JWT takes
/// seconds, not `AUTHLAB_JWT_TTL`'s default quarter of an hour. What is measured scales with them.
const LOGOUT_JWT_TTL: u64 = 6;
const LOGOUT_ACCESS_TTL: u64 = 3;
/// How long past the longest lifetime the poll keeps asking before it gives up.
const LOGOUT_SLACK: Duration = Duration::from_secs(5);

/// On every mount: log in, log out through the API with the credential, then ask `/api/me`
/// with the same credential every 100 ms until it is refused. The time it kept working is the
/// window a copied credential outlives its logout.
async fn logout_window(context: &Context<'_>, results: &mut Results) -> anyhow::Result<String> {
    let redis = start_redis(RedisOptions::default(), results)?;
    let data_dir = context.data_dir("logout");
    let (jwt_ttl, access_ttl) = (LOGOUT_JWT_TTL.to_string(), LOGOUT_ACCESS_TTL.to_string());
    let app = server::start(
        &context.config.binary,
        &data_dir,
        &redis.url(),
        &[
            ("AUTHLAB_JWT_TTL", jwt_ttl.as_str()),
            ("AUTHLAB_ACCESS_TTL", access_ttl.as_str()),
        ],
    )
    .await?;
    let base = app.base_url();
    let give_up = Duration::from_secs(LOGOUT_JWT_TTL.max(LOGOUT_ACCESS_TTL)) + LOGOUT_SLACK;
    // Every mount at once: each waits out its own lifetime, and waiting them out one after the
    // other would cost the sum of the lifetimes instead of the longest.
    let windows = futures_util::future::try_join_all(
        context
            .config
            .mounts
            .login()
            .map(|mount| works_after_logout(&context.http, &base, mount, give_up)),
    )
    .await?;
    for (mount, works_for) in context.config.mounts.login().zip(windows) {
        progress::say(format!(
            "  logout: {} kept working for {works_for:?} s",
            mount.slug.prefix()
        ));
        results.mount(mount.slug.as_str()).logged_out_works_for_secs = works_for;
    }
    Ok(format!(
        "AUTHLAB_JWT_TTL = {LOGOUT_JWT_TTL} s, AUTHLAB_ACCESS_TTL = {LOGOUT_ACCESS_TTL} s, the \
         sessions' defaults; polled every 100 ms, giving up after {} s",
        give_up.as_secs()
    ))
}

/// One mount's logout window: seconds from the logout to the first refusal of the same
/// credential, `None` if it still worked after `give_up`.
async fn works_after_logout(
    http: &reqwest::Client,
    base: &str,
    mount: &MountInfo,
    give_up: Duration,
) -> anyhow::Result<Option<f64>> {
    let credential = login(http, base, mount, 0).await?;
    let status = logout(http, base, mount, &credential).await?;
    anyhow::ensure!(
        status.is_success(),
        "logout on {} answered {status}",
        mount.slug.prefix()
    );
    let logged_out = std::time::Instant::now();
    while logged_out.elapsed() < give_up {
        if me(http, base, mount, Some(&credential)).await? != reqwest::StatusCode::OK {
            return Ok(Some(logged_out.elapsed().as_secs_f64()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(None)
}
