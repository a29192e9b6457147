//! Browser tests: the real app on a real port, a real `redis-server`, and a real headless
//! Chromium clicking through the pages as a student would.
//!
//! Few and broad on purpose: each test starts a browser (about a second) and walks a whole lesson,
//! then checks what no HTTP-level test can see: the page as rendered, the console, and every
//! request the browser made. One binary with one module per lesson, so the suite links once.

mod compare;
mod diagrams;
mod inspector;
mod labs;
mod lesson;
mod login;
mod rejections;

use authlab_testkit::MountSlug;
use authlab_testkit::{Browser, RedisServer, TestApp};
use tokio::sync::{Semaphore, SemaphorePermit};

/// At most this many browsers at once: each is a few Chromium processes, and CI has two cores.
static BROWSER_SLOTS: Semaphore = Semaphore::const_new(2);

/// What a browser test needs: Redis, the app, and one browser pointed at it.
pub struct Classroom {
    pub browser: Browser,
    _slot: SemaphorePermit<'static>,
    pub app: TestApp,
    // Kept alive for the app; dropped last.
    pub redis: RedisServer,
}

impl Classroom {
    pub async fn open() -> Classroom {
        let redis = RedisServer::start().expect("redis-server");
        let app = TestApp::spawn(&redis).await;
        Self::with_app(redis, app).await
    }

    pub async fn with_app(redis: RedisServer, app: TestApp) -> Classroom {
        Self::with_browser(redis, app, Browser::launch).await
    }

    /// The app with a browser made by `launch` (e.g. one with JavaScript off).
    pub async fn with_browser<F, Fut>(redis: RedisServer, app: TestApp, launch: F) -> Classroom
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<Browser>>,
    {
        let slot = BROWSER_SLOTS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let browser = launch().await.unwrap_or_else(|err| panic!("{err:#}"));
        Classroom {
            browser,
            _slot: slot,
            app,
            redis,
        }
    }

    /// The absolute URL of `path` on the app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.base_url())
    }

    /// Log in through the form of `mount`, as a student types it.
    pub async fn log_in(&self, mount: MountSlug, (username, password): (&str, &str)) {
        self.browser
            .open(&self.url(&format!("/{mount}/login")))
            .await
            .expect("open the login page");
        self.browser
            .submit_form(
                "form.login",
                &[("username", username), ("password", password)],
            )
            .await
            .expect("submit the login form");
    }

    /// The checks every lesson ends with: no console error, no request that left this machine.
    pub async fn assert_clean(&self) {
        let errors = self.browser.console_errors().await.expect("console log");
        assert!(errors.is_empty(), "console errors: {errors:#?}");
        let outside = self
            .browser
            .requests_leaving_this_machine()
            .await
            .expect("network log");
        assert!(outside.is_empty(), "requests to other hosts: {outside:#?}");
        let requested = self.browser.requested_urls().await.expect("network log");
        assert!(
            requested.iter().any(|u| u.starts_with(self.app.base_url())),
            "the network log recorded no request to the app, so the check above proves nothing"
        );
    }

    pub async fn close(self) {
        self.browser.close().await;
    }
}
