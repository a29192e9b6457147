//! The harness's HTTP side: log in through the real API, present the credential a real client
//! would, and count what it costs on the wire. Which credential that is, the mount says
//! ([`MountInfo::credential`]): a bearer token where its API hands one out, else its cookie.

use std::time::Duration;

use authlab_core::MountInfo;
use reqwest::{header, StatusCode};

/// What a client sends to prove who it is: one header.
#[derive(Debug, Clone)]
pub struct Credential {
    pub header: header::HeaderName,
    pub value: String,
}

impl Credential {
    /// Bytes of the header line on the wire (`Name: value`, without the CRLF).
    pub fn wire_bytes(&self) -> usize {
        self.header.as_str().len() + 2 + self.value.len()
    }
}

/// The demo accounts, used in turn.
const USERS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()?)
}

/// What a login hands a client: the credential it presents, and the refresh token of an
/// OAuth 2.0 token response where the mount's login answers one (`/refresh`).
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub credential: Credential,
    pub refresh_token: Option<String>,
}

/// `POST /{b}/api/login` as user number `i`; the credential the API hands back: the bearer token
/// where the mount's API speaks bearer tokens, its cookie otherwise.
pub async fn login(
    http: &reqwest::Client,
    base: &str,
    mount: &MountInfo,
    i: usize,
) -> anyhow::Result<Credential> {
    Ok(log_in(http, base, mount, i).await?.credential)
}

/// [`login`], keeping the refresh token too.
pub async fn log_in(
    http: &reqwest::Client,
    base: &str,
    mount: &MountInfo,
    i: usize,
) -> anyhow::Result<LoggedIn> {
    let (username, password) = USERS[i % USERS.len()];
    let prefix = mount.slug.prefix();
    let response = http
        .post(format!("{base}{}", mount.slug.path("api/login")))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "login on {prefix} answered {}",
        response.status()
    );
    if mount.credential.bearer {
        let body: serde_json::Value = response.json().await?;
        // `token`, or the `access_token` of an OAuth 2.0 token response (`/refresh`).
        let token = body["token"]
            .as_str()
            .or_else(|| body["access_token"].as_str())
            .ok_or_else(|| anyhow::anyhow!("login on {prefix} returned no token"))?;
        return Ok(LoggedIn {
            credential: Credential {
                header: header::AUTHORIZATION,
                value: format!("Bearer {token}"),
            },
            refresh_token: body["refresh_token"].as_str().map(str::to_owned),
        });
    }
    let name = mount
        .credential
        .cookie
        .ok_or_else(|| anyhow::anyhow!("{prefix} has neither a bearer token nor a cookie"))?;
    let cookie = cookie_pair(&response, name.as_str())
        .ok_or_else(|| anyhow::anyhow!("login on {prefix} set no {name} cookie"))?;
    Ok(LoggedIn {
        credential: Credential {
            header: header::COOKIE,
            value: cookie,
        },
        refresh_token: None,
    })
}

/// The form body of an OAuth 2.0 refresh (RFC 6749 §6), as a client sends it.
pub fn refresh_form(refresh_token: &str) -> String {
    format!("grant_type=refresh_token&refresh_token={refresh_token}")
}

/// One refresh at the token endpoint, and what it cost on the wire.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The next refresh token of the login (the one sent is spent).
    pub refresh_token: String,
    /// The form body sent, in bytes.
    pub request_body_bytes: usize,
    /// The JSON token response, in bytes.
    pub response_body_bytes: usize,
}

/// `POST /{b}/api/token` with `grant_type=refresh_token`, whatever it answers.
pub async fn post_refresh(
    http: &reqwest::Client,
    url: &str,
    refresh_token: &str,
) -> reqwest::Result<reqwest::Response> {
    http.post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(refresh_form(refresh_token))
        .send()
        .await
}

/// [`post_refresh`], expecting a new token pair: the pair, or an error saying
/// what the endpoint answered.
pub async fn refresh(
    http: &reqwest::Client,
    url: &str,
    refresh_token: &str,
) -> anyhow::Result<Refreshed> {
    let request_body_bytes = refresh_form(refresh_token).len();
    let response = post_refresh(http, url, refresh_token).await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    anyhow::ensure!(
        status == StatusCode::OK,
        "the token endpoint answered {status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    let answer: serde_json::Value = serde_json::from_slice(&bytes)?;
    let refresh_token = answer["refresh_token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the token endpoint answered no refresh_token"))?
        .to_owned();
    Ok(Refreshed {
        refresh_token,
        request_body_bytes,
        response_body_bytes: bytes.len(),
    })
}

/// Log in `n` users on `mount`, four at a time (each login is one argon2id verification, which
/// the server runs on its blocking pool).
pub async fn login_many(
    http: &reqwest::Client,
    base: &str,
    mount: &'static MountInfo,
    n: usize,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Vec<Credential>> {
    let mut credentials = Vec::with_capacity(n);
    let mut next = 0usize;
    let mut running = tokio::task::JoinSet::new();
    while credentials.len() < n {
        while next < n && running.len() < 4 {
            let (http, base) = (http.clone(), base.to_owned());
            let i = next;
            running.spawn(async move { login(&http, &base, mount, i).await });
            next += 1;
        }
        if let Some(done) = running.join_next().await {
            credentials.push(done??);
            progress.inc(1);
        }
    }
    Ok(credentials)
}

/// `POST /{b}/api/logout` with the credential; the status.
pub async fn logout(
    http: &reqwest::Client,
    base: &str,
    mount: &MountInfo,
    credential: &Credential,
) -> anyhow::Result<StatusCode> {
    let response = http
        .post(format!("{base}{}", mount.slug.path("api/logout")))
        .header(credential.header.clone(), credential.value.clone())
        .send()
        .await?;
    let status = response.status();
    let _ = response.bytes().await;
    Ok(status)
}

/// `GET /{b}/api/me` with the credential; the status.
pub async fn me(
    http: &reqwest::Client,
    base: &str,
    mount: &MountInfo,
    credential: Option<&Credential>,
) -> anyhow::Result<StatusCode> {
    let mut request = http.get(format!("{base}{}", mount.slug.path("api/me")));
    if let Some(c) = credential {
        request = request.header(c.header.clone(), c.value.clone());
    }
    let response = request.send().await?;
    let status = response.status();
    // Read the body so the connection goes back to the pool.
    let _ = response.bytes().await;
    Ok(status)
}

/// The share of `credentials` that `base` still accepts on `mount` (200 from `/api/me`).
pub async fn share_authenticated(
    http: &reqwest::Client,
    base: &str,
    mount: &MountInfo,
    credentials: &[Credential],
) -> anyhow::Result<f64> {
    let mut ok = 0usize;
    for credential in credentials {
        if me(http, base, mount, Some(credential)).await? == StatusCode::OK {
            ok += 1;
        }
    }
    Ok(ok as f64 / credentials.len().max(1) as f64)
}

/// The teacher's password of every benchmarked server (`AUTHLAB_TEACHER_PASSWORD`): the classroom
/// tools the benchmarks press (rotate) answer only the teacher.
pub const TEACHER_PASSWORD: &str = "the-benchmarks-teacher";

/// The `Set-Cookie` pair named `name` of a response, as `name=value`.
fn cookie_pair(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The form token in a page's HTML.
fn csrf_field(html: &str) -> Option<String> {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

/// Log in as the teacher, as a browser would: the `Cookie` header (the CSRF seed and the
/// teacher's pass) and a form token for later posts.
async fn as_teacher(http: &reqwest::Client, base: &str) -> anyhow::Result<(String, String)> {
    let page = http.get(format!("{base}/teacher")).send().await?;
    let seed = cookie_pair(&page, "authlab_csrf")
        .ok_or_else(|| anyhow::anyhow!("/teacher set no CSRF cookie"))?;
    let token = csrf_field(&page.text().await?)
        .ok_or_else(|| anyhow::anyhow!("/teacher's form has no CSRF field"))?;
    let login = http
        .post(format!("{base}/teacher/login"))
        .header(header::COOKIE, &seed)
        .form(&[("password", TEACHER_PASSWORD), ("csrf", token.as_str())])
        .send()
        .await?;
    let pass = cookie_pair(&login, "authlab_teacher").ok_or_else(|| {
        anyhow::anyhow!(
            "the teacher's login answered {} without a pass",
            login.status()
        )
    })?;
    Ok((format!("{seed}; {pass}"), token))
}

/// How the rotate lab replaces the JWT key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The old key keeps verifying until its tokens expire: nobody is logged out.
    Overlap,
    /// A leaked key: every old key leaves the ring at once.
    Emergency,
}

/// Press the rotate lab's button as the teacher, while the server runs, as a user of the lab
/// does: fetch the page (its CSRF cookie and token), then post its form.
pub async fn rotate_key(
    http: &reqwest::Client,
    base: &str,
    rotation: Rotation,
) -> anyhow::Result<()> {
    let (cookies, token) = as_teacher(http, base).await?;
    let mode = match rotation {
        Rotation::Overlap => "overlap",
        Rotation::Emergency => "emergency",
    };
    let response = http
        .post(format!("{base}/labs/rotate"))
        .header(header::COOKIE, cookies)
        .form(&[("mode", mode), ("csrf", token.as_str())])
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "the rotate lab answered {}",
        response.status()
    );
    let body = response.text().await?;
    let said = match rotation {
        Rotation::Overlap => "nobody was logged out",
        Rotation::Emergency => "every /jwt token signed before now is refused",
    };
    anyhow::ensure!(
        body.contains(said),
        "the rotate lab did not rotate as asked ({mode})"
    );
    Ok(())
}
