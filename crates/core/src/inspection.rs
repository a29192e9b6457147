//! What the dashboard's inspector shows: where a login lives, as data.
//!
//! Each backend describes its own state ([`crate::AuthBackend::inspect`]) in these neutral
//! terms, and one template renders them for every mount. That keeps the lesson honest: the page
//! never says "Redis holds your session" because a template was written for `/session`; it says
//! so because the backend just read the record back from Redis.

use serde::Serialize;

/// The two halves of a login: what the browser holds and what the server holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inspection {
    /// The cookie that carried this request's login, when it came in a cookie.
    pub cookie: Option<CookieFacts>,
    /// The token, when the credential is a JWT (from the cookie or a bearer header).
    pub token: Option<TokenFacts>,
    /// Words about what the cookie's value is (an encrypted session id, a signed token).
    pub credential_note: String,
    pub server: ServerFacts,
}

/// A cookie as the browser keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct CookieFacts {
    pub name: String,
    pub value: String,
    /// The attributes the server set it with (`HttpOnly`, `Secure`, `SameSite=Lax`, `Path=…`).
    pub flags: Vec<String>,
    /// Bytes the browser sends back on every request: `name=value` in the `Cookie` header.
    pub sent_bytes: usize,
}

/// How a backend set its login cookie; both backends set theirs the same way (HttpOnly,
/// SameSite=Lax, scoped to their mount), so one description serves both.
pub struct CookieSetting<'a> {
    pub name: &'a str,
    pub secure: bool,
    pub path: &'a str,
    pub max_age_secs: u64,
}

impl CookieFacts {
    pub fn of(setting: CookieSetting<'_>, value: &str) -> Self {
        let mut flags = vec!["HttpOnly".to_owned()];
        if setting.secure {
            flags.push("Secure".to_owned());
        }
        flags.push("SameSite=Lax".to_owned());
        flags.push(format!("Path={}", setting.path));
        flags.push(format!("Max-Age={}", setting.max_age_secs));
        CookieFacts {
            name: setting.name.to_owned(),
            value: value.to_owned(),
            sent_bytes: setting.name.len() + 1 + value.len(),
            flags,
        }
    }
}

/// A JWT split into its three base64url parts, with the first two decoded.
#[derive(Debug, Clone, Serialize)]
pub struct TokenFacts {
    pub header: String,
    pub payload: String,
    pub signature: String,
    /// The decoded header and payload, pretty-printed JSON (anyone can do this: no key needed).
    pub header_json: String,
    pub payload_json: String,
    /// `iat` and `exp`, in seconds since the Unix epoch, when present.
    pub issued_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// What the server keeps for logins like this one.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServerFacts {
    /// Where: "Redis", "this server process's memory", or "nothing".
    pub store: String,
    /// One or two sentences a student reads.
    pub explanation: String,
    /// Records shown in full (this login's own record, and for a small store its neighbours).
    pub records: Vec<StoredRecord>,
    /// How many such records the store holds now.
    pub count: Option<RecordCount>,
}

/// One record in a store.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRecord {
    pub key: String,
    pub value: String,
    /// Seconds until the store forgets it; `None` when it never expires by itself.
    pub ttl_seconds: Option<i64>,
    /// Bytes the store spends on it (Redis `MEMORY USAGE`; an estimate for the in-process map).
    pub size_bytes: Option<u64>,
    /// Whether this is the record of the request being inspected.
    pub yours: bool,
}

/// A count of records, possibly cut short so that counting stays cheap.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCount {
    /// What is counted, in the plural ("live sessions", "revoked token ids").
    pub what: String,
    /// The same in the singular ("live session"), for a count of exactly one.
    pub one: String,
    pub count: u64,
    /// Counting stopped at a bound: there are at least `count`.
    pub at_least: bool,
    /// Bytes all of them take, when the store can say.
    pub total_bytes: Option<u64>,
}

impl RecordCount {
    /// The noun that goes with the count: "1 live session", "2 live sessions".
    pub fn noun(&self) -> &str {
        if self.count == 1 && !self.at_least {
            &self.one
        } else {
            &self.what
        }
    }
}

impl ServerFacts {
    /// A backend that keeps nothing per login.
    pub fn nothing(explanation: impl Into<String>) -> Self {
        ServerFacts {
            store: "nothing".to_owned(),
            explanation: explanation.into(),
            records: Vec::new(),
            count: None,
        }
    }
}
