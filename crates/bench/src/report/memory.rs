//! What the server keeps per user and what the client sends per request.

use std::fmt::Write as _;

use authlab_core::StateHome;

use super::{format::float, Page};
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let redis = &page.redis;
    let process = &page.process;
    let split = page
        .login
        .iter()
        .find(|m| m.home == StateHome::Split)
        .map(|m| m.slug.prefix());
    if let Some(m) = &results.memory {
        writeln!(
            out,
            "## Memory: what the server keeps per user, what the client sends\n"
        )?;
        writeln!(
            out,
            "Method. Logging in N = 100 000 users over HTTP would cost 100 000 argon2id verifications, so: \
             one real login over HTTP; its record read back from Redis (a {}-byte line); then N such \
             records, each with its own login id, written through the server's own store code \
             (`authlab_session::store::RedisStore`: one compact key per login, the user's epoch only once \
             they log out everywhere; and `InProcessStore`), with the server's session TTL. Redis: \
             `INFO memory` `used_memory` after minus before, over N (after `FLUSHALL`). In-process: the \
             store's own byte accounting over N, and the growth of the resident set of the process that \
             holds it over N. JWT without a denylist keeps nothing; with the denylist on \
             (`AUTHLAB_JWT_DENYLIST`), each logged-out token costs one Redis key until it expires, measured \
             the same way through the server's `RedisDenylist`.\n",
            m.session_record_bytes
        )?;
        let measured_split = split
            .as_ref()
            .filter(|_| m.rows.iter().any(|r| r.refresh_bytes_per_login.is_some()));
        if let Some(split) = measured_split {
            writeln!(
                out,
                "{split}'s logins are written the same way through the server's `RefreshStore`: N \
                 logins started (a family and its first refresh token each), then each refreshed \
                 once.\n"
            )?;
        }
        let (split_head, split_rule) = match measured_split {
            Some(split) => (
                format!(" {split} bytes/login | {split} bytes added per refresh |"),
                "---|---|",
            ),
            None => (String::new(), ""),
        };
        writeln!(
            out,
            "| N | Redis bytes/user ({redis}) | in-process bytes/user ({process}) | in-process RSS growth/user | JWT | JWT denylist bytes/revoked token |{split_head}\n|---|---|---|---|---|---|{split_rule}"
        )?;
        for r in &m.rows {
            let split_cells = match measured_split {
                Some(_) => format!(
                    " {} | {} |",
                    float(r.refresh_bytes_per_login, 0),
                    float(r.refresh_bytes_per_refresh, 0)
                ),
                None => String::new(),
            };
            writeln!(
                out,
                "| {} | {:.0} | {:.0} | {:.0} | 0 | {:.0} |{split_cells}",
                r.users,
                r.redis_bytes_per_user,
                r.in_process_bytes_per_user,
                r.in_process_rss_bytes_per_user,
                r.jwt_denylist_bytes_per_entry
            )?;
        }
        let largest = m.rows.iter().max_by_key(|r| r.users);
        if let (Some(split), Some(r), Some((access, refresh))) =
            (measured_split, largest, m.refresh_lifetimes)
        {
            if let (Some(login), Some(per_refresh)) =
                (r.refresh_bytes_per_login, r.refresh_bytes_per_refresh)
            {
                // A spent token is kept until it would have expired, so a login that keeps
                // refreshing holds every token it spent in the last refresh lifetime.
                let refreshes = refresh / access.max(1);
                writeln!(
                    out,
                    "\nA {split} login grows as it is used: every refresh keeps the token it spent \
                     (so that its reuse can be detected and the whole login revoked) until that \
                     token would have expired, `AUTHLAB_REFRESH_TTL` = {refresh} s after it was \
                     issued. A user active all that time, refreshing every `AUTHLAB_ACCESS_TTL` = \
                     {access} s, spends {refreshes} tokens in it: about {:.0} bytes \
                     ({login:.0} + {refreshes} × {per_refresh:.0}, computed from the two measured \
                     columns at N = {}), against {:.0} for a {redis} login. That is the price of \
                     reuse detection with an opaque token, which cannot name its login: a token \
                     that carried its family's id would let the family keep only its current \
                     token's hash.\n",
                    login + refreshes as f64 * per_refresh,
                    r.users,
                    r.redis_bytes_per_user
                )?;
            }
        }
        writeln!(
            out,
            "\nCross-check with the real server: {} real logins over HTTP on {redis} grew Redis's \
             `used_memory` by {:.0} bytes per login (the two demo accounts in turn). Per-user figures fall as N grows (see the rows \
             above): Redis's hash tables grow in steps and some fixed costs are spread over more users, \
             so a small N reads higher.\n",
            m.http_logins, m.http_redis_bytes_per_login
        )?;
        writeln!(
            out,
            "What one login writes to Redis (`MEMORY USAGE` per key, with its TTL):\n"
        )?;
        writeln!(out, "| key | bytes |\n|---|---|")?;
        for (key, bytes) in &m.key_breakdown {
            writeln!(out, "| `{key}:…` | {bytes} |")?;
        }
        writeln!(out, "\n![Server memory against N](memory.svg)\n")?;
        writeln!(
            out,
            "Bytes on the wire per request (the credential header of a real request):\n"
        )?;
        writeln!(out, "| mount | header | bytes |\n|---|---|---|")?;
        for (mount, w) in &m.wire {
            writeln!(out, "| /{mount} | `{}` | {} |", w.header, w.bytes)?;
        }
        writeln!(
            out,
            "\nThe trade: a session costs the server a record per user and the client a short opaque \
             cookie; a JWT costs the server nothing and every request carries the whole signed token.\n"
        )?;
    }
    Ok(())
}
