//! Two instances behind a round robin.

use std::fmt::Write as _;

use super::format::{share, split_by_share};
use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, _page: &Page<'_>) -> std::fmt::Result {
    if let Some(s) = &results.scale_out {
        writeln!(out, "## Scale-out: two instances behind a round robin\n")?;
        writeln!(
            out,
            "Two server processes sharing one Redis and one data directory (so the same cookie key and \
             JWT key). {} users logged in on the first instance per mount; each then sent {} requests \
             alternating between the two.\n",
            s.users_per_mount, s.requests_per_user
        )?;
        writeln!(out, "| mount | requests answered 200 |\n|---|---|")?;
        for (mount, v) in &s.success {
            writeln!(out, "| /{mount} | {} |", share(Some(*v)))?;
        }
        let (held, failed) = split_by_share(&s.success);
        writeln!(
            out,
            "\nEvery request answered on: {held}. Some requests failed on: {failed} (the instance that did \
             not see the login does not know it).\n"
        )?;
    }
    Ok(())
}
