//! `/session` on a Redis Cluster when a master dies.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, _page: &Page<'_>) -> std::fmt::Result {
    let Some(f) = results
        .scale_out
        .as_ref()
        .and_then(|s| s.cluster_failover.as_ref())
    else {
        return Ok(());
    };
    writeln!(out, "## Redis Cluster: a master killed\n")?;
    writeln!(
        out,
        "/{} on a six-node Redis Cluster (three masters, three replicas, `cluster-node-timeout` \
         {:.0} ms) behind {} instances and the balancer, {:.0} requests/s from two users while \
         the first user kept logging in. A third into the run the master holding the first \
         user's hash slot was SIGKILLed.\n",
        f.mount, f.node_timeout_ms, f.instances, f.rate
    )?;
    writeln!(out, "| | measured |\n|---|---|")?;
    writeln!(out, "| requests | {} |", f.requests.requests)?;
    writeln!(
        out,
        "| failed (503 while the slot had no master, or no answer) | {} |",
        f.requests.failed
    )?;
    writeln!(out, "| answered 401 | {} |", f.requests.unauthenticated)?;
    writeln!(
        out,
        "| replica took over (cluster `ok` again) after | {:.0} ms |",
        f.takeover_ms
    )?;
    let again = f
        .answered_again_ms
        .map_or("never, within the run".to_owned(), |ms| {
            format!("{ms:.0} ms")
        });
    writeln!(
        out,
        "| the killed master's user answered 200 again after | {again} |"
    )?;
    writeln!(
        out,
        "| logins acknowledged before the kill | {} (of which {} in its last second) |",
        f.logins_acknowledged, f.logins_just_before_the_kill
    )?;
    writeln!(out, "| of those, lost | {} |", f.logins_lost)?;
    writeln!(
        out,
        "\nRedis replication is asynchronous: a master acknowledges a write before its replica \
         has it, so a login written in the moment before the crash can be lost with the master, \
         by design. Here, on loopback, the replica is close behind its master, so few or none \
         are lost; across a network, or under a write burst, the window is wider. `WAIT` would \
         close it at the price of a round trip to the replica on every login.\n"
    )
}
