//! A small in-memory recorder of each browser's page exchanges with the mounts, for the
//! walkthrough (the JSON API is left alone: the walkthrough shows it with curl lines instead).
//!
//! A browser is told apart by a random, non-secret id in the `authlab_browser` cookie (it grants
//! nothing; it only files the exchanges), signed with the server's HMAC key so that a made-up
//! id is ignored instead of filing (and evicting) trails. What is kept is what the lesson shows: the request line,
//! the status, `Location`, and the `Cookie`, `Authorization` and `Set-Cookie` headers, with every
//! cookie and token value shortened, so the recorder never holds a usable credential. Memory is
//! bounded: at most [`MAX_BROWSERS`] browsers (the least recently seen is dropped) and
//! [`MAX_EXCHANGES`] exchanges each.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{SystemTime, UNIX_EPOCH},
};

use actix_web::{
    body::MessageBody,
    cookie::{Cookie, SameSite},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web, Error, HttpRequest,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;

use crate::{csrf::CsrfKey, labs::loopback::LOOPBACK_HEADER, Mounts, Settings};

pub const BROWSER_COOKIE: &str = "authlab_browser";
pub const MAX_BROWSERS: usize = 200;
pub const MAX_EXCHANGES: usize = 40;
/// How much of a cookie or token value is shown: enough to recognise it, too little to use it.
pub const SHOWN_CHARS: usize = 12;

/// One request and its response, as the walkthrough shows it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Seconds since the epoch.
    pub at: u64,
    pub method: String,
    /// Path and query.
    pub target: String,
    pub status: u16,
    pub location: Option<String>,
    /// `name=value…` pairs of the request's `Cookie` header, values shortened.
    pub cookies: Vec<ShownCookie>,
    /// The `Authorization` header, the token shortened.
    pub authorization: Option<String>,
    pub set_cookies: Vec<ShownSetCookie>,
}

#[derive(Debug, Clone)]
pub struct ShownCookie {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct ShownSetCookie {
    pub name: String,
    pub value: String,
    /// `Path=/jwt; Max-Age=900; HttpOnly; Secure; SameSite=Lax`, as sent.
    pub attributes: String,
    /// The server asked the browser to delete the cookie.
    pub removal: bool,
}

impl Exchange {
    pub fn request_line(&self) -> String {
        format!("{} {} HTTP/1.1", self.method, self.target)
    }

    pub fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub fn carries_cookie(&self, name: &str) -> bool {
        self.cookies.iter().any(|c| c.name == name)
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }
}

struct Trail {
    last_seen: u64,
    exchanges: VecDeque<Exchange>,
}

/// The exchanges of every recent browser.
#[derive(Default)]
pub struct Recorder {
    trails: Mutex<(u64, HashMap<String, Trail>)>,
}

impl Recorder {
    pub fn record(&self, browser: &str, exchange: Exchange) {
        let mut guard = self.trails.lock().unwrap_or_else(|p| p.into_inner());
        let (clock, trails) = &mut *guard;
        *clock += 1;
        if !trails.contains_key(browser) && trails.len() >= MAX_BROWSERS {
            let oldest = trails
                .iter()
                .min_by_key(|(_, trail)| trail.last_seen)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                trails.remove(&oldest);
            }
        }
        let trail = trails.entry(browser.to_owned()).or_insert_with(|| Trail {
            last_seen: 0,
            exchanges: VecDeque::new(),
        });
        trail.last_seen = *clock;
        if trail.exchanges.len() >= MAX_EXCHANGES {
            trail.exchanges.pop_front();
        }
        trail.exchanges.push_back(exchange);
    }

    /// This browser's exchanges, oldest first.
    pub fn exchanges_of(&self, browser: &str) -> Vec<Exchange> {
        let guard = self.trails.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .1
            .get(browser)
            .map(|trail| trail.exchanges.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn browsers(&self) -> usize {
        self.trails
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .len()
    }
}

/// The browser id of a request, when it carries one this server signed.
pub fn browser_id(req: &HttpRequest) -> Option<String> {
    let key = req.app_data::<web::Data<CsrfKey>>()?;
    req.cookie(BROWSER_COOKIE)
        .and_then(|c| verified_id(key, c.value()))
}

/// The id in a cookie value `id.tag`, if the tag is this server's HMAC of the id. Signed so that
/// made-up ids (201 of them emptied another browser's trail) are simply not ids.
pub fn verified_id(key: &CsrfKey, value: &str) -> Option<String> {
    let (id, tag) = value.split_once('.')?;
    let well_formed = URL_SAFE_NO_PAD
        .decode(id)
        .is_ok_and(|bytes| bytes.len() == 16);
    (well_formed && key.verify(&signed_part(id), tag)).then(|| id.to_owned())
}

/// What is signed: the id, in a domain of its own so that no CSRF token is a valid tag.
fn signed_part(id: &str) -> String {
    format!("{BROWSER_COOKIE}:{id}")
}

fn new_browser_cookie_value(key: Option<&CsrfKey>) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let id = URL_SAFE_NO_PAD.encode(bytes);
    match key {
        Some(key) => format!("{id}.{}", key.token_for(&signed_part(&id))),
        None => id,
    }
}

/// `eyJhbGciOi…(312 bytes)`: recognisable, not usable.
pub fn shorten(value: &str) -> String {
    if value.len() <= SHOWN_CHARS {
        return value.to_owned();
    }
    let cut = (0..=SHOWN_CHARS)
        .rev()
        .find(|&i| value.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}…({} bytes)", &value[..cut], value.len())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Middleware: give every browser an id, and record its exchanges with the mounts.
pub async fn record_exchanges(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let existing = browser_id(req.request());
    // Only page visits are recorded, and only for browsers that came back with their id: the JSON
    // API (what the benchmarks hammer) costs one path check and churns nothing.
    let is_api = req.path().contains("/api/");
    let issue_id = existing.is_none() && !is_api;
    // Recorded: the login mounts' pages, not the labs' own probes.
    let mounts = req.app_data::<web::Data<Mounts>>();
    let recorded = existing.is_some()
        && !is_api
        && mounts.is_some_and(|mounts| mounts.login().any(|m| m.slug.owns(req.path())))
        && !req.path().contains("/labs/")
        && !req.headers().contains_key(LOOPBACK_HEADER);
    let request_part = recorded.then(|| request_part(req.request()));
    let recorder = req.app_data::<web::Data<Recorder>>().cloned();
    let secure = req
        .app_data::<web::Data<Settings>>()
        .is_none_or(|settings| settings.cookie_secure());
    let csrf_key = req.app_data::<web::Data<CsrfKey>>().cloned();

    let mut response = next.call(req).await?;

    if let (Some(mut exchange), Some(recorder), Some(browser)) =
        (request_part, &recorder, &existing)
    {
        let head = response.response();
        exchange.status = head.status().as_u16();
        exchange.location = head
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        exchange.set_cookies = head
            .headers()
            .get_all(header::SET_COOKIE)
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| Cookie::parse(v.to_owned()).ok())
            .filter(|c| c.name() != BROWSER_COOKIE)
            .map(|c| shown_set_cookie(&c))
            .collect();
        recorder.record(browser, exchange);
    }
    if issue_id {
        let key = csrf_key.as_deref().map(|key| key.as_ref());
        let cookie = Cookie::build(BROWSER_COOKIE, new_browser_cookie_value(key))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .finish();
        // Only fails for invalid header bytes, which a base64url value cannot contain.
        let _ = response.response_mut().add_cookie(&cookie);
    }
    Ok(response)
}

fn request_part(req: &HttpRequest) -> Exchange {
    let target = match req.query_string() {
        "" => req.path().to_owned(),
        query => format!("{}?{query}", req.path()),
    };
    let cookies = req
        .cookies()
        .map(|cookies| {
            cookies
                .iter()
                .filter(|c| c.name() != BROWSER_COOKIE)
                .map(|c| ShownCookie {
                    name: c.name().to_owned(),
                    value: shorten(c.value()),
                })
                .collect()
        })
        .unwrap_or_default();
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| match v.split_once(' ') {
            Some((scheme, token)) => format!("{scheme} {}", shorten(token)),
            None => shorten(v),
        });
    Exchange {
        at: now(),
        method: req.method().to_string(),
        target: shorten_query(&target),
        status: 0,
        location: None,
        cookies,
        authorization,
        set_cookies: Vec::new(),
    }
}

/// Queries are short here (`?reason=expired`); anything long is cut like a token would be.
fn shorten_query(target: &str) -> String {
    if target.len() > 200 {
        shorten(target)
    } else {
        target.to_owned()
    }
}

fn shown_set_cookie(cookie: &Cookie<'_>) -> ShownSetCookie {
    let mut attributes = Vec::new();
    if let Some(path) = cookie.path() {
        attributes.push(format!("Path={path}"));
    }
    if let Some(age) = cookie.max_age() {
        attributes.push(format!("Max-Age={}", age.whole_seconds()));
    }
    if cookie.expires_datetime().is_some() {
        attributes.push("Expires=…".to_owned());
    }
    if cookie.http_only() == Some(true) {
        attributes.push("HttpOnly".to_owned());
    }
    if cookie.secure() == Some(true) {
        attributes.push("Secure".to_owned());
    }
    if let Some(same_site) = cookie.same_site() {
        attributes.push(format!("SameSite={same_site}"));
    }
    let removal = cookie.value().is_empty()
        || cookie
            .max_age()
            .is_some_and(|age| age.is_zero() || age.is_negative());
    ShownSetCookie {
        name: cookie.name().to_owned(),
        value: shorten(cookie.value()),
        attributes: attributes.join("; "),
        removal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(n: u64) -> Exchange {
        Exchange {
            at: n,
            method: "GET".into(),
            target: format!("/jwt/dashboard?n={n}"),
            status: 200,
            location: None,
            cookies: Vec::new(),
            authorization: None,
            set_cookies: Vec::new(),
        }
    }

    #[test]
    fn memory_is_bounded_per_browser_and_in_browsers() {
        let recorder = Recorder::default();

        for n in 0..(MAX_EXCHANGES as u64 + 5) {
            recorder.record("first", exchange(n));
        }
        for b in 0..MAX_BROWSERS + 3 {
            recorder.record(&format!("other-{b}"), exchange(0));
        }

        assert_eq!(recorder.browsers(), MAX_BROWSERS);
        assert!(
            recorder.exchanges_of("first").is_empty(),
            "least recently seen dropped"
        );
        assert_eq!(
            recorder
                .exchanges_of(&format!("other-{}", MAX_BROWSERS + 2))
                .len(),
            1
        );
    }

    #[test]
    fn a_trail_keeps_the_latest_exchanges() {
        let recorder = Recorder::default();

        for n in 0..(MAX_EXCHANGES as u64 + 5) {
            recorder.record("b", exchange(n));
        }

        let kept = recorder.exchanges_of("b");
        assert_eq!(kept.len(), MAX_EXCHANGES);
        assert_eq!(kept[0].at, 5);
    }

    #[test]
    fn values_are_shortened_so_they_cannot_be_used() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

        let shown = shorten(token);

        assert!(shown.starts_with("eyJhbGciOiJI"));
        assert!(shown.contains(&format!("({} bytes)", token.len())));
        assert!(!shown.contains("c2lnbmF0dXJl"));
    }
}
