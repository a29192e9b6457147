//! The walkthrough's sequence diagrams: one SVG per mount, drawn by the server.
//!
//! A class needs the picture before the trace: who talks to whom, in which order, and where the
//! login lives. Each diagram has three lanes (the browser, the server, and wherever the mount keeps
//! what it needs: Redis, the server's memory, or the signing key) and the flow of the course notes
//! as arrows: login, a later request, logout. An arrow this browser has really made carries the
//! recorded exchange under its label and is drawn solid; one not made yet is dashed and grey.
//!
//! The SVG is plain markup with presentation attributes (no `style`, no script), so it renders with
//! JavaScript off and within the page's CSP, and it scales to its column (`viewBox`).
//! The lane's words come from where the mount's logins live ([`StateHome`]), never from its name.

use std::fmt::Write as _;

use authlab_core::StateHome;

use super::steps::{self, Flow};

const WIDTH: u32 = 420;
const LANES: [u32; 3] = [70, 210, 350];
const TOP: u32 = 52;
const ROW: u32 = 38;

#[derive(Clone, Copy)]
enum Lane {
    Browser = 0,
    Server = 1,
    Store = 2,
}

/// One arrow (or, from a lane to itself, a note beside it).
struct Message {
    from: Lane,
    to: Lane,
    label: String,
    /// The real exchange, when this browser made it.
    seen: Option<String>,
}

/// What the third lane is called and what the server asks of it, by where the logins live.
struct StoreWords {
    lane: &'static str,
    create: &'static str,
    check: &'static str,
    answer: &'static str,
    end: &'static str,
}

fn store_words(home: StateHome) -> Option<StoreWords> {
    match home {
        StateHome::Redis => Some(StoreWords {
            lane: "Redis",
            create: "SET the login's record, with a TTL",
            check: "MGET the record and the user's epoch",
            answer: "the record (or nothing)",
            end: "DEL the record",
        }),
        StateHome::Process => Some(StoreWords {
            lane: "server memory",
            create: "insert the login's record",
            check: "look the session id up",
            answer: "the record (or nothing)",
            end: "remove the record",
        }),
        StateHome::Client => Some(StoreWords {
            lane: "signing key",
            create: "sign the claims",
            check: "check the signature and exp",
            answer: "valid, or refused",
            end: "nothing to delete: valid until exp",
        }),
        StateHome::Split => Some(StoreWords {
            lane: "key + Redis",
            create: "sign an access token; SET the refresh token's hash",
            check: "check the access token's signature",
            answer: "valid (Redis only asked to refresh)",
            end: "revoke the refresh token's family",
        }),
        StateHome::Nowhere => None,
    }
}

/// The messages of one mount's flow, with this browser's exchanges attached.
fn messages(flow: &Flow<'_>) -> Option<Vec<Message>> {
    let words = store_words(flow.mount.home)?;
    let step = |i: usize| flow.steps.get(i);
    let outcome = |i: usize| {
        step(i)
            .filter(|s| s.todo.is_none() && !s.outcome.is_empty())
            .map(|s| s.outcome.clone())
    };
    let login_seen = outcome(steps::LOGIN);
    let cookie = step(steps::SENT)
        .and_then(|s| s.exchange.as_ref())
        .and_then(|e| {
            // The mount's own credential cookie (the login also sets others: the CSRF seed, the
            // login stamp).
            let credential = flow.mount.credential.cookie?;
            e.set_cookies
                .iter()
                .find(|c| !c.removal && c.name == credential.as_str())
        })
        .map(|c| format!("{} ({} characters)", c.name, c.value.len()));
    let request_seen = outcome(steps::ATTACHED);
    let verified_seen = outcome(steps::VERIFIED);
    let ended_seen = outcome(steps::ENDED);
    let credential = flow
        .mount
        .credential
        .cookie
        .map_or_else(|| "the token".to_owned(), |c| format!("cookie {c}"));
    use Lane::{Browser, Server, Store};
    let m = |from, to, label: &str, seen: Option<String>| Message {
        from,
        to,
        label: label.to_owned(),
        seen,
    };
    Some(vec![
        m(
            Browser,
            Server,
            "POST login: username, password",
            login_seen.clone(),
        ),
        m(
            Server,
            Server,
            "argon2id check of the password",
            outcome(steps::CHECKED),
        ),
        m(
            Server,
            Store,
            words.create,
            login_seen.as_ref().map(|_| "done".to_owned()),
        ),
        m(
            Server,
            Browser,
            &format!("Set-Cookie: {credential}"),
            cookie,
        ),
        m(
            Browser,
            Server,
            &format!("GET a page, with the {credential}"),
            request_seen,
        ),
        m(
            Server,
            Store,
            words.check,
            verified_seen.as_ref().map(|_| "done".to_owned()),
        ),
        m(
            Store,
            Server,
            words.answer,
            verified_seen.as_ref().map(|_| "done".to_owned()),
        ),
        m(
            Server,
            Browser,
            "the page (200), or the login page",
            verified_seen,
        ),
        m(
            Browser,
            Server,
            "POST logout (or the login expires)",
            ended_seen.clone(),
        ),
        m(
            Server,
            Store,
            words.end,
            ended_seen.as_ref().map(|_| "done".to_owned()),
        ),
        m(
            Server,
            Browser,
            "Set-Cookie: removal (Max-Age=0)",
            ended_seen.map(|_| "done".to_owned()),
        ),
    ])
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG of one mount's flow, or `None` for a mount that keeps no login.
pub fn svg(flow: &Flow<'_>) -> Option<String> {
    let words = store_words(flow.mount.home)?;
    let messages = messages(flow)?;
    let slug = flow.mount.slug.as_str();
    let height = TOP + ROW * messages.len() as u32 + 20;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="sequence" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="seq-{slug}-title"><title id="seq-{slug}-title">Sequence diagram of /{slug}: browser, server, {lane}</title><defs><marker id="seq-{slug}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f2937"/></marker><marker id="seq-{slug}-todo" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#9ca3af"/></marker></defs>"##,
        lane = escape(words.lane)
    );
    for (x, name) in LANES.iter().zip(["browser", "server", words.lane]) {
        let _ = write!(
            out,
            r##"<rect x="{}" y="6" width="120" height="28" rx="4" fill="#eef2ff" stroke="#1f2937"/><text x="{x}" y="25" text-anchor="middle" font-size="14" font-family="sans-serif" fill="#111827">{}</text><line x1="{x}" y1="34" x2="{x}" y2="{}" stroke="#9ca3af" stroke-dasharray="4 4"/>"##,
            x - 60,
            escape(name),
            height - 8
        );
    }
    for (i, message) in messages.iter().enumerate() {
        let y = TOP + ROW * i as u32;
        let (from, to) = (LANES[message.from as usize], LANES[message.to as usize]);
        let (colour, dash, head) = match message.seen {
            Some(_) => ("#1f2937", "", format!("seq-{slug}-head")),
            None => (
                "#9ca3af",
                r#" stroke-dasharray="5 4""#,
                format!("seq-{slug}-todo"),
            ),
        };
        let class = if message.seen.is_some() {
            "seen"
        } else {
            "todo"
        };
        if from == to {
            // A step the server does alone: a small loop and its label to the right.
            let _ = write!(
                out,
                r##"<g class="{class}"><path d="M{from},{y} h24 v12 h-24" fill="none" stroke="{colour}"{dash} marker-end="url(#{head})"/><text x="{}" y="{}" font-size="12" font-family="sans-serif" fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                from + 30,
                y + 4,
                escape(&message.label)
            );
        } else {
            let mid = (from + to) / 2;
            let _ = write!(
                out,
                r##"<g class="{class}"><line x1="{from}" y1="{y}" x2="{to}" y2="{y}" stroke="{colour}" stroke-width="1.5"{dash} marker-end="url(#{head})"/><text x="{mid}" y="{}" text-anchor="middle" font-size="12" font-family="sans-serif" fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                y - 5,
                escape(&message.label)
            );
        }
        if let Some(seen) = &message.seen {
            let x = if from == to {
                from + 30
            } else {
                (from + to) / 2
            };
            let anchor = if from == to { "start" } else { "middle" };
            let _ = write!(
                out,
                r##"<text x="{x}" y="{}" text-anchor="{anchor}" font-size="11" font-family="monospace" fill="#1d4ed8" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                y + 14,
                escape(&shorten(seen, 46))
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    Some(out)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_recorded_exchange_cannot_break_out_of_the_svg() {
        assert_eq!(
            escape(r#"</text><script>"x"&"#),
            "&lt;/text&gt;&lt;script&gt;&quot;x&quot;&amp;"
        );
    }

    #[test]
    fn a_long_exchange_is_shortened_on_a_character_boundary() {
        assert_eq!(shorten("é".repeat(50).as_str(), 5), "éééé…");
        assert_eq!(shorten("short", 46), "short");
    }

    #[test]
    fn a_mount_that_keeps_no_login_has_no_diagram() {
        assert!(store_words(StateHome::Nowhere).is_none());
        for home in [
            StateHome::Redis,
            StateHome::Process,
            StateHome::Client,
            StateHome::Split,
        ] {
            assert!(store_words(home).is_some());
        }
    }
}
