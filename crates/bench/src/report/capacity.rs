//! How many instances and Redis shards a stated load needs, computed from the CPU per request
//! measured behind the balancer. Computed, not measured: this machine has two cores, so no run
//! here can show more instances adding throughput.

use std::fmt::Write as _;

use super::at_scale::{REQUESTS_PER_SECOND, USERS};
use super::Page;
use crate::results::Results;

/// An instance or a Redis shard is planned at this share of one core, leaving room for bursts.
const TARGET_UTILISATION: f64 = 0.7;
/// Memory a Redis shard is planned to hold (a stated assumption, like the load).
const SHARD_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let Some(s) = &results.scale_out else {
        return Ok(());
    };
    let single: Vec<_> = s.by_instances.iter().filter(|r| r.instances == 1).collect();
    if single.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Capacity (computed, not measured)\n")?;
    writeln!(
        out,
        "For {USERS:.0} logged-in users and {REQUESTS_PER_SECOND:.0} requests/s of \
         `GET /{{b}}/api/me`: the CPU per request measured above with one instance behind the \
         balancer (server and Redis, µs), multiplied out, with every instance and every Redis \
         shard (Redis runs commands on one thread) planned at {:.0} % of one core, and a shard \
         holding at most {:.0} GiB. **Computed, not measured**: it assumes the cost per request \
         stays as measured here, and that instances scale out, which two cores cannot show.\n",
        TARGET_UTILISATION * 100.0,
        SHARD_BYTES / (1024.0 * 1024.0 * 1024.0)
    )?;
    writeln!(
        out,
        "| mount | server CPU/request | Redis CPU/request | instances (1 core each) | Redis shards for the rate | Redis shards for the users |\n|---|---|---|---|---|---|"
    )?;
    for m in &page.login {
        let Some(row) = single.iter().find(|r| r.mount == m.slug.as_str()) else {
            continue;
        };
        let cores = |us: f64| REQUESTS_PER_SECOND * us / 1e6;
        let instances = (cores(row.cpu_server_us_per_request) / TARGET_UTILISATION)
            .ceil()
            .max(1.0);
        let uses_redis =
            row.cpu_redis_us_per_request > 0.0 && m.home == authlab_core::StateHome::Redis;
        let shards_for_rate = if uses_redis {
            format!(
                "{:.0}",
                (cores(row.cpu_redis_us_per_request) / TARGET_UTILISATION)
                    .ceil()
                    .max(1.0)
            )
        } else {
            "0 (no Redis per request)".to_owned()
        };
        let bytes = results
            .mounts
            .get(m.slug.as_str())
            .and_then(|f| f.server_bytes_per_user);
        let shards_for_users = match (m.home, bytes) {
            (authlab_core::StateHome::Redis, Some(bytes)) => {
                format!("{:.0}", (USERS * bytes / SHARD_BYTES).ceil().max(1.0))
            }
            (authlab_core::StateHome::Redis, None) => {
                "— (memory not measured in this run)".to_owned()
            }
            _ => "0".to_owned(),
        };
        writeln!(
            out,
            "| {} | {:.0} µs | {:.0} µs | {instances:.0} | {shards_for_rate} | {shards_for_users} |",
            m.slug.prefix(),
            row.cpu_server_us_per_request,
            row.cpu_redis_us_per_request,
        )?;
    }
    writeln!(
        out,
        "\nThe mount whose logins live in one process cannot use more than one instance without \
         sticky sessions, whatever the table says: with N instances it finds a login on 1/N of \
         the requests (measured above).\n"
    )
}
