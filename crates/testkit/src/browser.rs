//! A real headless Chromium, driven over WebDriver, for the tests that must see what a student sees.
//!
//! Why WebDriver (fantoccini + Debian's `chromedriver`) rather than the DevTools protocol
//! directly: the standard commands (open, fill, click, read text, screenshot) are all a test
//! needs, the client is small, and chromedriver still hands out the two things only DevTools
//! knows (the console and every network request) through its log endpoint, so a test can assert
//! "no console errors" and "no request left 127.0.0.1" without a second protocol.
//!
//! Every [`Browser`] is a private chromedriver on a free port with a fresh profile directory,
//! started with the flags that keep Chromium from calling home (this machine refuses outbound
//! connections, and a classroom may have none). Chromedriver runs in its own process group, so
//! dropping the browser kills Chromium too, even when a test panics half-way.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU32, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use authlab_procs::free_port;
use fantoccini::{wd::Capabilities, Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Where Debian's `chromium` and `chromium-driver` packages put them; `.ci/run` installs both.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The flags of the brief: headless, no sandbox (root in a container), and no background
/// traffic (updates, sync, safe browsing, QUIC probes) that would try to reach the internet.
pub const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1400,1000",
];

static BROWSERS: AtomicU32 = AtomicU32::new(0);

/// One browser window with its own profile (cookies, storage), like one student's laptop.
pub struct Browser {
    client: Client,
    driver: Child,
    profile: PathBuf,
    /// Log entries already drained from chromedriver (reading its log empties it).
    console: Mutex<Vec<LogEntry>>,
    network: Mutex<Vec<String>>,
}

/// A console message: its level (`SEVERE`, `WARNING`, `INFO`) and text.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

impl Browser {
    /// Start chromedriver and a fresh headless Chromium. Fails with a clear message when either
    /// program is missing.
    pub async fn launch() -> anyhow::Result<Browser> {
        Self::launch_with(true).await
    }

    /// A browser whose pages run no script at all: the pages must still work (progressive
    /// enhancement). The test's own WebDriver commands still run.
    pub async fn launch_without_javascript() -> anyhow::Result<Browser> {
        Self::launch_with(false).await
    }

    async fn launch_with(javascript: bool) -> anyhow::Result<Browser> {
        let chromium = program("AUTHLAB_CHROMIUM", CHROMIUM, "chromium")?;
        let chromedriver = program("AUTHLAB_CHROMEDRIVER", CHROMEDRIVER, "chromium-driver")?;
        let port = free_port()?;
        let n = BROWSERS.fetch_add(1, Ordering::Relaxed);
        let profile =
            std::env::temp_dir().join(format!("authlab-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)?;

        let mut command = Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Own process group: see `Drop`.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .spawn()
            .with_context(|| format!("cannot start {}", chromedriver.display()))?;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "binary": chromium, "args": args }),
        );
        capabilities.insert(
            "goog:loggingPrefs".to_owned(),
            json!({ "browser": "ALL", "performance": "ALL" }),
        );

        let webdriver = format!("http://127.0.0.1:{port}");
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(capabilities);
        // Chromedriver takes a moment to listen; retry the session until it does.
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match builder.connect(&webdriver).await {
                Ok(client) => break Ok(client),
                // Connection refused while chromedriver starts: expected, retried.
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => break Err(err),
            }
        };
        let mut browser = Browser {
            client: match client {
                Ok(client) => client,
                Err(err) => {
                    kill_group(driver.id());
                    bail!("chromedriver did not open a Chromium session within 30 s: {err}");
                }
            },
            driver,
            profile,
            console: Mutex::new(Vec::new()),
            network: Mutex::new(Vec::new()),
        };
        browser.set_timeouts().await?;
        Ok(browser)
    }

    async fn set_timeouts(&mut self) -> anyhow::Result<()> {
        self.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(20)),
                Some(Duration::ZERO),
            ))
            .await?;
        Ok(())
    }

    /// The WebDriver client, for what these helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Load `url` and wait for it (and its scripts) to finish loading.
    pub async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("open {url}"))?;
        Ok(())
    }

    /// The path of the page the browser shows (after any redirects).
    pub async fn current_path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    /// Type `value` into the field matched by the CSS `selector`, replacing what was there.
    pub async fn fill(&self, selector: &str, value: &str) -> anyhow::Result<()> {
        let field = self.find(selector).await?;
        field.clear().await?;
        field.send_keys(value).await?;
        Ok(())
    }

    /// Click the element matched by `selector` (a link or a submit button) and wait until the
    /// page it leads to has loaded.
    pub async fn click(&self, selector: &str) -> anyhow::Result<()> {
        // Mark the current document: a new one will not carry the mark, even when it has the
        // same URL (a failed login posts back to the login page).
        self.eval("window.__authlabOldPage = true; return null")
            .await?;
        self.find(selector).await?.click().await?;
        self.wait_for_new_page().await
    }

    /// Click something that changes the page without leaving it (a script's button).
    pub async fn click_in_place(&self, selector: &str) -> anyhow::Result<()> {
        self.find(selector).await?.click().await?;
        Ok(())
    }

    /// Fill the fields of the form matched by `form_selector` (by `name`) and press its submit
    /// button, as a user would.
    pub async fn submit_form(
        &self,
        form_selector: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<()> {
        for (name, value) in fields {
            self.fill(&format!("{form_selector} [name=\"{name}\"]"), value)
                .await?;
        }
        self.click(&format!("{form_selector} [type=\"submit\"]"))
            .await
    }

    /// The visible text of the element matched by `selector`.
    pub async fn text(&self, selector: &str) -> anyhow::Result<String> {
        Ok(self.find(selector).await?.text().await?)
    }

    /// Whether an element matches `selector` on the current page.
    pub async fn has(&self, selector: &str) -> anyhow::Result<bool> {
        Ok(!self
            .client
            .find_all(Locator::Css(selector))
            .await?
            .is_empty())
    }

    /// An attribute of the element matched by `selector`.
    pub async fn attr(&self, selector: &str, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self.find(selector).await?.attr(name).await?)
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> anyhow::Result<String> {
        self.text("body").await
    }

    /// Work inside the iframe matched by `selector` until [`Browser::leave_frame`].
    pub async fn enter_frame(&self, selector: &str) -> anyhow::Result<()> {
        self.find(selector).await?.enter_frame().await?;
        Ok(())
    }

    pub async fn leave_frame(&self) -> anyhow::Result<()> {
        self.client.enter_parent_frame().await?;
        Ok(())
    }

    /// Run `script` in the page and return what it returns (JSON).
    pub async fn eval(&self, script: &str) -> anyhow::Result<Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// The value of a cookie of the current site, if the browser holds one.
    pub async fn cookie(&self, name: &str) -> anyhow::Result<Option<String>> {
        let cookies = self.client.get_all_cookies().await?;
        Ok(cookies
            .into_iter()
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned()))
    }

    /// Replace the cookie `name` scoped to `path` with `value`, as a student editing it in the
    /// developer tools would. The browser must be on a page of the app. (WebDriver cannot set
    /// HttpOnly; the server reads only the value.)
    pub async fn set_cookie(&self, name: &str, value: &str, path: &str) -> anyhow::Result<()> {
        // Keep the flags of the cookie being replaced: Chromium refuses `SameSite=None` without
        // `Secure`, and a non-Secure cookie may not shadow a Secure one.
        let secure = match self.client.get_named_cookie(name).await {
            Ok(existing) => existing.secure().unwrap_or(false),
            Err(_) => false,
        };
        let _ = self.client.delete_cookie(name).await;
        let secure = if secure { "; Secure" } else { "" };
        let mut cookie = fantoccini::cookies::Cookie::parse(format!(
            "{name}={value}; Path={path}; SameSite=Lax{secure}"
        ))
        .with_context(|| format!("not a cookie: {name}={value}"))?;
        // Chromedriver refuses a cookie without a domain; use the current page's host.
        if let Some(host) = self.client.current_url().await?.host_str() {
            cookie.set_domain(host.to_owned());
        }
        self.client.add_cookie(cookie).await?;
        Ok(())
    }

    /// Every URL the browser requested since it started (documents, frames, scripts, styles,
    /// images, fetches), from Chromium's own network events.
    pub async fn requested_urls(&self) -> anyhow::Result<Vec<String>> {
        self.drain_logs().await?;
        Ok(self.lock_network().clone())
    }

    /// The requested URLs whose host is not a loopback address: what must stay empty offline.
    pub async fn requests_leaving_this_machine(&self) -> anyhow::Result<Vec<String>> {
        Ok(self
            .requested_urls()
            .await?
            .into_iter()
            .filter(|u| !is_local(u))
            .collect())
    }

    /// Every console message since the browser started (including CSP violations and failed
    /// loads, which Chromium reports there).
    pub async fn console(&self) -> anyhow::Result<Vec<LogEntry>> {
        self.drain_logs().await?;
        Ok(self.lock_console().clone())
    }

    /// Console messages of level `SEVERE`: errors the classroom must never see.
    pub async fn console_errors(&self) -> anyhow::Result<Vec<String>> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .map(|e| e.message)
            .collect())
    }

    /// Save the whole page (not just the window) as `target/browser-screenshots/{name}.png`;
    /// returns the path. The window is stretched to the page's height for the shot.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let (width, height) = self.client.get_window_size().await?;
        let page_height = self
            .eval("return document.documentElement.scrollHeight")
            .await?
            .as_u64()
            .unwrap_or(height);
        let stretched = u32::try_from(page_height.clamp(height, 6000)).unwrap_or(6000);
        let width32 = u32::try_from(width).unwrap_or(1400);
        self.client.set_window_size(width32, stretched).await?;
        self.eval("window.scrollTo(0, 0); return null").await?;
        let png = self.client.screenshot().await;
        self.client
            .set_window_size(width32, u32::try_from(height).unwrap_or(1000))
            .await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png?)?;
        Ok(path)
    }

    /// End the session and Chromium. Dropping does it too, less politely.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop ends chromedriver and any Chromium process left behind.
    }

    async fn find(&self, selector: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .find(Locator::Css(selector))
            .await
            .with_context(|| format!("no element matches `{selector}` on the page"))
    }

    async fn wait_for_new_page(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self
                .eval("return window.__authlabOldPage === true ? 'old' : document.readyState")
                .await?;
            if state == "complete" {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "no new page finished loading within 20 s (still {state} at {})",
                    self.client.current_url().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn drain_logs(&self) -> anyhow::Result<()> {
        let console = self.client.issue_cmd(GetLog("browser")).await?;
        let performance = self.client.issue_cmd(GetLog("performance")).await?;
        let mut kept = self.lock_console();
        for entry in console.as_array().into_iter().flatten() {
            kept.push(LogEntry {
                level: entry["level"].as_str().unwrap_or_default().to_owned(),
                message: entry["message"].as_str().unwrap_or_default().to_owned(),
            });
        }
        drop(kept);
        let mut network = self.lock_network();
        for entry in performance.as_array().into_iter().flatten() {
            // Each message is a DevTools event, serialised as a string.
            let Some(text) = entry["message"].as_str() else {
                continue;
            };
            let Ok(event) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if event["message"]["method"] == "Network.requestWillBeSent" {
                if let Some(url) = event["message"]["params"]["request"]["url"].as_str() {
                    network.push(url.to_owned());
                }
            }
        }
        Ok(())
    }

    // A test that panicked while holding a lock leaves a log that is still worth reading.
    fn lock_console(&self) -> std::sync::MutexGuard<'_, Vec<LogEntry>> {
        self.console
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_network(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.network
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(self.driver.id());
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Chromedriver's log endpoint (not in the W3C standard, kept by chromedriver for Selenium).
#[derive(Debug)]
struct GetLog(&'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": self.0 }).to_string()),
        )
    }
}

/// Kill chromedriver and every Chromium process it started (they share its process group).
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The program at `$env_var`, else at `default`, else a clear error naming the Debian package.
fn program(env_var: &str, default: &str, package: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    if path.is_file() {
        return Ok(path);
    }
    bail!(
        "{} not found: the browser tests need Debian's `{package}` package \
         (`apt-get install -y chromium chromium-driver`, which `.ci/run` does), \
         or set {env_var} to the program",
        path.display()
    )
}

/// Whether fetching `url` stays on this machine. Only network schemes can leave it; Chromium's
/// own pages (`chrome://`, the new-tab page it opens first) and `data:`/`blob:`/`about:` URLs
/// never touch the network.
fn is_local(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https" | "ws" | "wss" | "ftp") {
        return true;
    }
    match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// `target/browser-screenshots`, or under `$CARGO_TARGET_DIR` when set.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("browser-screenshots")
}

#[cfg(test)]
mod tests {
    use super::{is_local, program};

    #[test]
    fn a_missing_browser_is_a_clear_error_naming_the_package() {
        let err = program(
            "AUTHLAB_TEST_NEVER_SET",
            "/nonexistent/chromium",
            "chromium",
        )
        .expect_err("no such program");

        let message = err.to_string();
        assert!(
            message.contains("/nonexistent/chromium not found"),
            "{message}"
        );
        assert!(message.contains("apt-get install"), "{message}");
        assert!(message.contains("AUTHLAB_TEST_NEVER_SET"), "{message}");
    }

    #[test]
    fn only_loopback_counts_as_local() {
        assert!(is_local("http://127.0.0.1:8080/session/login"));
        assert!(is_local("http://localhost/"));
        assert!(is_local("http://[::1]:80/"));
        assert!(is_local("data:,"));
        assert!(is_local("chrome://resources/js/static_types.js"));
        assert!(!is_local("https://cdn.example.com/app.js"));
        assert!(!is_local("http://192.168.1.10/"));
        assert!(!is_local("wss://push.example.net/"));
        assert!(!is_local("not a url"));
    }
}
