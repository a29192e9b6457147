//! The harness's HTTP side: log in through the real API, present the credential a real client
//! would, and count what it costs on the wire.

use std::{fmt, time::Duration};

use reqwest::{header, StatusCode};

/// The mounts of the URL contract, plus the unauthenticated baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mount {
    Session,
    Memory,
    Jwt,
    Baseline,
}

impl Mount {
    pub const LOGIN: [Mount; 3] = [Mount::Session, Mount::Memory, Mount::Jwt];
    pub const ALL: [Mount; 4] = [Mount::Baseline, Mount::Session, Mount::Memory, Mount::Jwt];

    pub fn slug(self) -> &'static str {
        match self {
            Mount::Session => "session",
            Mount::Memory => "memory",
            Mount::Jwt => "jwt",
            Mount::Baseline => "baseline",
        }
    }
}

impl fmt::Display for Mount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.slug())
    }
}

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

/// `POST /{b}/api/login` as user number `i`; the credential the API hands back: the bearer token
/// for `/jwt`, the session cookie for the session mounts.
pub async fn login(
    http: &reqwest::Client,
    base: &str,
    mount: Mount,
    i: usize,
) -> anyhow::Result<Credential> {
    let (username, password) = USERS[i % USERS.len()];
    let response = http
        .post(format!("{base}/{}/api/login", mount.slug()))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "login on {mount} answered {}",
        response.status()
    );
    if mount == Mount::Jwt {
        let body: serde_json::Value = response.json().await?;
        let token = body["token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("login on /jwt returned no token"))?;
        return Ok(Credential {
            header: header::AUTHORIZATION,
            value: format!("Bearer {token}"),
        });
    }
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("authlab_{}=", mount.slug())))
        .ok_or_else(|| anyhow::anyhow!("login on {mount} set no session cookie"))?;
    Ok(Credential {
        header: header::COOKIE,
        value: cookie.to_owned(),
    })
}

/// Log in `n` users on `mount`, four at a time (each login is one argon2id verification, which
/// the server runs on its blocking pool).
pub async fn login_many(
    http: &reqwest::Client,
    base: &str,
    mount: Mount,
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

/// `GET /{b}/api/me` with the credential; the status.
pub async fn me(
    http: &reqwest::Client,
    base: &str,
    mount: Mount,
    credential: Option<&Credential>,
) -> anyhow::Result<StatusCode> {
    let mut request = http.get(format!("{base}/{}/api/me", mount.slug()));
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
    mount: Mount,
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
