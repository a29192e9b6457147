//! **memory**: server-side bytes per logged-in user, and credential bytes on the wire.
//!
//! Logging in 100 000 users over HTTP would cost 100 000 argon2id verifications (about an hour
//! here), so the method is:
//!
//! 1. log in once for real over HTTP and read back, from Redis, the exact record a login leaves;
//! 2. write N such records (each with its own login id, as real logins have) through the same
//!    store code the server runs: `authlab_session`'s Redis store (one compact key per login, see
//!    `authlab_session::store::redis::keys`) and its in-process store;
//! 3. Redis: `INFO memory used_memory` after minus before, over N. In-process: the store's own
//!    byte accounting over N, and the growth of this process's resident set over N;
//! 4. cross-check the Redis figure with real HTTP logins against the real server.
//!
//! JWT keeps nothing on the server unless the denylist is on; its cost is measured the same way
//! (N revoked token ids written through the server's `RedisDenylist`). The refresh-token mount's
//! logins too: N families started through the server's `RefreshStore`, then each refreshed once,
//! since every refresh leaves its spent token behind (for reuse detection) until it expires.
//!
//! On the wire, beside each mount's credential header: what a browser sends instead (the cookies
//! of the mount's path, the renewing one included), and a refresh at the token endpoint (its form
//! body and the token response), measured on a real refresh.

use std::collections::BTreeMap;

use actix_session::storage::SessionStore;
use actix_web::cookie::time::Duration as CookieDuration;
use authlab_core::{Denylist, StateHome};
use authlab_procs::RedisOptions;
use authlab_refresh::{RefreshSettings, RefreshStore};
use authlab_session::{
    denylist::RedisDenylist,
    record::LoginRecord,
    store::{InProcessStore, RedisLink, RedisStore, REDIS_KEY_PREFIX},
};
use futures_util::{StreamExt as _, TryStreamExt as _};
use rand::{distr::Alphanumeric, Rng};

use super::{start_redis, Context};
use crate::{
    client::{log_in, login_many, refresh},
    procstat, progress,
    redis_probe::RedisProbe,
    results::{MemoryResults, MemoryRow, WireBytes},
    server, Results,
};

fn random_id(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// The captured login with a fresh login id of the same length, as the session state a new
/// login hands the store.
fn record_like(template: &LoginRecord) -> std::collections::HashMap<String, String> {
    LoginRecord {
        login_id: random_id(template.login_id.len()),
        epoch: None,
        ..template.clone()
    }
    .to_state()
}

/// `used_memory` once Redis's client buffers have settled: Redis shrinks idle clients' buffers in
/// its `clientsCron` (10 times a second), which otherwise moves the figure by kilobytes and
/// swamps a small N.
async fn settled_used_memory(probe: &mut RedisProbe) -> anyhow::Result<u64> {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    probe.used_memory()
}

/// How many store writes are in flight at once: the link pipelines them on its connection, so
/// N writes wait for about N / this many round trips instead of N (the bytes they leave are the
/// same; only the scenario's wall time changes).
const WRITES_IN_FLIGHT: usize = 64;

/// `write(i)` for every `i` below `n`, [`WRITES_IN_FLIGHT`] at a time; their results, in no
/// particular order.
async fn write_all<T, F, Fut>(n: usize, what: String, write: F) -> anyhow::Result<Vec<T>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let bar = progress::bar(n as u64, what);
    let done = futures_util::stream::iter((0..n).map(write))
        .buffer_unordered(WRITES_IN_FLIGHT)
        .inspect_ok(|_| bar.inc(1))
        .try_collect()
        .await;
    bar.finish_and_clear();
    done
}

/// N logins started through the refresh-token store (bytes per login), then each refreshed
/// once (bytes each refresh adds), as `used_memory` deltas over N.
async fn refresh_families(
    store: &RefreshStore,
    n: usize,
    probe: &mut RedisProbe,
) -> anyhow::Result<(f64, f64)> {
    probe.flushall()?;
    let before = settled_used_memory(probe).await?;
    let issued = write_all(
        n,
        format!("{n} refresh-token logins into Redis"),
        |_| async {
            store
                .start(USER)
                .await
                .map_err(|err| anyhow::anyhow!("starting a refresh-token login failed: {err}"))
        },
    )
    .await?;
    let started = settled_used_memory(probe).await?;
    write_all(n, format!("{n} refreshes"), |i| {
        let login = &issued[i];
        async move {
            store
                .rotate(&login.token, Some(&login.family))
                .await
                .map_err(|err| anyhow::anyhow!("a refresh failed: {err}"))?
                .map(drop)
                .map_err(|refusal| {
                    anyhow::anyhow!("a fresh refresh token was refused: {refusal:?}")
                })
        }
    })
    .await?;
    let refreshed = settled_used_memory(probe).await?;
    let per_n = |bytes: u64, from: u64| (bytes as f64 - from as f64) / n as f64;
    Ok((per_n(started, before), per_n(refreshed, started)))
}

/// Every store-written login is this demo user's, like the captured session record's.
const USER: &str = "alice";

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let redis = start_redis(RedisOptions::default(), results)?;
    let mut probe = RedisProbe::connect(&redis.url())?;
    let app = server::start(
        &context.config.binary,
        &context.data_dir("memory"),
        &redis.url(),
        &[],
    )
    .await?;
    let base = app.base_url();
    let mounts = context.config.mounts;
    let in_redis = mounts
        .home(StateHome::Redis)
        .ok_or_else(|| anyhow::anyhow!("no mount keeps its logins in Redis"))?;

    // 1. One real login per mount: the credential each sends, and the record /session leaves.
    let mut wire = BTreeMap::new();
    for mount in mounts.login() {
        let logged_in = log_in(&context.http, &base, mount, 0).await?;
        let credential = &logged_in.credential;
        let slug = mount.slug.as_str();
        // A browser sends a bearer mount's token in its cookie instead (the API login hands it
        // out as a bearer token only): `cookie: <name>=<token>`, and the renewing cookie beside
        // it on every page of the mount.
        if let (Some(token), Some(cookie)) = (
            credential.value.strip_prefix("Bearer "),
            mount.credential.cookie,
        ) {
            let mut pairs = vec![format!("{cookie}={token}")];
            let mut header = "cookie".to_owned();
            if let (Some(renewal), Some(refresh_token)) =
                (mount.credential.renewal_cookie, &logged_in.refresh_token)
            {
                pairs.push(format!("{renewal}={refresh_token}"));
                header = format!("cookie ({cookie} and {renewal})");
            }
            wire.insert(
                format!("{slug} (browser cookie)"),
                WireBytes {
                    header,
                    bytes: ("cookie: ".len() + pairs.join("; ").len()) as u64,
                },
            );
        }
        if let Some(refresh_token) = &logged_in.refresh_token {
            let url = format!("{base}{}", mount.slug.path("api/token"));
            let refreshed = refresh(&context.http, &url, refresh_token).await?;
            wire.insert(
                format!("{slug} (refresh: request body)"),
                WireBytes {
                    header: "form: grant_type=refresh_token&refresh_token=…".to_owned(),
                    bytes: refreshed.request_body_bytes as u64,
                },
            );
            wire.insert(
                format!("{slug} (refresh: response body)"),
                WireBytes {
                    header: "JSON: access_token, token_type, expires_in, refresh_token".to_owned(),
                    bytes: refreshed.response_body_bytes as u64,
                },
            );
        }
        wire.insert(
            slug.to_owned(),
            WireBytes {
                header: credential.header.as_str().to_owned(),
                bytes: credential.wire_bytes() as u64,
            },
        );
    }
    for mount in mounts.measured().filter(|m| !m.login) {
        wire.insert(
            mount.slug.as_str().to_owned(),
            WireBytes {
                header: "(none)".to_owned(),
                bytes: 0,
            },
        );
    }
    let session_keys = probe.keys(&format!("{REDIS_KEY_PREFIX}*"))?;
    let session_key = session_keys
        .first()
        .ok_or_else(|| anyhow::anyhow!("a login on /session left no record in Redis"))?
        .clone();
    let record_line = probe
        .get(&session_key)?
        .ok_or_else(|| anyhow::anyhow!("the session record vanished"))?;
    let (template, _) = LoginRecord::parse_line(&record_line)
        .ok_or_else(|| anyhow::anyhow!("the session record is not a login: {record_line}"))?;
    let mut key_breakdown = Vec::new();
    for key in probe.keys("authlab:*")? {
        // `authlab:session:{alice}:<login id>` is of kind `authlab:session`.
        let kind = key.splitn(3, ':').take(2).collect::<Vec<_>>().join(":");
        if let Some(bytes) = probe.memory_usage(&key)? {
            if !key_breakdown.iter().any(|(k, _)| *k == kind) {
                key_breakdown.push((kind, bytes));
            }
        }
    }

    // 4 (first, while the server is up). Real HTTP logins on /session.
    let n_http = context.sizes.memory_http_logins;
    probe.flushall()?;
    let before = settled_used_memory(&mut probe).await?;
    let bar = progress::bar(
        n_http as u64,
        format!("HTTP logins on {}", in_redis.slug.prefix()),
    );
    login_many(&context.http, &base, in_redis, n_http, &bar).await?;
    bar.finish_and_clear();
    let http_per_login =
        (settled_used_memory(&mut probe).await? as f64 - before as f64) / n_http as f64;
    drop(app);

    // 2-3. N records through the server's own store code.
    let ttl = CookieDuration::seconds(
        i64::try_from(authlab_web::Settings::defaults().session_ttl).unwrap_or(3600),
    );
    let link = RedisLink::new(&redis.url(), std::time::Duration::from_secs(5))?;
    let redis_store = RedisStore::new(link.clone());
    let denylist = RedisDenylist::new(link.clone());
    let defaults = authlab_web::Settings::defaults();
    let jwt_ttl = defaults.jwt_ttl;
    // The server's defaults, as `authlab serve` builds them.
    let refresh_store = mounts.home(StateHome::Split).map(|_| {
        RefreshStore::new(
            link,
            &RefreshSettings {
                access_ttl: std::time::Duration::from_secs(defaults.access_ttl),
                refresh_ttl: std::time::Duration::from_secs(defaults.refresh_ttl),
                reuse_grace: std::time::Duration::from_secs(defaults.refresh_reuse_grace),
                absolute: std::time::Duration::from_secs(defaults.session_absolute_ttl),
                cookie_secure: false,
            },
        )
    });
    let mut rows = Vec::new();
    for &n in &context.sizes.memory_users {
        probe.flushall()?;
        let before = settled_used_memory(&mut probe).await?;
        write_all(n, format!("{n} sessions into Redis"), |_| async {
            redis_store
                .save(record_like(&template), &ttl)
                .await
                .map_err(|err| anyhow::anyhow!("saving a session into Redis failed: {err}"))
        })
        .await?;
        let redis_delta = settled_used_memory(&mut probe).await? as f64 - before as f64;
        let stored = probe.keys(&format!("{REDIS_KEY_PREFIX}*"))?.len();
        anyhow::ensure!(
            stored == n,
            "{n} sessions saved but {stored} found in Redis"
        );

        let store = InProcessStore::new();
        let rss_before = procstat::rss_bytes(std::process::id())?;
        let bar = progress::bar(n as u64, format!("{n} sessions in process"));
        for _ in 0..n {
            store
                .save(record_like(&template), &ttl)
                .await
                .map_err(|err| anyhow::anyhow!("saving a session in process failed: {err}"))?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        let rss_delta = procstat::rss_bytes(std::process::id())? as f64 - rss_before as f64;
        let stats = store.stats();
        anyhow::ensure!(
            stats.sessions == n,
            "{n} sessions saved, {} held",
            stats.sessions
        );
        drop(store);

        probe.flushall()?;
        let before = settled_used_memory(&mut probe).await?;
        write_all(n, format!("{n} tokens on the JWT denylist"), |_| async {
            denylist
                .revoke(&random_id(22), jwt_ttl)
                .await
                .map_err(|err| anyhow::anyhow!("denylisting a token failed: {err}"))
        })
        .await?;
        let denylist_delta = settled_used_memory(&mut probe).await? as f64 - before as f64;

        let (refresh_bytes_per_login, refresh_bytes_per_refresh) = match &refresh_store {
            Some(store) => {
                let (login, refresh) = refresh_families(store, n, &mut probe).await?;
                (Some(login), Some(refresh))
            }
            None => (None, None),
        };

        let row = MemoryRow {
            users: n,
            redis_bytes_per_user: redis_delta / n as f64,
            in_process_bytes_per_user: stats.approximate_bytes as f64 / n as f64,
            in_process_rss_bytes_per_user: rss_delta / n as f64,
            jwt_denylist_bytes_per_entry: denylist_delta / n as f64,
            refresh_bytes_per_login,
            refresh_bytes_per_refresh,
        };
        progress::say(format!("  {row:?}"));
        rows.push(row);
    }
    probe.flushall()?;

    if let Some(largest) = rows.iter().max_by_key(|r| r.users) {
        // The stores measured are those of the first mount of each home; a mount that keeps
        // nothing on the server costs nothing by what it is.
        for mount in mounts.measured() {
            let bytes = match mount.home {
                StateHome::Redis | StateHome::Process
                    if mounts.home(mount.home).map(|m| m.slug) != Some(mount.slug) =>
                {
                    None
                }
                StateHome::Redis => Some(largest.redis_bytes_per_user),
                StateHome::Process => Some(largest.in_process_bytes_per_user),
                StateHome::Client | StateHome::Nowhere => Some(0.0),
                // A login just made: its family and one refresh token. Each refresh adds to it
                // (the report says how much, and for how long).
                StateHome::Split => largest.refresh_bytes_per_login,
            };
            results.mount(mount.slug.as_str()).server_bytes_per_user = bytes;
        }
    }
    for mount in mounts.measured() {
        if let Some(w) = wire.get(mount.slug.as_str()) {
            results.mount(mount.slug.as_str()).wire_bytes_per_request = Some(w.bytes);
        }
    }
    results.memory = Some(MemoryResults {
        rows,
        session_record_bytes: record_line.len(),
        key_breakdown,
        http_logins: n_http,
        http_redis_bytes_per_login: http_per_login,
        wire,
        refresh_lifetimes: refresh_store
            .is_some()
            .then_some((defaults.access_ttl, defaults.refresh_ttl)),
    });
    Ok(())
}
