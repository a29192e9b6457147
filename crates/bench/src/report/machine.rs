//! The machine, the versions and the load around the run.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, _page: &Page<'_>) -> std::fmt::Result {
    let m = &results.machine;
    writeln!(out, "## Machine and versions\n")?;
    writeln!(out, "| | |\n|---|---|")?;
    writeln!(out, "| CPU | {} |", m.cpu_model)?;
    writeln!(
        out,
        "| cores | {} (the throughput scenario pins the server apart; the others share them) |",
        m.cores
    )?;
    writeln!(out, "| memory | {} |", m.memory_total)?;
    writeln!(out, "| OS | {} |", m.os)?;
    writeln!(out, "| kernel | {} |", m.kernel)?;
    writeln!(out, "| rustc | {} |", m.rustc)?;
    writeln!(out, "| Redis | {} |", m.redis)?;
    writeln!(out, "| authlab | {} (commit `{}`) |", m.authlab, m.commit)?;
    writeln!(
        out,
        "| load average (1, 5, 15 min) | {} at the start, {} at the end |",
        m.load_average_start, m.load_average_end
    )?;
    writeln!(out)?;
    Ok(())
}
