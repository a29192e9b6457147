//! Who stays logged in after each restart event.

use std::fmt::Write as _;

use super::format::{header, share, split_by_share};
use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let login = &page.login;
    if let Some(r) = &results.restart {
        writeln!(out, "## Restart: who stays logged in\n")?;
        writeln!(
            out,
            "{} users logged in over HTTP on each mount before each event (fresh logins each time); after \
             it, each credential asked `GET /{{b}}/api/me` once. After a Redis restart the server was first \
             given time to reconnect (`/healthz` reports Redis up), so what is counted is lost records, not \
             a stale connection.\n",
            r.users_per_mount
        )?;
        writeln!(out, "{}", header("event", login))?;
        for e in &r.events {
            let cells: Vec<String> = login
                .iter()
                .map(|m| share(e.survival.get(m.slug.as_str()).copied()))
                .collect();
            writeln!(out, "| {} | {} |", e.description, cells.join(" | "))?;
        }
        writeln!(out, "\nRead from the table above:\n")?;
        for e in &r.events {
            let (kept, lost) = split_by_share(&e.survival);
            writeln!(
                out,
                "- after {}: still logged in on {}; logged out on {}.",
                e.description, kept, lost
            )?;
        }
        if let Some(app) = r.events.iter().find(|e| e.name == "app_restart") {
            let (_, lost) = split_by_share(&app.survival);
            writeln!(
                out,
                "\nThe course notes' \"a stateful server logs everyone out when it restarts\" held here for: \
                 {lost}. Where the state lives decides it, not whether there is state.\n"
            )?;
        }
    }
    Ok(())
}
