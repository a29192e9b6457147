//! Requests from the server to itself, so that a lab's result is what the real stack answers.
//!
//! "Replay the old cookie" or "send the forged token" could be simulated by calling the verifier
//! directly, but then the lab would show what the code is supposed to do, not what the server
//! does. So a lab sends a real HTTP request to the address this server listens on, through every
//! middleware, exactly as the curl line on the page would, and shows the status and body it got.
//! Such requests carry [`LOOPBACK_HEADER`] so the walkthrough does not file them as a new browser.

use std::{net::SocketAddr, sync::OnceLock, time::Duration};

use actix_web::HttpRequest;
use reqwest::{header, Method};

pub const LOOPBACK_HEADER: &str = "x-authlab-loopback";
const TIMEOUT: Duration = Duration::from_secs(5);

/// What came back.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub set_cookies: Vec<String>,
}

impl Answer {
    /// The rejection code of a JSON error body (`reason`), if it is one.
    pub fn error_code(&self) -> Option<String> {
        self.json_field("reason")
    }

    /// A string field of a JSON body.
    pub fn json_field(&self, name: &str) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()?
            .get(name)?
            .as_str()
            .map(str::to_owned)
    }

    /// The bearer token of a login answer: `token`, or an OAuth 2.0 `access_token` (`/refresh`).
    pub fn bearer_token(&self) -> Option<String> {
        self.json_field("token")
            .or_else(|| self.json_field("access_token"))
    }

    /// The value a `Set-Cookie` of this answer gave `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies.iter().find_map(|line| {
            let pair = line.split(';').next()?;
            let (n, v) = pair.split_once('=')?;
            (n.trim() == name && !v.is_empty()).then(|| v.trim().to_owned())
        })
    }
}

fn client() -> Option<&'static reqwest::Client> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .no_proxy()
                .build()
                .ok()
        })
        .as_ref()
}

/// Where this server can reach itself: the address the request came in on, with an unspecified
/// bind address (`0.0.0.0`) replaced by loopback.
pub fn self_address(req: &HttpRequest) -> SocketAddr {
    let mut addr = req.app_config().local_addr();
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    addr
}

/// Send `method path` to this server with extra headers (and a JSON body if given).
pub async fn send(
    req: &HttpRequest,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    json: Option<serde_json::Value>,
) -> Result<Answer, String> {
    let client = client().ok_or("no HTTP client could be built")?;
    let url = format!("http://{}{path}", self_address(req));
    let mut request = client.request(method, url).header(LOOPBACK_HEADER, "1");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    if let Some(body) = json {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.map_err(|err| err.to_string())?;
    let status = response.status().as_u16();
    let set_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    let body = response.text().await.map_err(|err| err.to_string())?;
    Ok(Answer {
        status,
        body,
        set_cookies,
    })
}
