//! **throughput**: `GET /{b}/api/me` on each mount against `GET /baseline/api/me`.
//!
//! 1. Closed loop, `k` connections, for a fixed time per mount: the maximum rate, and the CPU
//!    time the server and the Redis process used over it (from `/proc/<pid>/stat`), per request.
//! 2. Open loop at one offered rate for every mount (a quarter of the slowest mount's maximum), latency
//!    from each request's due time: p50 / p99 / p99.9 without coordinated omission.
//! 3. Redis commands per unchanged request on the mount whose logins live in Redis (`/session`):
//!    `INFO commandstats` before and after M sequential requests (and the same for the mount whose
//!    logins live on the client, `/jwt`, which should cost none).
//! 4. HS256 (and EdDSA) verification as the server does it, timed in-process over many tokens.
//! 5. The token endpoint of each mount whose login hands out a refresh token
//!    (`POST /{b}/api/token`): a closed loop of refresh chains, each connection spending its
//!    refresh token and going on with the one it gets back; CPU and Redis commands per refresh.
//!
//! Beside the mounts, in the same interleaved rounds, the variants a reader compares them with
//! ([`Variant`]): the token mount with its denylist on, the token mount under EdDSA, and the
//! second service (`authlab resource`) answering `/api/me` with an EdDSA JWT it checks locally
//! with the JWKS and with an HS256 JWT it must introspect, one round trip to the issuer per
//! request. A second-service row's server CPU is the resource process's plus its issuer's: the
//! issuer's work for an introspection is part of that request's price.

use std::{collections::BTreeMap, time::Instant};

use authlab_core::{Identity, MountInfo, Role, Secret, StateHome};
use authlab_jwt::{JwtAlg, JwtSettings, TokenCodec};
use authlab_procs::{AppCommand, RedisOptions};

use super::{start_redis, Context};
use crate::{
    client::{log_in, login, me, refresh},
    load::{self, Target},
    pinning::Pinning,
    procstat::{self, CpuMeter},
    progress,
    redis_probe::{calls_between, RedisProbe},
    results::{ThroughputResults, ThroughputRow, TokenEndpointRow, Variant},
    server, Results,
};

/// One mount's closed-loop rounds added up.
struct ClosedTotals {
    ok: u64,
    errors: u64,
    round_rps: Vec<f64>,
    round_server_us: Vec<f64>,
    round_redis_us: Vec<f64>,
    latency: hdrhistogram::Histogram<u64>,
    server_cpu: f64,
    redis_cpu: f64,
    generator_cpu: f64,
    wall: f64,
}

impl Default for ClosedTotals {
    fn default() -> Self {
        ClosedTotals {
            ok: 0,
            errors: 0,
            round_rps: Vec::new(),
            round_server_us: Vec::new(),
            round_redis_us: Vec::new(),
            latency: load::new_histogram(),
            server_cpu: 0.0,
            redis_cpu: 0.0,
            generator_cpu: 0.0,
            wall: 0.0,
        }
    }
}

impl ClosedTotals {
    /// One round: its requests and the CPU seconds of the server, Redis and the generator.
    fn add(&mut self, run: &load::ClosedLoop, cpu: &[f64]) {
        let [server, redis, generator] = [0, 1, 2].map(|i| cpu.get(i).copied().unwrap_or_default());
        self.ok += run.ok;
        self.errors += run.errors;
        self.round_rps.push(run.rps());
        let per_request = |seconds: f64| seconds * 1e6 / run.ok.max(1) as f64;
        self.round_server_us.push(per_request(server));
        self.round_redis_us.push(per_request(redis));
        let _ = self.latency.add(&run.latency);
        self.server_cpu += server;
        self.redis_cpu += redis;
        self.generator_cpu += generator;
        self.wall += run.elapsed.as_secs_f64();
    }

    fn median_rps(&self) -> f64 {
        let mut sorted = self.round_rps.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => 0.0,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }
}

fn label(measured: &Measured<'_>) -> String {
    match measured.variant {
        Some(variant) => format!("{} ({})", measured.mount.slug.prefix(), variant.as_str()),
        None => measured.mount.slug.prefix(),
    }
}

/// The processes of the variant rows, started beside the main server.
#[derive(Default)]
struct VariantServers {
    denylisted: Option<server::AppProcess>,
    eddsa: Option<server::AppProcess>,
    /// `authlab resource` trusting `eddsa`.
    resource_local: Option<server::AppProcess>,
    /// `authlab resource` trusting the main (HS256) server, with its introspection secret.
    resource_introspecting: Option<server::AppProcess>,
}

impl VariantServers {
    fn all(&self) -> impl Iterator<Item = &server::AppProcess> {
        [
            &self.denylisted,
            &self.eddsa,
            &self.resource_local,
            &self.resource_introspecting,
        ]
        .into_iter()
        .flatten()
    }
}

/// `authlab resource --issuer <issuer>` as the benchmark runs it.
async fn start_resource(
    binary: &std::path::Path,
    issuer: &server::AppProcess,
    workers: Option<&str>,
    introspection_secret: Option<&std::path::Path>,
) -> anyhow::Result<server::AppProcess> {
    let mut command = AppCommand::resource(binary, &issuer.base_url()).log_filter("warn");
    if let Some(workers) = workers {
        command = command.env("AUTHLAB_RESOURCE_WORKERS", workers);
    }
    if let Some(file) = introspection_secret {
        command = command.arg("--introspection-secret-file").arg(file);
    }
    command.start().await
}

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let redis = start_redis(RedisOptions::default(), results)?;
    let mut probe = RedisProbe::connect(&redis.url())?;
    let redis_pid = probe.pid()?;
    let pinning = Pinning::plan(results.machine.cores);
    let workers = pinning.as_ref().map(|p| p.server_workers().to_string());
    let mut env: Vec<(&str, &str)> = Vec::new();
    if let Some(workers) = &workers {
        env.push(("AUTHLAB_WORKERS", workers));
    }
    let app = server::start(
        &context.config.binary,
        &context.data_dir("throughput"),
        &redis.url(),
        &env,
    )
    .await?;
    // The variants of the token mount, each its own process with its own data directory on the
    // same Redis, measured in the same rounds: the price of revocation (the denylist), the other
    // algorithm, and the second service both ways.
    let token_mount = context.config.mounts.home(StateHome::Client);
    let mut variants = VariantServers::default();
    if token_mount.is_some() {
        let with = |extra: (&'static str, &'static str)| {
            let mut env = env.clone();
            env.push(extra);
            env
        };
        let binary = &context.config.binary;
        variants.denylisted = Some(
            server::start(
                binary,
                &context.data_dir("throughput-denylist"),
                &redis.url(),
                &with(("AUTHLAB_JWT_DENYLIST", "true")),
            )
            .await?,
        );
        let eddsa = server::start(
            binary,
            &context.data_dir("throughput-eddsa"),
            &redis.url(),
            &with(("AUTHLAB_JWT_ALG", JwtAlg::EdDsa.name())),
        )
        .await?;
        variants.resource_local =
            Some(start_resource(binary, &eddsa, workers.as_deref(), None).await?);
        variants.eddsa = Some(eddsa);
        let secret = app.data_dir().join(authlab_web::introspection::SECRET_FILE);
        variants.resource_introspecting =
            Some(start_resource(binary, &app, workers.as_deref(), Some(&secret)).await?);
    }
    let pid_of = |app: &server::AppProcess| {
        app.pid()
            .ok_or_else(|| anyhow::anyhow!("the server has no pid"))
    };
    let own_pid = std::process::id();
    if let Some(pinning) = &pinning {
        pinning.pin_server(pid_of(&app)?)?;
        for other in variants.all() {
            pinning.pin_server(pid_of(other)?)?;
        }
        pinning.pin_other(redis_pid)?;
        pinning.pin_other(own_pid)?;
        progress::say(format!("  pinned: {}", pinning.describe()));
    }
    let measured = measure(
        context,
        &app,
        &variants,
        token_mount,
        redis_pid,
        &mut probe,
        pinning.as_ref(),
        results,
    )
    .await;
    if let Some(pinning) = &pinning {
        // Whatever happened, the scenarios after this one run unpinned.
        pinning.release(own_pid)?;
    }
    measured
}

/// What one measured target is: a mount (or a variant of one) on one server process (and, for
/// the second service, the issuer it asks).
struct Measured<'a> {
    mount: &'a MountInfo,
    variant: Option<Variant>,
    target: Target,
    server_pid: u32,
    /// Processes whose CPU counts as the server's too.
    also_server: Vec<u32>,
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    context: &Context<'_>,
    app: &server::AppProcess,
    variants: &VariantServers,
    token_mount: Option<&MountInfo>,
    redis_pid: u32,
    probe: &mut RedisProbe,
    pinning: Option<&Pinning>,
    results: &mut Results,
) -> anyhow::Result<()> {
    let sizes = &context.sizes;
    let base = app.base_url();
    let app_pid = app
        .pid()
        .ok_or_else(|| anyhow::anyhow!("the server has no pid"))?;
    let mut targets = Vec::new();
    for mount in context.config.mounts.measured() {
        let credential = if mount.login {
            Some(login(&context.http, &base, mount, 1).await?)
        } else {
            None
        };
        targets.push(Measured {
            mount,
            variant: None,
            target: Target {
                url: format!("{base}{}", mount.slug.path("api/me")),
                credential,
            },
            server_pid: app_pid,
            also_server: Vec::new(),
        });
    }
    let pid_of = |process: &server::AppProcess| {
        process
            .pid()
            .ok_or_else(|| anyhow::anyhow!("the server has no pid"))
    };
    if let Some(mount) = token_mount {
        for (variant, server) in [
            (Variant::Denylist, &variants.denylisted),
            (Variant::EdDsa, &variants.eddsa),
        ] {
            if let Some(server) = server {
                let base = server.base_url();
                targets.push(Measured {
                    mount,
                    variant: Some(variant),
                    target: Target {
                        url: format!("{base}{}", mount.slug.path("api/me")),
                        credential: Some(login(&context.http, &base, mount, 1).await?),
                    },
                    server_pid: pid_of(server)?,
                    also_server: Vec::new(),
                });
            }
        }
        // The second service: the token comes from its issuer, the request goes to it.
        for (variant, resource, issuer) in [
            (
                Variant::SecondServiceLocal,
                &variants.resource_local,
                variants.eddsa.as_ref(),
            ),
            (
                Variant::SecondServiceIntrospection,
                &variants.resource_introspecting,
                Some(app),
            ),
        ] {
            if let (Some(resource), Some(issuer)) = (resource, issuer) {
                let credential = login(&context.http, &issuer.base_url(), mount, 1).await?;
                targets.push(Measured {
                    mount,
                    variant: Some(variant),
                    target: Target {
                        url: format!("{}/api/me", resource.base_url()),
                        credential: Some(credential),
                    },
                    server_pid: pid_of(resource)?,
                    also_server: vec![pid_of(issuer)?],
                });
            }
        }
    }
    let own_pid = std::process::id();

    // 1. Closed loop, in interleaved rounds: the machine is shared, and a neighbour's burst of
    // work should not land on one mount's whole measurement. The order rotates every round.
    let rounds = sizes.rounds.max(1);
    let n = targets.len();
    for measured in &targets {
        // Warm up: connections open, caches filled.
        load::closed_loop(
            &context.http,
            &measured.target,
            sizes.connections,
            sizes.closed_loop / 10,
        )
        .await;
    }
    let machine_before = procstat::MachineTicks::read()?;
    let own_before = procstat::cpu_ticks(own_pid)?;
    let mut closed: Vec<ClosedTotals> = (0..n).map(|_| ClosedTotals::default()).collect();
    let per_round = sizes.closed_loop / u32::try_from(rounds).unwrap_or(1);
    let bar = progress::bar((rounds * n) as u64, "closed loop, interleaved rounds");
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let measured = &targets[i];
            let mut pids = vec![measured.server_pid, redis_pid, own_pid];
            pids.extend(&measured.also_server);
            let meter = CpuMeter::start(&pids)?;
            let run = load::closed_loop(
                &context.http,
                &measured.target,
                sizes.connections,
                per_round,
            )
            .await;
            let mut cpu = meter.seconds()?;
            // The issuer a second service asks works for the same request: count it as server.
            let asked: f64 = cpu.iter().skip(3).sum();
            if let Some(server) = cpu.first_mut() {
                *server += asked;
            }
            closed[i].add(&run, &cpu);
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let machine = procstat::MachineTicks::read()?.since(machine_before);
    let ours = {
        let own = procstat::cpu_ticks(own_pid)?.saturating_sub(own_before);
        let hz = procstat::ticks_per_second()? as f64;
        let measured: f64 = closed.iter().map(|c| c.server_cpu + c.redis_cpu).sum();
        own as f64 + measured * hz
    };
    let busy = machine.busy().max(1) as f64;
    let others_share = ((machine.processes as f64 - ours) / busy).max(0.0);
    let interrupt_share = machine.interrupts as f64 / busy;
    let steal_share = machine.steal as f64 / busy;
    for (measured, totals) in targets.iter().zip(&closed) {
        let mount = label(measured);
        anyhow::ensure!(totals.ok > 0, "no request to {mount} succeeded");
        progress::say(format!(
            "  {mount}: {:.0} rps (median of {rounds} rounds: {:?}), {} errors",
            totals.median_rps(),
            totals
                .round_rps
                .iter()
                .map(|r| r.round())
                .collect::<Vec<_>>(),
            totals.errors
        ));
    }

    // 2. Open loop at one rate for all, also in interleaved rounds.
    let slowest = closed
        .iter()
        .map(ClosedTotals::median_rps)
        .fold(f64::INFINITY, f64::min);
    // A quarter of the slowest maximum: a load every mount carries without queueing on a quiet
    // machine, so the percentiles show the cost of a request rather than of a queue.
    let offered_rate = (slowest * 0.25).floor().max(1.0);
    let mut open: Vec<(hdrhistogram::Histogram<u64>, u64, u64)> =
        (0..n).map(|_| (load::new_histogram(), 0, 0)).collect();
    let mut open_rounds: Vec<(Vec<u64>, Vec<u64>)> = (0..n).map(|_| Default::default()).collect();
    let mut send_lag: Vec<hdrhistogram::Histogram<u64>> =
        (0..n).map(|_| load::new_histogram()).collect();
    let per_round = sizes.open_loop / u32::try_from(rounds).unwrap_or(1);
    let bar = progress::bar((rounds * n) as u64, "open loop, interleaved rounds");
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let samples = load::open_loop(
                &context.http,
                std::slice::from_ref(&targets[i].target),
                offered_rate,
                per_round,
                None,
            )
            .await;
            let (histogram, errors) = load::summarize(&samples, 0);
            open_rounds[i].0.push(histogram.value_at_quantile(0.5));
            open_rounds[i].1.push(histogram.value_at_quantile(0.99));
            for sample in &samples {
                let _ = send_lag[i].record(
                    u64::try_from(sample.send_lag.as_micros())
                        .unwrap_or(u64::MAX)
                        .max(1),
                );
            }
            let _ = open[i].0.add(histogram);
            open[i].1 += errors;
            open[i].2 += samples.len() as u64;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let mut rows = Vec::new();
    let cores = |group: Option<&Vec<usize>>| group.map_or(results.machine.cores, Vec::len).max(1);
    let (server_cores, other_cores) = (
        cores(pinning.map(|p| &p.server)),
        cores(pinning.map(|p| &p.others)),
    );
    for ((((measured, totals), (histogram, errors, requests)), lag), (p50s, p99s)) in targets
        .iter()
        .zip(&closed)
        .zip(&open)
        .zip(&send_lag)
        .zip(open_rounds)
    {
        let wall = totals.wall.max(f64::MIN_POSITIVE);
        rows.push(ThroughputRow {
            mount: measured.mount.slug.as_str().to_owned(),
            variant: measured.variant.map(|v| v.as_str().to_owned()),
            rps: totals.median_rps(),
            rps_rounds: totals.round_rps.clone(),
            closed_errors: totals.errors,
            closed_p50_us: totals.latency.value_at_quantile(0.5),
            open_requests: *requests,
            open_errors: *errors,
            p50_us: histogram.value_at_quantile(0.5),
            p99_us: histogram.value_at_quantile(0.99),
            p999_us: histogram.value_at_quantile(0.999),
            max_us: histogram.max(),
            p99_send_lag_us: lag.value_at_quantile(0.99),
            cpu_server_us_per_request: totals.server_cpu * 1e6 / totals.ok as f64,
            cpu_redis_us_per_request: totals.redis_cpu * 1e6 / totals.ok as f64,
            cpu_server_us_rounds: totals.round_server_us.clone(),
            cpu_redis_us_rounds: totals.round_redis_us.clone(),
            p50_us_rounds: p50s,
            p99_us_rounds: p99s,
            server_cores_busy: totals.server_cpu / wall / server_cores as f64,
            generator_cores_busy: (totals.generator_cpu + totals.redis_cpu)
                / wall
                / other_cores as f64,
        });
    }

    // 3. Redis commands per unchanged request.
    let count_commands = |home: StateHome, probe: &mut RedisProbe| {
        let found = targets
            .iter()
            .find(|m| m.variant.is_none() && m.mount.home == home);
        let mount: Option<&MountInfo> = found.map(|m| m.mount);
        let credential = found.and_then(|m| m.target.credential.clone());
        let (http, base) = (context.http.clone(), base.clone());
        let before = probe.command_calls();
        async move {
            let before = before?;
            let mount = mount.ok_or_else(|| {
                anyhow::anyhow!("no mount keeps its logins in {home:?}: no round trips to count")
            })?;
            for _ in 0..sizes.round_trip_requests {
                let status = me(&http, &base, mount, credential.as_ref()).await?;
                anyhow::ensure!(
                    status.is_success(),
                    "{} answered {status}",
                    mount.slug.prefix()
                );
            }
            Ok::<_, anyhow::Error>((mount, before))
        }
    };
    let (in_redis, before) = count_commands(StateHome::Redis, probe).await?;
    let session_commands = calls_between(&before, &probe.command_calls()?);
    let (on_client, before) = count_commands(StateHome::Client, probe).await?;
    let jwt_commands = calls_between(&before, &probe.command_calls()?);
    let per_request = |calls: &BTreeMap<String, u64>| {
        calls.values().sum::<u64>() as f64 / sizes.round_trip_requests as f64
    };

    // 4. HS256 verify as the server does it (keys built once, strict validation), and the bare
    // jsonwebtoken call on the same token, which is what the crate's published figure measures.
    // Timed on the server's core, idle now: where the server's own verify runs, and away from
    // the core Redis and the generator share (on a shared host, one core can run slower than
    // the other, and the figure should be the server's).
    if let Some(pinning) = pinning {
        pinning.pin_server(own_pid)?;
    }
    let secret = rand::random::<[u8; 64]>().to_vec();
    let codec = TokenCodec::new(&JwtSettings::new(
        Secret::new(secret.clone()),
        std::time::Duration::from_secs(900),
    ))?;
    let identity = Identity {
        username: "bob".to_owned(),
        display_name: "Bob".to_owned(),
        role: Role::User,
    };
    let (token, claims) = codec.issue(&identity)?;
    let mut eddsa_settings = JwtSettings::new(
        Secret::new(rand::random::<[u8; 32]>().to_vec()),
        std::time::Duration::from_secs(900),
    );
    eddsa_settings.algorithm = JwtAlg::EdDsa;
    let eddsa = TokenCodec::new(&eddsa_settings)?;
    let (eddsa_token, _) = eddsa.issue(&identity)?;
    let key = jsonwebtoken::DecodingKey::from_secret(&secret);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["authlab-demo"]);
    // Rounds alternating the two, keeping each one's fastest round: on a shared machine the
    // minimum is the figure least disturbed by other processes.
    let per_round = (sizes.verify_iterations / 10).max(1);
    let (mut server_best, mut bare_best, mut sign_best, mut eddsa_best) =
        (f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..10 {
        let started = Instant::now();
        for _ in 0..per_round {
            let signed = codec.sign(std::hint::black_box(&claims))?;
            std::hint::black_box(signed);
        }
        sign_best = sign_best.min(started.elapsed().as_nanos() as f64 / per_round as f64);
        let started = Instant::now();
        for _ in 0..per_round {
            let claims = codec
                .verify(std::hint::black_box(&token))
                .map_err(|r| anyhow::anyhow!("a fresh token was refused: {}", r.code()))?;
            std::hint::black_box(claims);
        }
        server_best = server_best.min(started.elapsed().as_nanos() as f64 / per_round as f64);
        let started = Instant::now();
        for _ in 0..per_round {
            let data = jsonwebtoken::decode::<authlab_jwt::Claims>(
                std::hint::black_box(&token),
                &key,
                &validation,
            )?;
            std::hint::black_box(data);
        }
        bare_best = bare_best.min(started.elapsed().as_nanos() as f64 / per_round as f64);
        // An Ed25519 check costs tens of µs: a tenth of the tokens gives as many µs of work.
        let eddsa_round = (per_round / 10).max(1);
        let started = Instant::now();
        for _ in 0..eddsa_round {
            let claims = eddsa
                .verify(std::hint::black_box(&eddsa_token))
                .map_err(|r| anyhow::anyhow!("a fresh EdDSA token was refused: {}", r.code()))?;
            std::hint::black_box(claims);
        }
        eddsa_best = eddsa_best.min(started.elapsed().as_nanos() as f64 / eddsa_round as f64);
    }
    let (hs256_verify_ns, hs256_bare_verify_ns) = (server_best, bare_best);
    if let Some(pinning) = pinning {
        pinning.pin_other(own_pid)?;
    }

    let token_endpoint = token_endpoints(context, &base, app_pid, redis_pid, probe).await?;

    for row in rows.iter().filter(|r| r.variant.is_none()) {
        let figures = results.mount(&row.mount);
        figures.rps = Some(row.rps);
        figures.p50_us = Some(row.p50_us);
        figures.p99_us = Some(row.p99_us);
        figures.p999_us = Some(row.p999_us);
        figures.cpu_us_per_request =
            Some(row.cpu_server_us_per_request + row.cpu_redis_us_per_request);
    }
    results
        .mount(in_redis.slug.as_str())
        .redis_commands_per_request = Some(per_request(&session_commands));
    results
        .mount(on_client.slug.as_str())
        .redis_commands_per_request = Some(per_request(&jwt_commands));
    results.throughput = Some(ThroughputResults {
        connections: sizes.connections,
        closed_loop_secs: sizes.closed_loop.as_secs_f64(),
        open_loop_secs: sizes.open_loop.as_secs_f64(),
        offered_rate,
        rounds,
        pinning: pinning.map(Pinning::describe),
        other_processes_cpu_share: others_share,
        interrupt_cpu_share: interrupt_share,
        steal_cpu_share: steal_share,
        rows,
        round_trip_requests: sizes.round_trip_requests,
        session_commands,
        jwt_commands,
        hs256_verify_ns,
        hs256_bare_verify_ns,
        hs256_sign_ns: sign_best,
        eddsa_verify_ns: Some(eddsa_best),
        verify_iterations: sizes.verify_iterations,
        token_endpoint,
    });
    Ok(())
}

/// 5. Refreshes at each token endpoint: one login per connection, each the start of a chain.
async fn token_endpoints(
    context: &Context<'_>,
    base: &str,
    app_pid: u32,
    redis_pid: u32,
    probe: &mut RedisProbe,
) -> anyhow::Result<Vec<TokenEndpointRow>> {
    let sizes = &context.sizes;
    let own_pid = std::process::id();
    let mut rows = Vec::new();
    for mount in context.config.mounts.login() {
        // The first login says whether the mount hands out refresh tokens at all.
        let Some(first) = log_in(&context.http, base, mount, 0).await?.refresh_token else {
            continue;
        };
        let url = format!("{base}{}", mount.slug.path("api/token"));
        let mut chains = vec![first];
        for i in 1..sizes.connections {
            let token = log_in(&context.http, base, mount, i).await?.refresh_token;
            chains.push(token.ok_or_else(|| {
                anyhow::anyhow!(
                    "a login on {} handed out no refresh token",
                    mount.slug.prefix()
                )
            })?);
        }
        let (_, warm) =
            load::refresh_loop(&context.http, &url, chains, sizes.closed_loop / 10).await;
        chains = warm;
        let rounds = sizes.rounds.max(1);
        let per_round = sizes.closed_loop / u32::try_from(rounds).unwrap_or(1);
        let mut totals = ClosedTotals::default();
        let bar = progress::bar(
            rounds as u64,
            format!("refreshes at {}", mount.slug.path("api/token")),
        );
        for _ in 0..rounds {
            let meter = CpuMeter::start(&[app_pid, redis_pid, own_pid])?;
            let (run, alive) = load::refresh_loop(&context.http, &url, chains, per_round).await;
            chains = alive;
            totals.add(&run, &meter.seconds()?);
            bar.inc(1);
        }
        bar.finish_and_clear();
        anyhow::ensure!(
            totals.ok > 0,
            "no refresh at {} succeeded",
            mount.slug.path("api/token")
        );
        progress::say(format!(
            "  {} token endpoint: {:.0} refreshes/s, {} errors",
            mount.slug.prefix(),
            totals.median_rps(),
            totals.errors
        ));
        // Redis commands per refresh: one of the chains still alive, one refresh after another.
        let mut token = chains
            .pop()
            .ok_or_else(|| anyhow::anyhow!("every refresh chain at {url} ended"))?;
        let before = probe.command_calls()?;
        for _ in 0..sizes.round_trip_requests {
            token = refresh(&context.http, &url, &token).await?.refresh_token;
        }
        let commands = calls_between(&before, &probe.command_calls()?);
        rows.push(TokenEndpointRow {
            mount: mount.slug.as_str().to_owned(),
            rps: totals.median_rps(),
            rps_rounds: totals.round_rps.clone(),
            errors: totals.errors,
            p50_us: totals.latency.value_at_quantile(0.5),
            p99_us: totals.latency.value_at_quantile(0.99),
            cpu_server_us_per_request: totals.server_cpu * 1e6 / totals.ok as f64,
            cpu_redis_us_per_request: totals.redis_cpu * 1e6 / totals.ok as f64,
            commands,
            refreshes_counted: sizes.round_trip_requests,
        });
    }
    Ok(rows)
}
