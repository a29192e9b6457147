//! **throughput**: `GET /{b}/api/me` on each mount against `GET /baseline/api/me`.
//!
//! 1. Closed loop, `k` connections, for a fixed time per mount: the maximum rate, and the CPU
//!    time the server and the Redis process used over it (from `/proc/<pid>/stat`), per request.
//! 2. Open loop at one offered rate for every mount (half the slowest mount's maximum), latency
//!    from each request's due time: p50 / p99 / p99.9 without coordinated omission.
//! 3. Redis commands per unchanged `/session` request: `INFO commandstats` before and after M
//!    sequential requests (and the same for `/jwt`, which should cost none).
//! 4. HS256 verification as the server does it, timed in-process over many tokens.

use std::{collections::BTreeMap, time::Instant};

use authlab_core::{Identity, Role, Secret};
use authlab_jwt::{JwtSettings, TokenCodec};
use authlab_testkit::RedisOptions;

use super::{start_redis, Context};
use crate::{
    client::{login, me, Mount},
    load::{self, Target},
    procstat::CpuMeter,
    progress,
    redis_probe::{calls_between, RedisProbe},
    results::{ThroughputResults, ThroughputRow},
    server::AppProcess,
    Results,
};

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let sizes = &context.sizes;
    let redis = start_redis(RedisOptions::default(), results)?;
    let mut probe = RedisProbe::connect(&redis.url())?;
    let redis_pid = probe.pid()?;
    let app = AppProcess::start(
        &context.config.binary,
        &context.data_dir("throughput"),
        &redis.url(),
        &[],
    )
    .await?;
    let base = app.base_url();
    let app_pid = app
        .pid()
        .ok_or_else(|| anyhow::anyhow!("the server has no pid"))?;

    let mut targets = Vec::new();
    for mount in Mount::ALL {
        let credential = match mount {
            Mount::Baseline => None,
            _ => Some(login(&context.http, &base, mount, 1).await?),
        };
        targets.push((
            mount,
            Target {
                url: format!("{base}/{}/api/me", mount.slug()),
                credential,
            },
        ));
    }

    // 1. Closed loop.
    let mut closed = Vec::new();
    for (mount, target) in &targets {
        // Warm up: connections open, caches filled.
        load::closed_loop(
            &context.http,
            target,
            sizes.connections,
            sizes.closed_loop / 5,
        )
        .await;
        let bar = progress::timed(sizes.closed_loop, format!("closed loop {mount}"));
        bar.tick();
        let meter = CpuMeter::start(&[app_pid, redis_pid])?;
        let run =
            load::closed_loop(&context.http, target, sizes.connections, sizes.closed_loop).await;
        let cpu = meter.seconds()?;
        bar.finish_and_clear();
        anyhow::ensure!(run.ok > 0, "no request to {mount} succeeded");
        let per_request = |seconds: f64| seconds * 1e6 / run.ok as f64;
        progress::say(format!(
            "  {mount}: {:.0} rps, {} errors",
            run.rps(),
            run.errors
        ));
        closed.push((
            *mount,
            run.rps(),
            run.errors,
            run.latency.value_at_quantile(0.5),
            per_request(cpu.first().copied().unwrap_or_default()),
            per_request(cpu.get(1).copied().unwrap_or_default()),
        ));
    }

    // 2. Open loop at one rate for all.
    let slowest = closed.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    let offered_rate = (slowest * 0.5).floor().max(1.0);
    let mut rows = Vec::new();
    for ((mount, target), (_, rps, closed_errors, closed_p50, cpu_server, cpu_redis)) in
        targets.iter().zip(&closed)
    {
        let bar = progress::timed(sizes.open_loop, format!("open loop {mount}"));
        let samples = load::open_loop(
            &context.http,
            std::slice::from_ref(target),
            offered_rate,
            sizes.open_loop,
            Some(bar),
        )
        .await;
        let (histogram, errors) = load::summarize(&samples, 0);
        rows.push(ThroughputRow {
            mount: mount.slug().to_owned(),
            rps: *rps,
            closed_errors: *closed_errors,
            closed_p50_us: *closed_p50,
            open_requests: samples.len() as u64,
            open_errors: errors,
            p50_us: histogram.value_at_quantile(0.5),
            p99_us: histogram.value_at_quantile(0.99),
            p999_us: histogram.value_at_quantile(0.999),
            max_us: histogram.max(),
            cpu_server_us_per_request: *cpu_server,
            cpu_redis_us_per_request: *cpu_redis,
        });
    }

    // 3. Redis commands per unchanged request.
    let count_commands = |mount: Mount, probe: &mut RedisProbe| {
        let credential = targets
            .iter()
            .find(|(m, _)| *m == mount)
            .and_then(|(_, t)| t.credential.clone());
        let (http, base) = (context.http.clone(), base.clone());
        let before = probe.command_calls();
        async move {
            let before = before?;
            for _ in 0..sizes.round_trip_requests {
                let status = me(&http, &base, mount, credential.as_ref()).await?;
                anyhow::ensure!(status.is_success(), "{mount} answered {status}");
            }
            Ok::<_, anyhow::Error>(before)
        }
    };
    let before = count_commands(Mount::Session, &mut probe).await?;
    let session_commands = calls_between(&before, &probe.command_calls()?);
    let before = count_commands(Mount::Jwt, &mut probe).await?;
    let jwt_commands = calls_between(&before, &probe.command_calls()?);
    let per_request = |calls: &BTreeMap<String, u64>| {
        calls.values().sum::<u64>() as f64 / sizes.round_trip_requests as f64
    };

    // 4. HS256 verify as the server does it (keys built once, strict validation), and the bare
    // jsonwebtoken call on the same token, which is what the crate's published figure measures.
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
    let (token, _) = codec.issue(&identity)?;
    let started = Instant::now();
    for _ in 0..sizes.verify_iterations {
        let claims = codec
            .verify(std::hint::black_box(&token))
            .map_err(|r| anyhow::anyhow!("a fresh token was refused: {}", r.code()))?;
        std::hint::black_box(claims);
    }
    let hs256_verify_ns =
        started.elapsed().as_nanos() as f64 / sizes.verify_iterations.max(1) as f64;
    let key = jsonwebtoken::DecodingKey::from_secret(&secret);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["authlab-demo"]);
    let started = Instant::now();
    for _ in 0..sizes.verify_iterations {
        let data = jsonwebtoken::decode::<authlab_jwt::Claims>(
            std::hint::black_box(&token),
            &key,
            &validation,
        )?;
        std::hint::black_box(data);
    }
    let hs256_bare_verify_ns =
        started.elapsed().as_nanos() as f64 / sizes.verify_iterations.max(1) as f64;

    for row in &rows {
        let figures = results.mount(&row.mount);
        figures.rps = Some(row.rps);
        figures.p50_us = Some(row.p50_us);
        figures.p99_us = Some(row.p99_us);
        figures.p999_us = Some(row.p999_us);
        figures.cpu_us_per_request =
            Some(row.cpu_server_us_per_request + row.cpu_redis_us_per_request);
    }
    results.mount("session").redis_commands_per_request = Some(per_request(&session_commands));
    results.mount("jwt").redis_commands_per_request = Some(per_request(&jwt_commands));
    results.throughput = Some(ThroughputResults {
        connections: sizes.connections,
        closed_loop_secs: sizes.closed_loop.as_secs_f64(),
        open_loop_secs: sizes.open_loop.as_secs_f64(),
        offered_rate,
        rows,
        round_trip_requests: sizes.round_trip_requests,
        session_commands,
        jwt_commands,
        hs256_verify_ns,
        hs256_bare_verify_ns,
        verify_iterations: sizes.verify_iterations,
    });
    Ok(())
}
