//! An HTTP client that behaves like a browser where it matters to these tests: it keeps the
//! cookies it is given (honouring Path and removal), and it does not follow redirects, so a test
//! can see every 303.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use actix_web::cookie::{time::OffsetDateTime, Cookie};
use reqwest::{header, Method, StatusCode};

/// A response read to the end, with its `Set-Cookie` headers parsed.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
    pub set_cookies: Vec<Cookie<'static>>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookie(&self, name: &str) -> Option<&Cookie<'static>> {
        self.set_cookies.iter().find(|c| c.name() == name)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("expected JSON, got {err}: {}", self.body))
    }
}

/// The cookies a browser would hold for one site.
#[derive(Debug, Default, Clone)]
pub struct CookieJar {
    cookies: Arc<Mutex<BTreeMap<String, Cookie<'static>>>>,
}

impl CookieJar {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Cookie<'static>>> {
        self.cookies.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.lock().get(name).map(|c| c.value().to_owned())
    }

    /// Plant or overwrite a cookie, as an attacker or a tampering student would.
    pub fn set(&self, name: &str, value: &str) {
        let mut cookie = Cookie::new(name.to_owned(), value.to_owned());
        cookie.set_path("/");
        self.lock().insert(name.to_owned(), cookie);
    }

    pub fn remove(&self, name: &str) {
        self.lock().remove(name);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// The `Cookie` header for a request to `path`.
    pub fn header_for(&self, path: &str) -> Option<String> {
        let pairs: Vec<String> = self
            .lock()
            .values()
            .filter(|c| path_matches(c.path().unwrap_or("/"), path))
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    fn absorb(&self, cookies: &[Cookie<'static>]) {
        let mut jar = self.lock();
        for cookie in cookies {
            let expired = cookie
                .max_age()
                .is_some_and(|age| age.is_zero() || age.is_negative())
                || cookie
                    .expires_datetime()
                    .is_some_and(|at| at <= OffsetDateTime::now_utc());
            if expired {
                jar.remove(cookie.name());
            } else {
                jar.insert(cookie.name().to_owned(), cookie.clone());
            }
        }
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

/// Sends requests to one base URL with one cookie jar.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub jar: CookieJar,
}

impl Client {
    pub fn new(base: String) -> Self {
        Self::from_address(base, None)
    }

    /// A client whose connections leave from `address` (any of 127.0.0.0/8 works on Linux), to
    /// play a second person on another machine.
    pub fn from_address(base: String, address: Option<std::net::IpAddr>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(address)
            .build()
            .expect("a reqwest client with no TLS and no proxy always builds");
        Client {
            base,
            http,
            jar: CookieJar::default(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn set_base(&mut self, base: String) {
        self.base = base;
    }

    /// Send a request; `prepare` adds a body or headers. Cookies from the jar go along.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        prepare: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> TestResponse {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookies) = self.jar.header_for(path.split('?').next().unwrap_or(path)) {
            request = request.header(header::COOKIE, cookies);
        }
        let response = prepare(request)
            .send()
            .await
            .unwrap_or_else(|err| panic!("request to {path} failed: {err}"));
        let status = response.status();
        let headers = response.headers().clone();
        let set_cookies: Vec<Cookie<'static>> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| Cookie::parse(v.to_owned()).ok())
            .collect();
        self.jar.absorb(&set_cookies);
        let body = response.text().await.unwrap_or_default();
        TestResponse {
            status,
            headers,
            body,
            set_cookies,
        }
    }
}

/// `name=value` of the `name` cookie a raw response sets, ready to send back in a `Cookie`
/// header: for the tests that drive a second browser by hand with plain reqwest.
pub fn set_cookie_pair(headers: &header::HeaderMap, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|pair| pair.starts_with(&prefix)))
        .map(str::to_owned)
}
