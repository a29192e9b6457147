//! **fault**: Redis stopped in the middle of a steady load.
//!
//! One user per mount sends requests at a fixed rate (open loop) through three phases: Redis up,
//! Redis killed (SIGKILL), Redis started again. Per mount and phase: the error rate and latency.
//! The Redis here keeps an append-only file, so the sessions are still there when it comes back
//! and recovery can be measured as the first 200 from the mount whose logins live in Redis
//! (`/session`) after Redis answers again. A mount whose login hands out a refresh token is
//! also asked to refresh halfway through the outage, and again with the same token once Redis is
//! back: its requests need no Redis, its refreshes do.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use authlab_core::StateHome;
use authlab_procs::RedisOptions;

use super::{start_redis, Context};
use crate::{
    client::{log_in, login, post_refresh},
    load::{self, Sample, Target},
    progress,
    results::{FaultCell, FaultPhase, FaultRefresh, FaultResults},
    server, Results,
};

/// A phase's figures for one mount. `ends` is when the phase ended: an error whose request was due
/// inside the phase but answered after it was in flight across the change (a request sent while
/// Redis was up, answered 503 once it was killed).
fn cell(samples: &[&Sample], ends: Duration) -> FaultCell {
    let mut histogram = load::new_histogram();
    let mut errors = 0u64;
    let mut errors_across = 0u64;
    for s in samples {
        let _ = histogram.record(
            u64::try_from(s.latency.as_micros())
                .unwrap_or(u64::MAX)
                .max(1),
        );
        if s.status != Some(200) {
            errors += 1;
            if s.due + s.latency >= ends {
                errors_across += 1;
            }
        }
    }
    FaultCell {
        requests: samples.len() as u64,
        error_rate: errors as f64 / samples.len().max(1) as f64,
        p50_us: histogram.value_at_quantile(0.5),
        p99_us: histogram.value_at_quantile(0.99),
        errors: Some(errors),
        errors_answered_after_the_phase: Some(errors_across),
    }
}

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let sizes = &context.sizes;
    let mut redis = start_redis(RedisOptions { append_only: true }, results)?;
    let app = server::start(
        &context.config.binary,
        &context.data_dir("fault"),
        &redis.url(),
        &[],
    )
    .await?;
    let base = app.base_url();
    let mounts: Vec<_> = context.config.mounts.measured().collect();
    // The one whose recovery is timed: a Redis outage is its outage.
    let session = mounts
        .iter()
        .position(|m| m.home == StateHome::Redis)
        .ok_or_else(|| anyhow::anyhow!("no mount keeps its logins in Redis"))?;
    let mut targets = Vec::new();
    for mount in &mounts {
        let credential = if mount.login {
            Some(login(&context.http, &base, mount, 1).await?)
        } else {
            None
        };
        targets.push(Target {
            url: format!("{base}{}", mount.slug.path("api/me")),
            credential,
        });
    }
    // Beside the load, one login per token endpoint, refreshed only in and after the outage.
    let mut refreshers = Vec::new();
    for mount in mounts.iter().filter(|m| m.login) {
        if let Some(token) = log_in(&context.http, &base, mount, 0).await?.refresh_token {
            let url = format!("{base}{}", mount.slug.path("api/token"));
            refreshers.push((mount.slug.as_str().to_owned(), url, token));
        }
    }
    // The AOF is flushed every second: let the logins reach the disk before the crash.
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    let phase = sizes.fault_phase;
    let total = phase * 3;
    let bar = progress::timed(total, "fault: Redis up, down, up");
    let load = {
        let (http, targets) = (context.http.clone(), targets.clone());
        let rate = sizes.fault_rate_per_mount;
        tokio::spawn(async move { load::open_loop(&http, &targets, rate, total, Some(bar)).await })
    };
    let started = Instant::now();
    tokio::time::sleep(phase).await;
    let stopped_at = started.elapsed();
    redis.stop();
    tokio::time::sleep(phase / 2).await;
    let mut refreshes = Vec::new();
    for (mount, url, token) in &refreshers {
        let asked = Instant::now();
        let answer = post_refresh(&context.http, url, token).await;
        refreshes.push(FaultRefresh {
            mount: mount.clone(),
            while_down: answer.ok().map(|r| r.status().as_u16()),
            while_down_ms: asked.elapsed().as_secs_f64() * 1e3,
            after: None,
        });
    }
    tokio::time::sleep(phase.saturating_sub(started.elapsed() - stopped_at)).await;
    let restart_began = started.elapsed();
    tokio::task::block_in_place(|| redis.start_again())?;
    // `start_again` returns once Redis answers PING.
    let back_at = started.elapsed();
    let samples = load.await?;
    // Redis has been back for a whole phase: the token the outage could not spend is still good.
    for ((_, url, token), refresh) in refreshers.iter().zip(&mut refreshes) {
        let answer = post_refresh(&context.http, url, token).await;
        refresh.after = answer.ok().map(|r| r.status().as_u16());
    }
    progress::say(format!(
        "  Redis down from {stopped_at:?} to {back_at:?} (restart took {:?})",
        back_at - restart_began
    ));

    let in_phase = |target: usize, from: Duration, to: Duration| -> Vec<&Sample> {
        samples
            .iter()
            .filter(|s| s.target == target && s.due >= from && s.due < to)
            .collect()
    };
    let names = [
        ("before", Duration::ZERO, stopped_at),
        ("Redis down", stopped_at, back_at),
        ("after", back_at, total),
    ];
    let mut phases = Vec::new();
    for (name, from, to) in names {
        let mut per_mount = BTreeMap::new();
        for (i, mount) in mounts.iter().enumerate() {
            per_mount.insert(
                mount.slug.as_str().to_owned(),
                cell(&in_phase(i, from, to), to),
            );
        }
        phases.push(FaultPhase {
            name: name.to_owned(),
            per_mount,
        });
    }
    let session_recovery_ms = samples
        .iter()
        .filter(|s| s.target == session && s.due >= back_at && s.status == Some(200))
        .map(|s| (s.due + s.latency).saturating_sub(back_at))
        .min()
        .map(|d| d.as_secs_f64() * 1e3);
    let mut session_statuses_while_down = BTreeMap::new();
    for s in in_phase(session, stopped_at, back_at) {
        let status = s.status.map_or("no answer".to_owned(), |c| c.to_string());
        *session_statuses_while_down.entry(status).or_insert(0) += 1;
    }
    if let Some(down) = phases.get(1) {
        for (mount, cell) in &down.per_mount {
            let figures = results.mount(mount);
            figures.fault_error_rate_while_down = Some(cell.error_rate);
            figures.fault_p99_us_while_down = Some(cell.p99_us);
        }
    }
    results.fault = Some(FaultResults {
        rate_per_mount: sizes.fault_rate_per_mount,
        phase_secs: phase.as_secs_f64(),
        phases,
        session_recovery_ms,
        session_statuses_while_down,
        refreshes,
    });
    Ok(())
}
