//! Redis stopped mid-run.

use std::fmt::Write as _;

use super::format::and_list;
use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let measured = &page.measured;
    let redis = &page.redis;
    let without_redis = &page.without_redis;
    if let Some(fault) = &results.fault {
        writeln!(out, "## Fault: Redis stopped mid-run\n")?;
        writeln!(
            out,
            "Each mount received {:.0} requests/s (open loop) for three phases of about {:.1} s: Redis up, \
             Redis killed (SIGKILL), Redis started again (with its append-only file, so the sessions are \
             still there). Latency from each request's due time.\n",
            fault.rate_per_mount, fault.phase_secs
        )?;
        writeln!(
            out,
            "| phase | mount | requests | errors | p50 µs | p99 µs |\n|---|---|---|---|---|---|"
        )?;
        for phase in &fault.phases {
            for mount in measured.iter().map(|m| m.slug.as_str()) {
                if let Some(c) = phase.per_mount.get(mount) {
                    writeln!(
                        out,
                        "| {} | /{mount} | {} | {:.1} % | {} | {} |",
                        phase.name,
                        c.requests,
                        c.error_rate * 100.0,
                        c.p50_us,
                        c.p99_us
                    )?;
                }
            }
        }
        // An error in a phase where everything was up needs its reason said, or it reads as a bug.
        if let Some(before) = fault.phases.first() {
            for (mount, c) in &before.per_mount {
                let (Some(errors), Some(across)) = (c.errors, c.errors_answered_after_the_phase)
                else {
                    continue;
                };
                if errors == 0 {
                    continue;
                }
                writeln!(
                    out,
                    "\nThe {errors} error{} counted for /{mount} in \"{}\": {across} of them {} due \
                     before Redis was killed and answered after it (in flight at the kill){}.",
                    if errors == 1 { "" } else { "s" },
                    before.name,
                    if across == 1 { "was" } else { "were" },
                    if across == errors {
                        String::new()
                    } else {
                        format!("; the other {} were answered within the phase", errors - across)
                    }
                )?;
            }
        }
        let statuses: Vec<String> = fault
            .session_statuses_while_down
            .iter()
            .map(|(s, n)| format!("{s} × {n}"))
            .collect();
        writeln!(
            out,
            "\nWhile Redis was down, {redis} answered: {}. Time from Redis answering again to the first \
             200 from {redis}: {}.\n",
            if statuses.is_empty() { "nothing".to_owned() } else { statuses.join(", ") },
            fault
                .session_recovery_ms
                .map_or("no 200 seen".to_owned(), |ms| format!("{ms:.1} ms"))
        )?;
        writeln!(
            out,
            "How the server behaves, to read the figures by: a {redis} request waits at most the \
             server's Redis timeout (`AUTHLAB_REDIS_TIMEOUT_MS`) and is then answered 503. The \
             requests in flight when Redis died wait that long (the tail of the \"Redis down\" \
             row); the server then drops the broken connection, and later requests find the port \
             refused and are answered 503 at once (its median). {} never touch{} Redis.\n",
            and_list(without_redis),
            if without_redis.len() == 1 { "es" } else { "" }
        )?;
        for r in &fault.refreshes {
            let status = |s: Option<u16>| s.map_or("no answer".to_owned(), |s| s.to_string());
            writeln!(
                out,
                "/{} needs Redis only to refresh: halfway through the outage its token endpoint \
                 answered {} in {:.1} ms, while its requests with a valid access token were \
                 served (the rows above); the same refresh token, once Redis was back, was \
                 answered {}.\n",
                r.mount,
                status(r.while_down),
                r.while_down_ms,
                status(r.after)
            )?;
        }
        writeln!(out, "![Error rate per phase](fault.svg)\n")?;
    }
    Ok(())
}
