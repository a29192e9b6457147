//! Maximum rate, latency at a fixed rate, CPU per request, Redis round trips, verify cost.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let redis = &page.redis;
    let client = &page.client;
    if let Some(t) = &results.throughput {
        writeln!(out, "## Throughput and latency\n")?;
        writeln!(
            out,
            "`GET /{{b}}/api/me`, one logged-in user per mount. Closed loop: {} connections for {:.1} s per \
             mount (after a warm-up), each sending its next request when the last one answered: the maximum \
             rate. CPU per request is the utime + stime of the server process and of the redis-server \
             process over that run (`/proc/<pid>/stat`), divided by the requests answered. Open loop: \
             {:.0} requests/s offered to every mount (a quarter of the slowest mount's maximum) for {:.1} s, each \
             latency measured from the moment the request was due, so a stall counts against every request \
             that should have been sent during it (no coordinated omission); HdrHistogram, µs. The \
             generator's own send lag (how late it sent a request after it was due) is shown too: where \
             it is large, the generator, not the server, fell behind.\n",
            t.connections, t.closed_loop_secs, t.offered_rate, t.open_loop_secs
        )?;
        writeln!(
            out,
            "**The load generator runs on the same {} cores as the server and Redis**: it takes CPU from \
             them, so the absolute rates are lower than a separate client machine would see. The ratios \
             between mounts, measured the same way, are what the targets use. The machine may also be \
             shared with other work: of the machine's busy CPU time during the closed loop \
             (`/proc/stat`), {:.0} % went to processes other than the server, Redis and the load \
             generator, {:.0} % to interrupt work charged to no process (mostly this benchmark's own \
             loopback networking), and {:.0} % was stolen by the hypervisor; the load average is in the \
             machine section. To keep such noise from landing on one mount, the \
             time of each loop is split into {} rounds with the mounts interleaved (the order rotating); \
             the maximum rate is the median of the rounds.\n",
            results.machine.cores,
            t.other_processes_cpu_share * 100.0,
            t.interrupt_cpu_share * 100.0,
            t.steal_cpu_share * 100.0,
            t.rounds
        )?;
        writeln!(
            out,
            "| mount | max req/s (median) | req/s per round | closed-loop p50 µs | open-loop p50 µs | p99 µs | p99.9 µs | max µs | generator send lag p99 µs | errors (closed / open) | server CPU µs/req | Redis CPU µs/req |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        )?;
        for r in &t.rows {
            let rounds: Vec<String> = r.rps_rounds.iter().map(|v| format!("{v:.0}")).collect();
            writeln!(
                out,
                "| /{} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {:.1} | {:.1} |",
                r.mount,
                r.rps,
                rounds.join(", "),
                r.closed_p50_us,
                r.p50_us,
                r.p99_us,
                r.p999_us,
                r.max_us,
                r.p99_send_lag_us,
                r.closed_errors,
                r.open_errors,
                r.cpu_server_us_per_request,
                r.cpu_redis_us_per_request
            )?;
        }
        writeln!(out, "\n![Maximum throughput per mount](throughput.svg)\n")?;
        writeln!(
            out,
            "![Latency percentiles at a fixed offered rate](latency.svg)\n"
        )?;
        let list = |calls: &std::collections::BTreeMap<String, u64>| {
            if calls.is_empty() {
                "none".to_owned()
            } else {
                calls
                    .iter()
                    .map(|(c, n)| format!("`{c}` × {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        writeln!(
            out,
            "Redis round trips: {} unchanged requests, sent one after another, made Redis run {} for \
             {redis} and {} for {client} (`INFO commandstats` before and after).\n",
            t.round_trip_requests,
            list(&t.session_commands),
            list(&t.jwt_commands)
        )?;
        writeln!(
            out,
            "HS256 verification, keys built once, timed in the bench process over {} tokens (10 rounds \
             alternating them, the fastest round kept): {:.0} ns per token for the bare `jsonwebtoken::decode`, {:.0} ns for the server's `TokenCodec::verify` \
             with its stricter checks, {:.0} ns to sign the same claims. The criterion micro-benchmarks \
             (`cargo bench -p authlab-benches`) break this down per algorithm (HS256, EdDSA, ES256, RS256).\n",
            t.verify_iterations, t.hs256_bare_verify_ns, t.hs256_verify_ns, t.hs256_sign_ns
        )?;
    }
    Ok(())
}
