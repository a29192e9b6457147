//! **scale-out**: real `authlab` instances behind a real HAProxy (round robin, no stickiness,
//! health checks on `/healthz`), sharing one Redis and one data directory (so one cookie key and
//! one JWT key). Every request goes through the balancer, as a student's browser's would.
//!
//! 1. **1, 2 and 3 instances.** Per mount, logged-in users send requests one after the other: the
//!    share answered 200 (a login kept in one process is found by 1/N of them). Then a closed
//!    loop per mount: the request rate, and the CPU per request of the instances and of Redis.
//! 2. **An instance SIGKILLed** mid-run under a steady open-loop rate: the requests that failed,
//!    and the time until the balancer's checks took the instance out.
//! 3. **A rolling restart** (each instance in turn: SIGTERM, start again, wait until the
//!    balancer has it back `UP`) under the same steady rate: failed requests, and who is still
//!    logged in on every instance afterwards.
//! 4. **`/session` on a six-node Redis Cluster**, a master SIGKILLed mid-run while users keep
//!    logging in: failed requests, the time until its replica took over, and the logins
//!    acknowledged before the kill that were gone after it. Replication is asynchronous: a write
//!    the master acknowledged but had not yet sent to its replica is lost by design.
//!
//! Everything runs on the same two cores: more instances share them, they do not add any. The
//! report says so, and turns the CPU per request into a capacity table marked as computed.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use authlab_core::{MountInfo, StateHome};
use authlab_procs::{ClusterOptions, Haproxy, HaproxyOptions, RedisCluster, RedisOptions};
use reqwest::StatusCode;

use super::{start_redis, Context};
use crate::{
    client::{login, login_many, me, Credential},
    load::{self, Target},
    procstat::CpuMeter,
    progress,
    results::{
        ClusterFailoverResults, InstancesRow, KillResults, RequestCounts, RollingResults,
        ScaleOutResults,
    },
    server::{self, AppProcess},
    Results,
};

const MAX_INSTANCES: usize = 3;
/// How long the balancer or the cluster may take to notice, before the run gives up.
const NOTICE_WITHIN: Duration = Duration::from_secs(30);

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let sizes = &context.sizes;
    // Six nodes take seconds to agree on their slots: made meanwhile, used last.
    let options = ClusterOptions::default();
    let cluster = tokio::task::spawn_blocking(move || RedisCluster::start_with(options));
    let redis = start_redis(RedisOptions::default(), results)?;
    let data_dir = context.data_dir("scale-out");
    let mut instances = Vec::new();
    // One after the other: the first creates the keys the others read.
    for _ in 0..MAX_INSTANCES {
        instances.push(start_instance(context, &data_dir, &redis.url(), &[]).await?);
    }
    let redis_pid = redis
        .pid()
        .ok_or_else(|| anyhow::anyhow!("redis is not running"))?;

    let mut by_instances = Vec::new();
    let mut success = BTreeMap::new();
    for n in 1..=MAX_INSTANCES {
        progress::say(format!("  {n} instance(s) behind HAProxy"));
        let haproxy = balancer(&instances[..n])?;
        let rows = instance_count_rows(context, &haproxy, &instances[..n], redis_pid, n).await?;
        for row in rows {
            if n == 2 {
                results.mount(&row.mount).scale_out_success = Some(row.share_200);
                success.insert(row.mount.clone(), row.share_200);
            }
            by_instances.push(row);
        }
    }

    let fleet = &mut instances[..2];
    let haproxy = balancer(fleet)?;
    progress::say("  an instance SIGKILLed mid-run");
    let kill = kill_one(context, &haproxy, fleet).await?;
    progress::say("  a rolling restart");
    let rolling = rolling_restart(context, &haproxy, fleet).await?;
    drop(haproxy);
    drop(instances);

    progress::say("  /session on a Redis Cluster, a master SIGKILLed");
    let cluster_failover = cluster_failover(context, cluster.await??, options).await?;

    results.scale_out = Some(ScaleOutResults {
        users_per_mount: sizes.scale_users,
        requests_per_user: sizes.scale_requests_per_user,
        success,
        balancer: describe(HaproxyOptions::default()),
        by_instances,
        kill: Some(kill),
        rolling: Some(rolling),
        cluster_failover: Some(cluster_failover),
    });
    Ok(())
}

fn describe(options: HaproxyOptions) -> String {
    format!(
        "HAProxy (Debian's), `balance roundrobin`, no stickiness; checks `GET /healthz` every \
         {} ms, an instance out after {} failed checks and back after {} passed; a refused \
         connection (or a GET met by an empty answer) is retried on another instance \
         (`option redispatch 1`, `retries 3`)",
        options.check_interval.as_millis(),
        options.fall,
        options.rise
    )
}

async fn start_instance(
    context: &Context<'_>,
    data_dir: &std::path::Path,
    redis_url: &str,
    extra_env: &[(&str, &str)],
) -> anyhow::Result<AppProcess> {
    let mut env = vec![
        ("AUTHLAB_WORKERS", "1"),
        ("AUTHLAB_TRUSTED_PROXY", "127.0.0.1"),
    ];
    env.extend_from_slice(extra_env);
    server::start(&context.config.binary, data_dir, redis_url, &env).await
}

fn balancer(instances: &[AppProcess]) -> anyhow::Result<Haproxy> {
    let backends: Vec<String> = instances
        .iter()
        .map(|instance| format!("127.0.0.1:{}", instance.port()))
        .collect();
    Haproxy::start(&backends)
}

fn pid(instance: &AppProcess) -> anyhow::Result<u32> {
    instance
        .pid()
        .ok_or_else(|| anyhow::anyhow!("an instance is not running"))
}

/// Per login mount, with `n` instances: share of sequential requests answered 200, then the
/// closed-loop rate and CPU per request.
async fn instance_count_rows(
    context: &Context<'_>,
    haproxy: &Haproxy,
    instances: &[AppProcess],
    redis_pid: u32,
    n: usize,
) -> anyhow::Result<Vec<InstancesRow>> {
    let sizes = &context.sizes;
    let base = haproxy.base_url();
    let mut rows = Vec::new();
    for mount in context.config.mounts.login() {
        let bar = progress::bar(sizes.scale_users as u64, "logging in through HAProxy");
        let credentials = login_many(&context.http, &base, mount, sizes.scale_users, &bar).await?;
        bar.finish_and_clear();
        let (mut ok, mut total) = (0u64, 0u64);
        for credential in &credentials {
            for _ in 0..sizes.scale_requests_per_user {
                if me(&context.http, &base, mount, Some(credential)).await? == StatusCode::OK {
                    ok += 1;
                }
                total += 1;
            }
        }
        let share_200 = ok as f64 / total.max(1) as f64;

        let target = Target {
            url: format!("{base}{}", mount.slug.path("api/me")),
            credential: credentials.first().cloned(),
        };
        let mut pids = instances.iter().map(pid).collect::<Result<Vec<_>, _>>()?;
        pids.push(redis_pid);
        let meter = CpuMeter::start(&pids)?;
        let closed =
            load::closed_loop(&context.http, &target, sizes.connections, sizes.scale_phase).await;
        let seconds = meter.seconds()?;
        let answered = (closed.ok + closed.errors).max(1) as f64;
        let (server_cpu, redis_cpu) = seconds.split_at(seconds.len() - 1);
        let slug = mount.slug.as_str();
        progress::say(format!(
            "    /{slug}: {:.0} % answered 200, {:.0} req/s",
            share_200 * 100.0,
            answered / closed.elapsed.as_secs_f64()
        ));
        rows.push(InstancesRow {
            instances: n,
            mount: slug.to_owned(),
            share_200,
            rps: answered / closed.elapsed.as_secs_f64(),
            cpu_server_us_per_request: server_cpu.iter().sum::<f64>() * 1e6 / answered,
            cpu_redis_us_per_request: redis_cpu.iter().sum::<f64>() * 1e6 / answered,
        });
    }
    Ok(rows)
}

/// One answer of a steady run: which target, and its status (`None`: no HTTP answer).
#[derive(Debug, Clone, Copy)]
struct Answer {
    target: usize,
    status: Option<u16>,
}

/// Requests at `rate_per_target` per second on each target, each sent on its own (a slow answer
/// delays no other), until `stop` is set.
async fn steady(
    http: reqwest::Client,
    targets: Vec<Target>,
    rate_per_target: f64,
    stop: Arc<AtomicBool>,
) -> Vec<Answer> {
    let interval = Duration::from_secs_f64(1.0 / (rate_per_target * targets.len() as f64));
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let targets = Arc::new(targets);
    let mut running = tokio::task::JoinSet::new();
    let mut i = 0usize;
    while !stop.load(Ordering::Relaxed) {
        ticker.tick().await;
        let (http, targets) = (http.clone(), targets.clone());
        let target = i % targets.len();
        i += 1;
        running.spawn(async move {
            let status = send(&http, &targets[target]).await;
            Answer { target, status }
        });
    }
    let mut answers = Vec::new();
    while let Some(done) = running.join_next().await {
        answers.extend(done.ok());
    }
    answers
}

async fn send(http: &reqwest::Client, target: &Target) -> Option<u16> {
    let mut request = http.get(&target.url);
    if let Some(c) = &target.credential {
        request = request.header(c.header.clone(), c.value.clone());
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    response.bytes().await.ok()?;
    Some(status)
}

fn counts(answers: &[Answer], target: usize) -> RequestCounts {
    let mut counts = RequestCounts::default();
    for answer in answers.iter().filter(|a| a.target == target) {
        counts.requests += 1;
        match answer.status {
            None => counts.failed += 1,
            Some(status) if status >= 500 => counts.failed += 1,
            Some(401) => counts.unauthenticated += 1,
            Some(_) => {}
        }
    }
    counts
}

/// One logged-in user per login mount, their `/api/me` through the balancer.
async fn one_user_each(
    context: &Context<'_>,
    base: &str,
) -> anyhow::Result<Vec<(&'static MountInfo, Target)>> {
    let mut targets = Vec::new();
    for mount in context.config.mounts.login() {
        let credential = login(&context.http, base, mount, 0).await?;
        targets.push((
            mount,
            Target {
                url: format!("{base}{}", mount.slug.path("api/me")),
                credential: Some(credential),
            },
        ));
    }
    Ok(targets)
}

fn start_steady(
    context: &Context<'_>,
    targets: &[(&'static MountInfo, Target)],
) -> (Arc<AtomicBool>, tokio::task::JoinHandle<Vec<Answer>>) {
    let stop = Arc::new(AtomicBool::new(false));
    let run = tokio::spawn(steady(
        context.http.clone(),
        targets.iter().map(|(_, t)| t.clone()).collect(),
        context.sizes.scale_rate_per_mount,
        stop.clone(),
    ));
    (stop, run)
}

fn per_mount(
    targets: &[(&'static MountInfo, Target)],
    answers: &[Answer],
) -> BTreeMap<String, RequestCounts> {
    targets
        .iter()
        .enumerate()
        .map(|(n, (mount, _))| (mount.slug.as_str().to_owned(), counts(answers, n)))
        .collect()
}

/// SIGKILL the second instance a third into a steady run; it is started again afterwards.
async fn kill_one(
    context: &Context<'_>,
    haproxy: &Haproxy,
    fleet: &mut [AppProcess],
) -> anyhow::Result<KillResults> {
    let phase = context.sizes.scale_phase;
    let targets = one_user_each(context, &haproxy.base_url()).await?;
    let (stop, run) = start_steady(context, &targets);
    tokio::time::sleep(phase).await;
    let victim = fleet.len() - 1;
    fleet[victim].kill();
    let taken_out = haproxy.wait_until_down(victim, NOTICE_WITHIN).await?;
    tokio::time::sleep(phase).await;
    stop.store(true, Ordering::Relaxed);
    let answers = run.await?;
    fleet[victim].start_again().await?;
    haproxy.wait_until_up(victim, NOTICE_WITHIN).await?;
    Ok(KillResults {
        instances: fleet.len(),
        rate_per_mount: context.sizes.scale_rate_per_mount,
        taken_out_after_ms: taken_out.as_secs_f64() * 1e3,
        per_mount: per_mount(&targets, &answers),
    })
}

/// Each instance in turn: SIGTERM, start again, wait until the balancer has it back.
async fn rolling_restart(
    context: &Context<'_>,
    haproxy: &Haproxy,
    fleet: &mut [AppProcess],
) -> anyhow::Result<RollingResults> {
    let users = context.sizes.scale_users;
    let base = haproxy.base_url();
    let mut logged_in = Vec::new();
    for mount in context.config.mounts.login() {
        let bar = progress::bar(users as u64, "logging in through HAProxy");
        logged_in.push((
            mount,
            login_many(&context.http, &base, mount, users, &bar).await?,
        ));
        bar.finish_and_clear();
    }
    let targets = one_user_each(context, &base).await?;
    let (stop, run) = start_steady(context, &targets);
    tokio::time::sleep(context.sizes.scale_phase / 2).await;
    let started = Instant::now();
    for (n, instance) in fleet.iter_mut().enumerate() {
        instance.terminate()?;
        instance
            .wait_for_exit(NOTICE_WITHIN)
            .await
            .ok_or_else(|| anyhow::anyhow!("instance {n} did not stop on SIGTERM"))?;
        instance.start_again().await?;
        haproxy.wait_until_up(n, NOTICE_WITHIN).await?;
    }
    let took = started.elapsed();
    tokio::time::sleep(context.sizes.scale_phase / 2).await;
    stop.store(true, Ordering::Relaxed);
    let answers = run.await?;

    let mut still_logged_in = BTreeMap::new();
    for (mount, credentials) in &logged_in {
        let mut kept = 0usize;
        for credential in credentials {
            let mut everywhere = true;
            for instance in fleet.iter() {
                everywhere &= me(&context.http, &instance.base_url(), mount, Some(credential))
                    .await?
                    == StatusCode::OK;
            }
            kept += usize::from(everywhere);
        }
        still_logged_in.insert(
            mount.slug.as_str().to_owned(),
            kept as f64 / credentials.len().max(1) as f64,
        );
    }
    Ok(RollingResults {
        instances: fleet.len(),
        rate_per_mount: context.sizes.scale_rate_per_mount,
        took_ms: took.as_secs_f64() * 1e3,
        per_mount: per_mount(&targets, &answers),
        still_logged_in,
        users_per_mount: users,
    })
}

/// A login acknowledged during the cluster run, and when.
struct Acknowledged {
    credential: Credential,
    at: Instant,
}

/// `/session` on a Redis Cluster behind two instances; the master of the first demo user's slot
/// is killed a third into the run while that user keeps logging in.
async fn cluster_failover(
    context: &Context<'_>,
    mut cluster: RedisCluster,
    options: ClusterOptions,
) -> anyhow::Result<ClusterFailoverResults> {
    let phase = context.sizes.scale_phase;
    let seeds = cluster.seed_nodes().join(",");
    let data_dir = context.data_dir("scale-out-cluster");
    let mut fleet = Vec::new();
    for _ in 0..2 {
        fleet.push(
            start_instance(
                context,
                &data_dir,
                // Nothing listens there: every Redis call must go to the cluster.
                "redis://127.0.0.1:1",
                &[("AUTHLAB_REDIS_CLUSTER", seeds.as_str())],
            )
            .await?,
        );
    }
    let haproxy = balancer(&fleet)?;
    let base = haproxy.base_url();
    let mount = context
        .config
        .mounts
        .home(StateHome::Redis)
        .ok_or_else(|| anyhow::anyhow!("no mount keeps its logins in Redis"))?;
    // User 0 is alice: every key of hers carries her hash tag, so her slot is `{alice}`'s.
    let affected = login(&context.http, &base, mount, 0).await?;
    let other = login(&context.http, &base, mount, 1).await?;
    let url = format!("{base}{}", mount.slug.path("api/me"));
    let targets: Vec<(&'static MountInfo, Target)> = [&affected, &other]
        .into_iter()
        .map(|credential| {
            (
                mount,
                Target {
                    url: url.clone(),
                    credential: Some(credential.clone()),
                },
            )
        })
        .collect();
    let (stop, run) = start_steady(context, &targets);
    let stop_logins = Arc::new(AtomicBool::new(false));
    let logins = {
        let (http, base, stop) = (context.http.clone(), base.clone(), stop_logins.clone());
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match login(&http, &base, mount, 0).await {
                    Ok(credential) => acknowledged.push(Acknowledged {
                        credential,
                        at: Instant::now(),
                    }),
                    // A 503 while the slot has no master: not acknowledged, so not lost.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
            acknowledged
        })
    };
    tokio::time::sleep(phase).await;

    let killed_at = Instant::now();
    let killed = cluster.kill_master_of("{alice}")?;
    let cluster = Arc::new(cluster);
    let takeover = {
        let cluster = cluster.clone();
        tokio::task::spawn_blocking(move || {
            cluster
                .wait_for_failover(&killed, NOTICE_WITHIN)
                .map(|_| killed_at.elapsed())
        })
    };
    let mut answered_again = None;
    while killed_at.elapsed() < NOTICE_WITHIN {
        if me(&context.http, &base, mount, Some(&affected)).await? == StatusCode::OK {
            answered_again = Some(killed_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let takeover_ms = takeover.await??.as_secs_f64() * 1e3;
    tokio::time::sleep(phase).await;
    stop.store(true, Ordering::Relaxed);
    stop_logins.store(true, Ordering::Relaxed);
    let answers = run.await?;
    let acknowledged = logins.await?;

    let before_kill: Vec<&Acknowledged> =
        acknowledged.iter().filter(|a| a.at < killed_at).collect();
    let mut lost = 0u64;
    for login in &before_kill {
        if me(&context.http, &base, mount, Some(&login.credential)).await? != StatusCode::OK {
            lost += 1;
        }
    }
    let just_before = before_kill
        .iter()
        .filter(|a| killed_at.duration_since(a.at) < Duration::from_secs(1))
        .count() as u64;
    let mut requests = counts(&answers, 0);
    let other_counts = counts(&answers, 1);
    requests.requests += other_counts.requests;
    requests.failed += other_counts.failed;
    requests.unauthenticated += other_counts.unauthenticated;
    Ok(ClusterFailoverResults {
        mount: mount.slug.as_str().to_owned(),
        instances: fleet.len(),
        node_timeout_ms: options.node_timeout.as_secs_f64() * 1e3,
        rate: context.sizes.scale_rate_per_mount * 2.0,
        requests,
        takeover_ms,
        answered_again_ms: answered_again.map(|d| d.as_secs_f64() * 1e3),
        logins_acknowledged: before_kill.len() as u64,
        logins_lost: lost,
        logins_just_before_the_kill: just_before,
    })
}
