//! Reading the `Cookie` header entry by entry, so that a neighbour's cookie cannot break ours
//! (RFC 6265 §5.4: the header is a list of `name=value` pairs; a server must cope with what
//! other applications on the same host put in it).
//!
//! Cookies are not isolated by port: every app on `127.0.0.1` shares one cookie jar. actix-web
//! parses the header as a whole (`HttpRequest::cookies`), and one bad entry (a Latin-1 byte, an
//! empty name, an entry with no `=`) makes the whole parse fail, so `req.cookie(name)` answers
//! `None` for *every* cookie: the login disappears and the CSRF seed is re-issued on every page
//! (so every form fails with 403). And when two cookies share our name (another path, another
//! port's app), `req.cookie` returns the first, which may be the wrong one; the JWT mount then
//! said "malformed" and deleted the real cookie.
//!
//! **Why a header rewrite and not a better parser in each reader.** The readers are not all
//! ours: actix-session's middleware reads `req.cookie(name)` itself before any of our code runs
//! on `/session` and `/memory`, and the JWT backend, the CSRF layer and the walkthrough read it
//! the same way. So one middleware, before all of them, replaces the header with a clean one:
//! entries that do not parse are dropped, and of several entries with one name the first that
//! the owner of that name accepts is kept (a session cookie that decrypts under our key, a JWT
//! that verifies, …), or the first if none does, so a rejection still names the real problem.
//! A good cookie is never removed because of its neighbours, and nothing else changes: a clean
//! header is left exactly as it came.

use actix_web::{
    cookie::Cookie,
    http::header::{self, HeaderMap, HeaderValue},
};

/// Rewrite `headers`' `Cookie` header(s) into one clean header. `accepts(name, value)` says
/// whether a value is good for a name (asked only when a name appears more than once).
pub fn normalise(headers: &mut HeaderMap, accepts: impl Fn(&str, &str) -> bool) {
    let raw: Vec<Vec<u8>> = headers
        .get_all(header::COOKIE)
        .map(|v| v.as_bytes().to_vec())
        .collect();
    if raw.is_empty() {
        return;
    }
    let clean = clean_entries(raw.iter().map(Vec::as_slice), accepts);
    let joined = clean.join("; ");
    if raw.len() == 1 && raw[0] == joined.as_bytes() {
        return;
    }
    headers.remove(header::COOKIE);
    // Every entry kept is printable ASCII, so the joined line is a valid header value.
    if let Ok(value) = HeaderValue::from_str(&joined) {
        if !joined.is_empty() {
            headers.insert(header::COOKIE, value);
        }
    }
}

/// The entries worth keeping, in order, one per name.
pub fn clean_entries<'a>(
    headers: impl Iterator<Item = &'a [u8]>,
    accepts: impl Fn(&str, &str) -> bool,
) -> Vec<String> {
    let mut parsed: Vec<(String, String, String)> = Vec::new();
    for entry in headers.flat_map(|h| h.split(|b| *b == b';')) {
        if let Some(found) = parse_entry(entry) {
            parsed.push(found);
        }
    }
    let mut kept: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, _, _) in &parsed {
        if seen.contains(&name.as_str()) {
            continue;
        }
        seen.push(name);
        let same: Vec<&(String, String, String)> =
            parsed.iter().filter(|(n, _, _)| n == name).collect();
        let chosen = if same.len() == 1 {
            same[0]
        } else {
            same.iter()
                .find(|(n, value, _)| accepts(n, value))
                .copied()
                .unwrap_or(same[0])
        };
        kept.push(chosen.2.clone());
    }
    kept
}

/// `(name, decoded value, entry as sent)` for an entry actix-web will parse; `None` for one it
/// would choke on.
fn parse_entry(entry: &[u8]) -> Option<(String, String, String)> {
    let entry = std::str::from_utf8(entry).ok()?.trim_matches([' ', '\t']);
    // A header value must be visible ASCII for `to_str`, which actix-web's parser starts with.
    if entry.is_empty()
        || !entry
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
    {
        return None;
    }
    let (name, _) = entry.split_once('=')?;
    if name.trim().is_empty() {
        return None;
    }
    let cookie = Cookie::parse_encoded(entry).ok()?;
    Some((
        cookie.name().to_owned(),
        cookie.value().to_owned(),
        entry.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(header: &[u8]) -> Vec<String> {
        clean_entries([header].into_iter(), |_, value| value == "good")
    }

    #[test]
    fn entries_that_do_not_parse_are_dropped_and_the_rest_kept_as_sent() {
        assert_eq!(
            clean(b"pref=caf\xe9; authlab_jwt=good; =nameless; lonely; x=%41"),
            ["authlab_jwt=good", "x=%41"]
        );
    }

    #[test]
    fn of_several_same_named_entries_the_accepted_one_wins_wherever_it_is() {
        assert_eq!(clean(b"t=tossed; t=good; u=1"), ["t=good", "u=1"]);
        assert_eq!(clean(b"t=bad; t=worse"), ["t=bad"], "none good: the first");
    }

    #[test]
    fn a_clean_header_is_left_untouched_and_a_dirty_one_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        normalise(&mut headers, |_, _| true);
        assert_eq!(
            headers.get(header::COOKIE).map(|v| v.as_bytes()),
            Some(&b"a=1; b=2"[..])
        );

        headers.insert(
            header::COOKIE,
            HeaderValue::from_bytes(b"p=\xe9; a=1").expect("obs-text is allowed"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        normalise(&mut headers, |_, _| true);
        let cookies: Vec<_> = headers.get_all(header::COOKIE).collect();
        assert_eq!(cookies, [HeaderValue::from_static("a=1; b=2")]);
    }
}
