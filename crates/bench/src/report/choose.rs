//! "Which to choose": the run's figures turned into the questions an engineer decides by.
//!
//! Every answer is computed from this run's [`Results`]: a mount is named under a question only
//! when its own measured figure puts it there, and a question whose scenario did not run says so.
//! Nothing here knows which mount is which; they are told apart by what was measured.

use std::fmt::Write as _;

use authlab_core::StateHome;

use super::format::{and_list, share};
use super::Page;
use crate::results::{MountFigures, Results};

/// Mounts (as `/slug`) whose figure passes `keep`, and the others with the figure, for one
/// question.
fn split(
    page: &Page<'_>,
    results: &Results,
    figure: impl Fn(&MountFigures) -> Option<f64>,
    keep: impl Fn(f64) -> bool,
) -> Option<(Vec<String>, Vec<String>)> {
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for m in &page.login {
        let Some(value) = results.mounts.get(m.slug.as_str()).and_then(&figure) else {
            continue;
        };
        if keep(value) {
            yes.push(m.slug.prefix());
        } else {
            no.push(format!("{} ({})", m.slug.prefix(), share(Some(value))));
        }
    }
    (!yes.is_empty() || !no.is_empty()).then_some((yes, no))
}

/// The login mounts ordered by a figure, smallest first, as "/a: 0 B, /b: 127 B".
fn ranked(
    page: &Page<'_>,
    results: &Results,
    figure: impl Fn(&MountFigures) -> Option<f64>,
    unit: &str,
) -> Option<String> {
    let mut values: Vec<(String, f64)> = page
        .login
        .iter()
        .filter_map(|m| {
            let v = results.mounts.get(m.slug.as_str()).and_then(&figure)?;
            Some((m.slug.prefix(), v))
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.1.total_cmp(&b.1));
    Some(
        values
            .iter()
            .map(|(m, v)| format!("{m}: {v:.0} {unit}"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    writeln!(out, "## Which to choose\n")?;
    writeln!(
        out,
        "Each answer below is computed from this run's figures (the tables further down): a mount \
         is named where its own measurement puts it. — means the scenario that answers it was not run.\n"
    )?;
    let not_run = "—".to_owned();
    let question = |out: &mut String,
                    ask: &str,
                    answer: Option<(Vec<String>, Vec<String>)>,
                    no_word: &str|
     -> std::fmt::Result {
        match answer {
            Some((yes, no)) => writeln!(
                out,
                "- **{ask}** {}{}",
                if yes.is_empty() {
                    "none of the mounts".to_owned()
                } else {
                    and_list(&yes)
                },
                if no.is_empty() {
                    ".".to_owned()
                } else {
                    format!("; {no_word}: {}.", no.join(", "))
                }
            ),
            None => writeln!(out, "- **{ask}** {not_run}"),
        }
    };
    question(
        out,
        "Logins must survive a deploy (the app killed and started again):",
        split(page, results, |f| f.app_restart_survival, |v| v >= 1.0),
        "logged out by it, share kept",
    )?;
    question(
        out,
        "Several instances behind a balancer with no sticky sessions:",
        split(page, results, |f| f.scale_out_success, |v| v >= 1.0),
        "failing there, share answered",
    )?;
    question(
        out,
        "Requests must keep succeeding while Redis is down:",
        split(
            page,
            results,
            |f| f.fault_error_rate_while_down.map(|e| 1.0 - e),
            |v| v >= 1.0,
        ),
        "failing then, share answered",
    )?;
    question(
        out,
        "Logins must survive a Redis restart without persistence:",
        split(page, results, |f| f.redis_restart_survival, |v| v >= 1.0),
        "lost, share kept",
    )?;
    let line = |out: &mut String, ask: &str, answer: Option<String>| match answer {
        Some(a) => writeln!(out, "- **{ask}** {a}."),
        None => writeln!(out, "- **{ask}** {not_run}"),
    };
    // A refresh-token login is measured as it starts; that it grows with every refresh must be
    // said where it is ranked, or the ranking reads as its steady state.
    let grows = results.memory.as_ref().and_then(|m| {
        let split = page.login.iter().find(|m| m.home == StateHome::Split)?;
        let per_refresh = m
            .rows
            .iter()
            .max_by_key(|r| r.users)?
            .refresh_bytes_per_refresh?;
        Some(format!(
            " ({} at login; each refresh adds {per_refresh:.0} B until the spent token expires: \
             see \"Memory\")",
            split.slug.prefix()
        ))
    });
    line(
        out,
        "Least server memory per logged-in user:",
        ranked(page, results, |f| f.server_bytes_per_user, "B")
            .map(|ranking| ranking + grows.as_deref().unwrap_or_default()),
    )?;
    line(
        out,
        "Fewest bytes on the wire per request (the credential header):",
        ranked(
            page,
            results,
            |f| f.wire_bytes_per_request.map(|b| b as f64),
            "B",
        ),
    )?;
    let above = results.throughput.as_ref().and_then(|t| {
        let base = page.measured.iter().find(|m| !m.login)?;
        let base = t
            .rows
            .iter()
            .find(|r| r.variant.is_none() && r.mount == base.slug.as_str())?;
        let mut rows: Vec<(String, f64)> = t
            .rows
            .iter()
            .filter(|r| r.mount != base.mount)
            .map(|r| {
                (
                    r.label(),
                    r.cpu_server_us_per_request + r.cpu_redis_us_per_request
                        - base.cpu_server_us_per_request,
                )
            })
            .collect();
        rows.sort_by(|a, b| a.1.total_cmp(&b.1));
        Some(
            rows.iter()
                .map(|(m, v)| format!("{m}: {v:+.1} µs"))
                .collect::<Vec<_>>()
                .join(", "),
        )
    });
    line(
        out,
        "Least CPU per request above the unauthenticated baseline (server + Redis):",
        above,
    )?;
    writeln!(out)?;
    Ok(())
}
