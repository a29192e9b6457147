//! What the server keeps per user and what the client sends per request.

use std::fmt::Write as _;

use super::Page;
use crate::results::Results;

pub(super) fn write(out: &mut String, results: &Results, page: &Page<'_>) -> std::fmt::Result {
    let redis = &page.redis;
    let process = &page.process;
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
        writeln!(
            out,
            "| N | Redis bytes/user ({redis}) | in-process bytes/user ({process}) | in-process RSS growth/user | JWT | JWT denylist bytes/revoked token |\n|---|---|---|---|---|---|"
        )?;
        for r in &m.rows {
            writeln!(
                out,
                "| {} | {:.0} | {:.0} | {:.0} | 0 | {:.0} |",
                r.users,
                r.redis_bytes_per_user,
                r.in_process_bytes_per_user,
                r.in_process_rss_bytes_per_user,
                r.jwt_denylist_bytes_per_entry
            )?;
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
