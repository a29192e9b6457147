//! The real app on a real port, driven like a browser would drive it.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
    thread::JoinHandle,
    time::Duration,
};

use std::{net::SocketAddr, sync::Arc};

use authlab::AppState;
use authlab_core::{Secret, UserDirectory};
use authlab_jwt::{JwtSettings, KeyRing, TokenCodec};
use authlab_web::{keys::JWT_SECRET_FILE, Settings};
use reqwest::Method;
use tokio::sync::oneshot;

use crate::{client::Client, CookieJar, MountSlug, RedisCluster, RedisServer, TestResponse};

static APPS: AtomicU32 = AtomicU32::new(0);

/// The teacher's password of every test app (`AUTHLAB_TEACHER_PASSWORD`).
pub const TEACHER_PASSWORD: &str = "teacher-of-the-test-class";
/// The class code of every test app (`AUTHLAB_CLASS_CODE`).
pub const CLASS_CODE: &str = "TESTROOM";

/// One running instance of the app, on its own thread and actix runtime.
struct Instance {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    users: Arc<UserDirectory>,
    jwt_keys: Arc<KeyRing>,
}

impl Instance {
    fn start(settings: Settings) -> anyhow::Result<(Self, String)> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<
            anyhow::Result<(SocketAddr, Arc<UserDirectory>, Arc<KeyRing>)>,
        >();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let running = AppState::new(settings).and_then(|state| {
                    let handles = (state.users().clone(), state.classroom.tokens.keys.clone());
                    Ok((authlab::start(state, false)?, handles))
                });
                let (running, (users, jwt_keys)) = match running {
                    Ok(running) => running,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                let handle = running.server.handle();
                let _ = ready_tx.send(Ok((running.addr, users, jwt_keys)));
                let server = actix_web::rt::spawn(running.server);
                let _ = stop_rx.await;
                handle.stop(true).await;
                let _ = server.await;
            });
        });
        let (addr, users, jwt_keys) = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| anyhow::anyhow!("the app did not start within 30 s"))??;
        Ok((
            Instance {
                stop: Some(stop_tx),
                thread: Some(thread),
                users,
                jwt_keys,
            },
            format!("http://{addr}"),
        ))
    }

    /// Stop gracefully and wait until the port is closed and the state dropped.
    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Where the app under test keeps what it keeps in Redis.
#[derive(Clone)]
pub enum Backing {
    /// A `redis-server` of its own, started with the app.
    PrivateRedis,
    /// A six-node Redis Cluster shared by several apps one after the other (flush it between
    /// them with [`Backing::flush`]).
    Cluster(Arc<RedisCluster>),
}

impl Backing {
    /// Forget every key of a shared cluster (nothing to do for a private Redis: it is new).
    pub fn flush(&self) {
        if let Backing::Cluster(cluster) = self {
            let _: Vec<String> = cluster
                .on_each_master(&redis::cmd("FLUSHALL"))
                .expect("FLUSHALL on every master");
        }
    }
}

/// The app under test plus a browser-like client with one method per endpoint.
pub struct TestApp {
    pub settings: Settings,
    client: Client,
    instance: Instance,
    owns_data_dir: bool,
}

impl TestApp {
    /// The app against `redis`, with a fresh data directory and generated keys.
    pub async fn spawn(redis: &RedisServer) -> TestApp {
        Self::spawn_with(Self::settings_for(&redis.url())).await
    }

    /// The app with every Redis use on `cluster` (`AUTHLAB_REDIS_CLUSTER` set to its seeds; the
    /// Redis URL points at nothing, so a call that missed the cluster would fail loudly).
    pub async fn spawn_on_cluster(cluster: &RedisCluster) -> TestApp {
        Self::spawn_with(Self::cluster_settings(cluster)).await
    }

    /// [`TestApp::settings_for`] with `/session` on the cluster.
    pub fn cluster_settings(cluster: &RedisCluster) -> Settings {
        Settings {
            redis_cluster: cluster.seed_nodes(),
            ..Self::settings_for("redis://127.0.0.1:1")
        }
    }

    /// The app on a fresh private `redis-server` or on a shared cluster; the guard keeps the
    /// private one running.
    pub async fn spawn_on(backing: &Backing) -> (Option<RedisServer>, TestApp) {
        match backing {
            Backing::PrivateRedis => {
                let redis = RedisServer::start().expect("a private redis-server");
                let app = Self::spawn(&redis).await;
                (Some(redis), app)
            }
            Backing::Cluster(cluster) => (None, Self::spawn_on_cluster(cluster).await),
        }
    }

    /// Test settings: a free port, a private data directory, a short Redis timeout.
    pub fn settings_for(redis_url: &str) -> Settings {
        let n = APPS.fetch_add(1, Ordering::Relaxed);
        let data_dir: PathBuf =
            std::env::temp_dir().join(format!("authlab-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        Settings {
            port: 0,
            redis_url: redis_url.to_owned(),
            data_dir,
            workers: Some(2),
            teacher_password: Some(Secret::new(TEACHER_PASSWORD)),
            class_code: Some(CLASS_CODE.to_owned()),
            ..Settings::defaults()
        }
    }

    pub async fn spawn_with(settings: Settings) -> TestApp {
        let (instance, base) = Instance::start(settings.clone())
            .unwrap_or_else(|err| panic!("the app did not start: {err:#}"));
        TestApp {
            settings,
            client: Client::new(base),
            instance,
            owns_data_dir: true,
        }
    }

    /// A second instance sharing this one's configuration and keys (the scale-out lesson), with
    /// its own cookie jar.
    pub async fn another_instance(&self) -> TestApp {
        let settings = Settings {
            port: 0,
            ..self.settings.clone()
        };
        let mut other = Self::spawn_with(settings).await;
        other.owns_data_dir = false;
        other
    }

    /// Another app on the same Redis but with its own data directory, hence its own keys.
    pub async fn another_instance_with_fresh_keys(&self) -> TestApp {
        Self::spawn_with(Self::settings_for(&self.settings.redis_url)).await
    }

    /// Stop the app and start it again with the same settings and data directory. The client
    /// keeps its cookies, as a browser would across a server restart.
    pub async fn restart(&mut self) {
        self.instance.stop();
        let (instance, base) = Instance::start(self.settings.clone())
            .unwrap_or_else(|err| panic!("the app did not restart: {err:#}"));
        self.instance = instance;
        self.client.set_base(base);
    }

    /// From now on, be a different browser on another address: new connections leave from
    /// `address` and the cookie jar starts empty.
    pub fn become_another_browser_at(&mut self, address: std::net::IpAddr) {
        self.client = Client::from_address(self.client.base().to_owned(), Some(address));
    }

    /// The running app's user directory, to change a role as an administrator would.
    pub fn users(&self) -> Arc<UserDirectory> {
        self.instance.users.clone()
    }

    pub fn base_url(&self) -> &str {
        self.client.base()
    }

    pub fn jar(&self) -> &CookieJar {
        &self.client.jar
    }

    /// The name of the cookie that carries a login on `mount`.
    pub fn auth_cookie_name(mount: MountSlug) -> String {
        crate::mounts::info(mount)
            .credential
            .cookie
            .map(|name| name.as_str().to_owned())
            .unwrap_or_default()
    }

    /// The running app's JWT key ring, to rotate or revoke its keys as an operator would.
    pub fn jwt_keys(&self) -> Arc<KeyRing> {
        self.instance.jwt_keys.clone()
    }

    /// A codec with this app's signing key, for forging and inspecting tokens in tests.
    pub fn jwt_codec(&self) -> TokenCodec {
        let secret = match &self.settings.jwt_secret {
            Some(secret) => secret.clone(),
            None => {
                let text = std::fs::read_to_string(self.settings.data_dir.join(JWT_SECRET_FILE))
                    .expect("the app keeps its generated JWT key in the data dir");
                use base64::Engine;
                Secret::new(
                    base64::engine::general_purpose::STANDARD
                        .decode(text.trim())
                        .expect("base64 key file"),
                )
            }
        };
        TokenCodec::new(&JwtSettings::new(
            secret,
            Duration::from_secs(self.settings.jwt_ttl),
        ))
        .expect("the app's own key is valid")
    }

    // One method per endpoint of the URL contract.

    pub async fn get(&self, path: &str) -> TestResponse {
        self.client.send(Method::GET, path, |r| r).await
    }

    /// A GET with extra headers (the jar's cookies still go along: clear it to send your own).
    pub async fn get_with_headers(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.client
            .send(Method::GET, path, move |mut r| {
                for (name, value) in headers {
                    r = r.header(name, value);
                }
                r
            })
            .await
    }

    pub async fn get_landing(&self) -> TestResponse {
        self.get("/").await
    }

    pub async fn get_login(&self, mount: MountSlug) -> TestResponse {
        self.get(&format!("/{mount}/login")).await
    }

    pub async fn post_login(
        &self,
        mount: MountSlug,
        username: &str,
        password: &str,
    ) -> TestResponse {
        self.post_login_form(mount, &[("username", username), ("password", password)])
            .await
    }

    /// Post the login form with these fields and this browser's CSRF token.
    pub async fn post_login_form(&self, mount: MountSlug, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf_token().await;
        let mut fields = fields.to_vec();
        fields.push(("csrf", &token));
        self.post_form_as_is(&format!("/{mount}/login"), &fields, &[])
            .await
    }

    /// The CSRF token a form of this browser must carry, read from a rendered form the way a
    /// browser would see it (the `/jwt` login form needs no Redis, so it renders even when the
    /// session store is down).
    pub async fn csrf_token(&self) -> String {
        let page = self.get("/jwt/login").await;
        extract_csrf_token(&page.body)
            .unwrap_or_else(|| panic!("no CSRF field in the login form: {}", page.body))
    }

    /// Post exactly these fields and extra headers, with no token added: for CSRF tests.
    pub async fn post_form_as_is(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.client
            .send(Method::POST, path, move |mut r| {
                for (name, value) in headers {
                    r = r.header(name, value);
                }
                r.form(&fields)
            })
            .await
    }

    pub async fn post_login_raw(
        &self,
        mount: MountSlug,
        content_type: &str,
        body: Vec<u8>,
    ) -> TestResponse {
        let content_type = content_type.to_owned();
        self.client
            .send(Method::POST, &format!("/{mount}/login"), move |r| {
                r.header("content-type", content_type).body(body)
            })
            .await
    }

    /// Log in through the form and check it worked.
    pub async fn log_in(&self, mount: MountSlug, (username, password): (&str, &str)) {
        let response = self.post_login(mount, username, password).await;
        crate::assert_is_redirect_to(&response, &format!("/{mount}/dashboard"));
    }

    pub async fn get_dashboard(&self, mount: MountSlug) -> TestResponse {
        self.get(&format!("/{mount}/dashboard")).await
    }

    pub async fn get_admin(&self, mount: MountSlug) -> TestResponse {
        self.get(&format!("/{mount}/admin")).await
    }

    pub async fn post_logout_everywhere(&self, mount: MountSlug) -> TestResponse {
        let token = self.csrf_token().await;
        self.post_form_as_is(
            &format!("/{mount}/logout-everywhere"),
            &[("csrf", &token)],
            &[],
        )
        .await
    }

    pub async fn post_logout(&self, mount: MountSlug) -> TestResponse {
        let token = self.csrf_token().await;
        self.post_form_as_is(&format!("/{mount}/logout"), &[("csrf", &token)], &[])
            .await
    }

    pub async fn api_login(
        &self,
        mount: MountSlug,
        username: &str,
        password: &str,
    ) -> TestResponse {
        let body = serde_json::json!({ "username": username, "password": password });
        self.client
            .send(Method::POST, &format!("/{mount}/api/login"), |r| {
                r.json(&body)
            })
            .await
    }

    /// `GET /{mount}/api/me`, with a bearer token if given (and the jar's cookies either way).
    pub async fn api_me(&self, mount: MountSlug, bearer: Option<&str>) -> TestResponse {
        let bearer = bearer.map(str::to_owned);
        self.client
            .send(Method::GET, &format!("/{mount}/api/me"), |r| match bearer {
                Some(token) => r.bearer_auth(token),
                None => r,
            })
            .await
    }

    /// `POST /{mount}/api/logout`, with a bearer token if given (and the jar's cookies either
    /// way).
    pub async fn api_logout(&self, mount: MountSlug, bearer: Option<&str>) -> TestResponse {
        let bearer = bearer.map(str::to_owned);
        self.client
            .send(
                Method::POST,
                &format!("/{mount}/api/logout"),
                |r| match bearer {
                    Some(token) => r.bearer_auth(token),
                    None => r,
                },
            )
            .await
    }

    /// `POST /refresh/api/token` as RFC 6749 §6 says: `grant_type=refresh_token&refresh_token=…`,
    /// form-encoded, with the access token as a bearer header if given.
    pub async fn post_token(&self, refresh_token: &str, bearer: Option<&str>) -> TestResponse {
        let fields = [
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), refresh_token.to_owned()),
        ];
        let bearer = bearer.map(str::to_owned);
        self.client
            .send(
                Method::POST,
                &crate::mounts::REFRESH.path("api/token"),
                |r| {
                    let r = r.form(&fields);
                    match bearer {
                        Some(token) => r.bearer_auth(token),
                        None => r,
                    }
                },
            )
            .await
    }

    /// `POST /refresh/api/token` with a JSON body.
    pub async fn post_token_json(&self, body: serde_json::Value) -> TestResponse {
        self.client
            .send(
                Method::POST,
                &crate::mounts::REFRESH.path("api/token"),
                |r| r.json(&body),
            )
            .await
    }

    /// `POST /refresh/api/logout` with `refresh_token=…`, form-encoded.
    pub async fn post_refresh_logout(&self, refresh_token: &str) -> TestResponse {
        let fields = [("refresh_token".to_owned(), refresh_token.to_owned())];
        self.client
            .send(
                Method::POST,
                &crate::mounts::REFRESH.path("api/logout"),
                |r| r.form(&fields),
            )
            .await
    }

    /// `POST /introspect` (RFC 7662) with `token=…`, and the `Authorization` header as given
    /// (`None`: an unauthenticated caller).
    pub async fn post_introspect(&self, token: &str, authorization: Option<&str>) -> TestResponse {
        let form = [("token", token.to_owned())];
        let authorization = authorization.map(str::to_owned);
        self.client
            .send(Method::POST, "/introspect", move |r| {
                let r = r.form(&form);
                match authorization {
                    Some(value) => r.header(reqwest::header::AUTHORIZATION, value),
                    None => r,
                }
            })
            .await
    }

    pub async fn get_healthz(&self) -> TestResponse {
        self.get("/healthz").await
    }

    /// Post a form with these fields and this browser's CSRF token: a button pressed.
    pub async fn press(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf_token().await;
        let mut fields = fields.to_vec();
        fields.push(("csrf", &token));
        self.post_form_as_is(path, &fields, &[]).await
    }

    // The classroom: the teacher's page and /join.

    pub async fn get_teacher(&self) -> TestResponse {
        self.get("/teacher").await
    }

    pub async fn post_teacher_login(&self, password: &str) -> TestResponse {
        self.press("/teacher/login", &[("password", password)])
            .await
    }

    /// Become the teacher in this browser, and check it worked.
    pub async fn log_in_as_teacher(&self) {
        let response = self.post_teacher_login(TEACHER_PASSWORD).await;
        crate::assert_is_redirect_to(&response, "/teacher");
    }

    pub async fn post_teacher_reset(&self) -> TestResponse {
        self.press("/teacher/reset", &[]).await
    }

    pub async fn post_teacher_role(&self, user: &str, role: &str) -> TestResponse {
        self.press("/teacher/role", &[("user", user), ("role", role)])
            .await
    }

    pub async fn post_teacher_password(&self, user: &str, password: &str) -> TestResponse {
        self.press(
            "/teacher/password",
            &[("user", user), ("password", password)],
        )
        .await
    }

    pub async fn get_join(&self) -> TestResponse {
        self.get("/join").await
    }

    pub async fn post_join(&self, code: &str, username: &str, password: &str) -> TestResponse {
        self.press(
            "/join",
            &[
                ("code", code),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Make a student account with the class code, and check it worked.
    pub async fn join(&self, username: &str, password: &str) {
        let response = self.post_join(CLASS_CODE, username, password).await;
        assert_eq!(
            response.status.as_u16(),
            200,
            "join as {username}: {}",
            response.body
        );
        crate::assert_body_contains(&response, r#"id="joined""#);
    }
}

/// The bearer token of a JSON login answer: `token` (`/jwt`, the session mounts' opaque token),
/// or the `access_token` of an OAuth 2.0 token response (`/refresh`).
pub fn bearer_token(login: &serde_json::Value) -> Option<&str> {
    login["token"]
        .as_str()
        .or_else(|| login["access_token"].as_str())
}

/// The value of the hidden `csrf` input of a rendered form.
pub fn extract_csrf_token(html: &str) -> Option<String> {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker)? + marker.len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_owned())
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.instance.stop();
        if self.owns_data_dir {
            let _ = std::fs::remove_dir_all(&self.settings.data_dir);
        }
    }
}
