//! The summary table: one row per promise, one column per mount.

use std::fmt::Write as _;

use super::format::{float, header, opt, share};
use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let measured = &page.measured;
    writeln!(out, "## Summary per mount\n")?;
    writeln!(out, "{}", header("", measured))?;
    let row = |out: &mut String, label: &str, cell: &dyn Fn(&str) -> String| {
        let cells: Vec<String> = measured.iter().map(|m| cell(m.slug.as_str())).collect();
        writeln!(out, "| {label} | {} |", cells.join(" | "))
    };
    let f = |m: &str| results.mounts.get(m).cloned().unwrap_or_default();
    row(out, "still logged in after app restart (`kill -9`)", &|m| {
        share(f(m).app_restart_survival)
    })?;
    row(out, "… after Redis restart, no persistence", &|m| {
        share(f(m).redis_restart_survival)
    })?;
    row(out, "… after Redis restart, AOF everysec", &|m| {
        share(f(m).redis_aof_restart_survival)
    })?;
    row(
        out,
        "… after an emergency JWT key revocation (app running)",
        &|m| share(f(m).jwt_key_rotation_survival),
    )?;
    row(out, "… after JWT key rotated with overlap", &|m| {
        share(f(m).jwt_key_overlap_survival)
    })?;
    row(out, "server bytes per logged-in user", &|m| {
        float(f(m).server_bytes_per_user, 0)
    })?;
    row(out, "credential bytes per request", &|m| {
        opt(f(m).wire_bytes_per_request)
    })?;
    row(out, "max throughput (req/s)", &|m| float(f(m).rps, 0))?;
    row(out, "p50 latency (µs), open loop", &|m| opt(f(m).p50_us))?;
    row(out, "p99 latency (µs), open loop", &|m| opt(f(m).p99_us))?;
    row(out, "p99.9 latency (µs), open loop", &|m| opt(f(m).p999_us))?;
    row(out, "CPU µs per request (server + Redis)", &|m| {
        float(f(m).cpu_us_per_request, 1)
    })?;
    row(out, "Redis commands per request", &|m| {
        float(f(m).redis_commands_per_request, 3)
    })?;
    row(
        out,
        "success with two instances behind a round robin",
        &|m| share(f(m).scale_out_success),
    )?;
    row(out, "errors while Redis is down", &|m| {
        share(f(m).fault_error_rate_while_down)
    })?;
    let lifetimes = results
        .restart
        .as_ref()
        .and_then(|restart| restart.logout_lifetimes.clone())
        .unwrap_or_else(|| "not measured".to_owned());
    row(
        out,
        &format!("a logged-out credential keeps working for at most … s ({lifetimes})"),
        &|m| float(f(m).logged_out_works_for_secs, 1),
    )?;
    writeln!(
        out,
        "\n— : not applicable to that mount, or the scenario was not run.\n"
    )?;
    Ok(())
}
