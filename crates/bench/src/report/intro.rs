//! The report's title, how it was made and how to make it again.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, _page: &Page<'_>) -> std::fmt::Result {
    writeln!(out, "# authlab benchmark report\n")?;
    let m = &results.machine;
    writeln!(
        out,
        "**{}** · commit `{}` · {} ({} cores, {}) · {}\n",
        results.generated_at, m.commit, m.cpu_model, m.cores, m.memory_total, m.os
    )?;
    writeln!(
        out,
        "Generated {} by `{}` ({} run, {:.0} s). Every figure below was measured in this run, on this \
         machine, by real processes: the `authlab` server binary and a private `redis-server`, driven \
         over loopback HTTP. Nothing is mocked and no figure is typed in; `results.json` beside this file \
         holds the same numbers.\n",
        results.generated_at, results.command, results.mode, results.elapsed_secs
    )?;
    writeln!(
        out,
        "To regenerate it:\n\n```sh\ncargo run --release -- bench\n```\n"
    )?;
    writeln!(
        out,
        "(`authlab bench [restart|memory|throughput|scale-out|fault]… [--quick] [--out DIR]`; the default \
         output directory is `docs/benchmarks`.)\n"
    )?;
    Ok(())
}
