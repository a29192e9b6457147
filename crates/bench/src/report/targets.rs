//! Each target, its measured figure and its verdict.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, _page: &Page<'_>) -> std::fmt::Result {
    writeln!(out, "## Targets\n")?;
    writeln!(
        out,
        "| target | measured | verdict | why |\n|---|---|---|---|"
    )?;
    for t in &results.targets {
        writeln!(
            out,
            "| {} | {} | **{}** | {} |",
            t.target, t.measured, t.verdict, t.why
        )?;
    }
    writeln!(out)?;
    Ok(())
}
