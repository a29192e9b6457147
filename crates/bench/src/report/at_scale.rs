//! Costs at scale: this run's per-user and per-request figures multiplied out to a stated size.
//!
//! The sizes (a million logged-in users, ten thousand requests a second) are the question, stated
//! here once; every figure they multiply is measured. The products are marked as computed: they
//! assume the per-unit cost stays as measured, which Redis's hash tables (stepwise growth) and a
//! busier network only approximate.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

/// The stated size of the question.
pub const USERS: f64 = 1_000_000.0;
pub const REQUESTS_PER_SECOND: f64 = 10_000.0;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let figures = |slug: &str| results.mounts.get(slug).cloned().unwrap_or_default();
    let any = page.login.iter().any(|m| {
        let f = figures(m.slug.as_str());
        f.server_bytes_per_user.is_some() || f.cpu_us_per_request.is_some()
    });
    if !any {
        return Ok(());
    }
    writeln!(
        out,
        "## Costs at scale (computed from the measured figures)\n"
    )?;
    writeln!(
        out,
        "For {:.0} logged-in users and {:.0} requests/s of `GET /{{b}}/api/me`: this run's bytes per \
         user, credential bytes per request, Redis commands per request and CPU per request, \
         multiplied out. Computed, not measured at that size.\n",
        USERS, REQUESTS_PER_SECOND
    )?;
    writeln!(
        out,
        "| mount | server memory for {:.0} users | credential traffic at {:.0} req/s | Redis commands/s | CPU cores busy (server + Redis) |\n|---|---|---|---|---|",
        USERS, REQUESTS_PER_SECOND
    )?;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    for m in &page.login {
        let f = figures(m.slug.as_str());
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            m.slug.prefix(),
            or_dash(
                f.server_bytes_per_user
                    .map(|b| format!("{:.0} MiB", b * USERS / (1024.0 * 1024.0)))
            ),
            or_dash(
                f.wire_bytes_per_request
                    .map(|b| format!("{:.1} MB/s", b as f64 * REQUESTS_PER_SECOND / 1e6))
            ),
            or_dash(
                f.redis_commands_per_request
                    .map(|c| format!("{:.0}", c * REQUESTS_PER_SECOND))
            ),
            or_dash(
                f.cpu_us_per_request
                    .map(|us| format!("{:.2}", us * REQUESTS_PER_SECOND / 1e6))
            ),
        )?;
    }
    if let Some(memory) = &results.memory {
        if let Some(row) = memory.rows.iter().max_by_key(|r| r.users) {
            writeln!(
                out,
                "\nWith the JWT denylist on, each logged-out token costs {:.0} B until it expires: a \
                 million logouts within one token lifetime hold {:.0} MiB.",
                row.jwt_denylist_bytes_per_entry,
                row.jwt_denylist_bytes_per_entry * USERS / (1024.0 * 1024.0)
            )?;
        }
    }
    writeln!(
        out,
        "\nThe CPU column includes the HTTP work every route pays (the baseline), measured on this \
         machine's cores with the server pinned; see the throughput section for the part that is \
         authentication alone.\n"
    )?;
    Ok(())
}
