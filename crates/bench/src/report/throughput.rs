//! Maximum rate, latency at a fixed rate, CPU per request, Redis round trips, verify cost.

use std::fmt::Write as _;

use super::Page;
use crate::results::{spread, Results, ThroughputRow, Variant};

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
        match &t.pinning {
            Some(pinning) => writeln!(
                out,
                "**Pinned** (`taskset -a -p`): {pinning}. The server's core runs only the server, \
                 so its CPU per request is its own; the last two columns say which side was the limit \
                 (a server kept near 100 % busy beside a generator that was not means the server was). \
                 The rest of the machine may be shared with other work: of its busy CPU time during the \
                 closed loop (`/proc/stat`), {:.0} % went to processes other than the servers, Redis and \
                 the load generator, {:.0} % to interrupt work charged to no process (mostly this \
                 benchmark's own loopback networking), and {:.0} % was stolen by the hypervisor. Each \
                 loop is split into {} rounds with the mounts interleaved (the order rotating): a rate is \
                 the median of the rounds and every figure shows its range over the rounds (min–max).\n",
                t.other_processes_cpu_share * 100.0,
                t.interrupt_cpu_share * 100.0,
                t.steal_cpu_share * 100.0,
                t.rounds
            )?,
            None => writeln!(
                out,
                "**Not pinned**: this machine has fewer than two cores, so the load generator, Redis and \
                 the server shared them and every figure includes the generator's own cost. {} rounds, \
                 mounts interleaved; ranges are min–max over the rounds.\n",
                t.rounds
            )?,
        }
        writeln!(
            out,
            "| mount | max req/s, median (min–max) | open-loop p50 µs (min–max) | p99 µs (min–max) | p99.9 µs | max µs | closed-loop p50 µs | generator send lag p99 µs | errors (closed / open) | server CPU µs/req (min–max) | above baseline | Redis CPU µs/req | server cores busy | generator + Redis cores busy |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        )?;
        let base_cpu = page
            .measured
            .first()
            .filter(|m| !m.login)
            .and_then(|m| {
                t.rows
                    .iter()
                    .find(|r| r.variant.is_none() && r.mount == m.slug.as_str())
            })
            .map(|r| r.cpu_server_us_per_request);
        for r in &t.rows {
            let range_f = |v: &[f64], digits: usize| {
                spread(v).map_or("—".to_owned(), |(lo, hi)| {
                    format!("{lo:.digits$}–{hi:.digits$}")
                })
            };
            let range_u =
                |v: &[u64]| spread(v).map_or("—".to_owned(), |(lo, hi)| format!("{lo}–{hi}"));
            let above = base_cpu.map_or("—".to_owned(), |b| {
                format!("{:+.1}", r.cpu_server_us_per_request - b)
            });
            writeln!(
                out,
                "| {} | {:.0} ({}) | {} ({}) | {} ({}) | {} | {} | {} | {} | {} / {} | {:.1} ({}) | {} | {:.1} | {:.0} % | {:.0} % |",
                r.label(),
                r.rps,
                range_f(&r.rps_rounds, 0),
                r.p50_us,
                range_u(&r.p50_us_rounds),
                r.p99_us,
                range_u(&r.p99_us_rounds),
                r.p999_us,
                r.max_us,
                r.closed_p50_us,
                r.p99_send_lag_us,
                r.closed_errors,
                r.open_errors,
                r.cpu_server_us_per_request,
                range_f(&r.cpu_server_us_rounds, 1),
                above,
                r.cpu_redis_us_per_request,
                r.server_cores_busy * 100.0,
                r.generator_cores_busy * 100.0,
            )?;
        }
        if let Some(b) = base_cpu {
            writeln!(
                out,
                "\nThe baseline's {b:.1} µs is what every route pays before any authentication: actix-web's \
                 HTTP parsing and response, the kernel's loopback socket work charged to the server, and \
                 this project's middleware (host allowlist, cookie-header repair, body deadline, \
                 `Server-Timing`); `docs/architecture.md` (\"CPU budget per request\") splits it with a \
                 profile. \"Above baseline\" is the cost of the mechanism itself.\n"
            )?;
        }
        let variant = |v: Variant| t.rows.iter().find(|r| r.is(v));
        if let Some(denied) = variant(Variant::Denylist) {
            if let Some(plain) = t
                .rows
                .iter()
                .find(|r| r.variant.is_none() && r.mount == denied.mount)
            {
                writeln!(
                    out,
                    "The price of revocation on /{0}: with the denylist on (`AUTHLAB_JWT_DENYLIST`, \
                     its own server process in the same rounds), every request also asks Redis whether \
                     its token was revoked: {1:.0} against {2:.0} req/s ({3:.2}×), {4:.1} against {5:.1} µs \
                     of server CPU and {6:.1} µs of Redis CPU per request.\n",
                    denied.mount,
                    denied.rps,
                    plain.rps,
                    denied.rps / plain.rps.max(f64::MIN_POSITIVE),
                    denied.cpu_server_us_per_request,
                    plain.cpu_server_us_per_request,
                    denied.cpu_redis_us_per_request
                )?;
            }
        }
        let plain = |of: &ThroughputRow| {
            t.rows
                .iter()
                .find(|r| r.variant.is_none() && r.mount == of.mount)
        };
        if let Some(eddsa) = variant(Variant::EdDsa) {
            if let Some(hs256) = plain(eddsa) {
                writeln!(
                    out,
                    "EdDSA beside HS256 on /{0} (`AUTHLAB_JWT_ALG=EdDSA`, its own server process in the \
                     same rounds): {1:.0} against {2:.0} req/s, {3:.1} against {4:.1} µs of server CPU \
                     per request. An Ed25519 signature check costs more than an HMAC; what it buys is \
                     that the verifying key can be published.\n",
                    eddsa.mount,
                    eddsa.rps,
                    hs256.rps,
                    eddsa.cpu_server_us_per_request,
                    hs256.cpu_server_us_per_request
                )?;
            }
        }
        if let (Some(local), Some(asked)) = (
            variant(Variant::SecondServiceLocal),
            variant(Variant::SecondServiceIntrospection),
        ) {
            writeln!(
                out,
                "The second service (`authlab resource`, `GET /api/me`), on the server's core beside \
                 its issuer: with an EdDSA JWT it checks the signature itself with the cached JWKS, \
                 {0:.0} req/s, p50 {1} µs, {2:.1} µs of CPU per request; with a token it must \
                 introspect (an HS256 JWT), each request waits for one `POST /introspect` to the \
                 issuer: {3:.0} req/s, p50 {4} µs, {5:.1} µs of CPU per request, the issuer's included. \
                 The local check keeps working when the issuer is down and cannot see a logout before \
                 `exp`; introspection sees a logout at the next request, at that price.\n",
                local.rps,
                local.p50_us,
                local.cpu_server_us_per_request,
                asked.rps,
                asked.p50_us,
                asked.cpu_server_us_per_request
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
             alternating them, the fastest round kept; when pinned, on the server's core, idle by then): {:.0} ns per token for the bare `jsonwebtoken::decode`, {:.0} ns for the server's `TokenCodec::verify` \
             with its stricter checks, {:.0} ns to sign the same claims. The criterion micro-benchmarks \
             (`cargo bench -p authlab-benches`) break this down per algorithm (HS256, EdDSA, ES256, RS256).\n",
            t.verify_iterations, t.hs256_bare_verify_ns, t.hs256_verify_ns, t.hs256_sign_ns
        )?;
        if let Some(eddsa) = t.eddsa_verify_ns {
            writeln!(
                out,
                "The server's EdDSA verification (`TokenCodec::verify` under `AUTHLAB_JWT_ALG=EdDSA`), \
                 timed the same way: {eddsa:.0} ns per token.\n"
            )?;
        }
        token_endpoint(out, t, base_cpu)?;
    }
    Ok(())
}

/// The token endpoint's own table: what a refresh costs beside what a request costs.
fn token_endpoint(
    out: &mut String,
    t: &crate::results::ThroughputResults,
    base_cpu: Option<f64>,
) -> std::fmt::Result {
    if t.token_endpoint.is_empty() {
        return Ok(());
    }
    writeln!(out, "### The token endpoint: what a refresh costs\n")?;
    writeln!(
        out,
        "`POST /{{b}}/api/token` with `grant_type=refresh_token` (RFC 6749 §6), in a closed loop of \
         {} chains: each connection spends its refresh token and sends the one it gets back next, \
         as a client renewing its login does (sending a spent one again would be reuse). Same \
         server, pinning and rounds as the table above, measured after it. Each refresh checks and \
         spends the old token (one Lua script), reads its login's family, stores the new token's \
         SHA-256 and signs a new access token. A client refreshes once per access lifetime, so this \
         cost is paid once per `AUTHLAB_ACCESS_TTL` per user, not per request.\n",
        t.connections
    )?;
    writeln!(
        out,
        "| mount | refreshes/s, median (min–max) | p50 µs | p99 µs | errors | server CPU µs/refresh | above baseline | Redis CPU µs/refresh | Redis commands per refresh |\n|---|---|---|---|---|---|---|---|---|"
    )?;
    for r in &t.token_endpoint {
        let range =
            spread(&r.rps_rounds).map_or("—".to_owned(), |(lo, hi)| format!("{lo:.0}–{hi:.0}"));
        let above = base_cpu.map_or("—".to_owned(), |b| {
            format!("{:+.1}", r.cpu_server_us_per_request - b)
        });
        let per = r.refreshes_counted.max(1) as f64;
        let commands = r
            .commands
            .iter()
            .map(|(c, n)| format!("`{c}` × {:.2}", *n as f64 / per))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "| /{} | {:.0} ({range}) | {} | {} | {} | {:.1} | {above} | {:.1} | {} |",
            r.mount,
            r.rps,
            r.p50_us,
            r.p99_us,
            r.errors,
            r.cpu_server_us_per_request,
            r.cpu_redis_us_per_request,
            if commands.is_empty() {
                "none".to_owned()
            } else {
                commands
            }
        )?;
    }
    writeln!(
        out,
        "\n`INFO commandstats` counts the commands a script runs as well as the script: the `get` \
         and `set` inside the spending script are counted beside its `eval`, so a refresh is \
         three round trips (the script on the token's key, a `GET` of the family, a `SET` of the \
         new token). They cannot be one script: the token's key is not in its user's hash slot \
         (an opaque token does not name its user), and a Redis Cluster script may touch one slot \
         only.\n"
    )?;
    Ok(())
}
