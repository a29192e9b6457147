//! Instances behind a real load balancer: 1, 2 and 3 of them, one SIGKILLed, a rolling restart.

use std::fmt::Write as _;

use super::format::{share, split_by_share};
use super::Page;
use crate::results::{RequestCounts, Results};

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let Some(s) = &results.scale_out else {
        return Ok(());
    };
    writeln!(out, "## Scale-out: instances behind a load balancer\n")?;
    if s.balancer.is_empty() {
        // A run from before the balancer: two instances, requests alternated by the client.
        writeln!(
            out,
            "Two server processes sharing one Redis and one data directory. {} users logged in \
             per mount; each then sent {} requests alternating between the two.\n",
            s.users_per_mount, s.requests_per_user
        )?;
        writeln!(out, "| mount | requests answered 200 |\n|---|---|")?;
        for (mount, v) in &s.success {
            writeln!(out, "| /{mount} | {} |", share(Some(*v)))?;
        }
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Real `authlab serve` processes (one worker each) sharing one Redis and one data directory \
         (so one cookie key and one JWT key), behind {}. Every request goes through the balancer.\n",
        s.balancer
    )?;
    instance_counts(out, s, page)?;
    let (held, failed) = split_by_share(&s.success);
    writeln!(
        out,
        "With two instances, every request answered on: {held}. Some requests failed on: {failed} \
         (the instance that did not see the login does not know it).\n"
    )?;
    if let Some(kill) = &s.kill {
        writeln!(
            out,
            "### One instance SIGKILLed mid-run\n\n{} instances, one logged-in user per mount at \
             {:.0} requests/s each. The balancer's checks took the killed instance out \
             **{:.0} ms** after the kill. Until then its share of the requests met a refused \
             connection, or an empty answer if they were in flight, and were retried on the \
             other instance (GETs only: a POST in flight would have failed).\n",
            kill.instances, kill.rate_per_mount, kill.taken_out_after_ms
        )?;
        counts_table(out, kill.per_mount.iter().map(|(m, c)| (m, c, None)))?;
    }
    if let Some(rolling) = &s.rolling {
        writeln!(
            out,
            "### Rolling restart\n\nEach of {} instances in turn: SIGTERM, started again, back in \
             the rotation (`UP` in HAProxy) before the next is stopped; {:.0} ms in all, under \
             {:.0} requests/s per mount. \"Still logged in\": of {} users logged in per mount \
             before the restart, the share that every instance still knows after it.\n",
            rolling.instances, rolling.took_ms, rolling.rate_per_mount, rolling.users_per_mount
        )?;
        counts_table(
            out,
            rolling
                .per_mount
                .iter()
                .map(|(m, c)| (m, c, rolling.still_logged_in.get(m).copied())),
        )?;
    }
    Ok(())
}

fn instance_counts(
    out: &mut String,
    s: &crate::results::ScaleOutResults,
    page: &Page<'_>,
) -> std::fmt::Result {
    let counts: Vec<usize> = {
        let mut n: Vec<usize> = s.by_instances.iter().map(|r| r.instances).collect();
        n.dedup();
        n
    };
    if counts.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Per mount: {} logged-in users sent {} requests each, one after the other (the share \
         answered 200); then a closed loop through the balancer (requests answered per second, \
         any status). This machine has two cores, and every instance, Redis, HAProxy and the load \
         generator share them: **more instances cannot add throughput here**, so the rate below \
         measures the balancer's and the extra processes' overhead, not capacity. What more \
         instances change is where a login must be found.\n",
        s.users_per_mount, s.requests_per_user
    )?;
    let mut header = "| mount |".to_owned();
    let mut rule = "|---|".to_owned();
    for n in &counts {
        let word = if *n == 1 { "instance" } else { "instances" };
        header.push_str(&format!(" {n} {word}: 200s | req/s |"));
        rule.push_str("---|---|");
    }
    writeln!(out, "{header}\n{rule}")?;
    for mount in page.login.iter().map(|m| m.slug.as_str()) {
        let mut line = format!("| /{mount} |");
        for n in &counts {
            match s
                .by_instances
                .iter()
                .find(|r| r.mount == mount && r.instances == *n)
            {
                Some(row) => line.push_str(&format!(
                    " {} | {:.0} |",
                    share(Some(row.share_200)),
                    row.rps
                )),
                None => line.push_str(" — | — |"),
            }
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out)
}

fn counts_table<'a>(
    out: &mut String,
    rows: impl Iterator<Item = (&'a String, &'a RequestCounts, Option<f64>)>,
) -> std::fmt::Result {
    let rows: Vec<_> = rows.collect();
    let with_logins = rows.iter().any(|(_, _, kept)| kept.is_some());
    if with_logins {
        writeln!(
            out,
            "| mount | requests | failed (5xx or no answer) | answered 401 | still logged in |\n|---|---|---|---|---|"
        )?;
    } else {
        writeln!(
            out,
            "| mount | requests | failed (5xx or no answer) | answered 401 |\n|---|---|---|---|"
        )?;
    }
    for (mount, c, kept) in rows {
        let mut line = format!(
            "| /{mount} | {} | {} | {} |",
            c.requests, c.failed, c.unauthenticated
        );
        if with_logins {
            line.push_str(&format!(" {} |", share(kept)));
        }
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "\nA 401 on a mount that keeps its logins in one process is the login not found by the \
         instance that answered (or lost with the process), not a failed request.\n"
    )
}
