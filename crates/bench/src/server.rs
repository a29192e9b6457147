//! The real `authlab serve` binary as a child process, on a free port.
//!
//! The harness never runs the app in its own process: a restart must be a real `kill -9` of a
//! real process, and the server's CPU time must be readable from `/proc/<pid>/stat` apart from the
//! load generator's.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const START_TIMEOUT: Duration = Duration::from_secs(20);

/// One server process. Killed (SIGKILL) when dropped.
pub struct AppProcess {
    binary: PathBuf,
    data_dir: PathBuf,
    redis_url: String,
    extra_env: Vec<(String, String)>,
    /// 0 until the first start, when the server picks a free port itself and logs it.
    port: u16,
    starts: u32,
    child: Option<Child>,
}

impl AppProcess {
    /// Start the binary with its keys in `data_dir` and `/session` on `redis_url`, and wait until
    /// `/healthz` answers.
    pub async fn start(
        binary: &Path,
        data_dir: &Path,
        redis_url: &str,
        extra_env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let mut app = AppProcess {
            binary: binary.to_owned(),
            data_dir: data_dir.to_owned(),
            redis_url: redis_url.to_owned(),
            extra_env: extra_env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            port: 0,
            starts: 0,
            child: None,
        };
        app.spawn().await?;
        Ok(app)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: the process gets no chance to save anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `kill -9`, then the same binary with the same settings on the same port.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.spawn().await
    }

    /// Start the binary on `self.port` (0 the first time: the server binds a free port itself, so
    /// no other process on the machine can take it between our choice and its bind) and wait
    /// until the address it logs answers `/healthz`. Reading the address from its own log is
    /// what makes sure the answer comes from this process and not from a stranger on the port.
    async fn spawn(&mut self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        self.starts += 1;
        let log_path =
            self.data_dir
                .join(format!("server-{}-{}.log", std::process::id(), self.starts));
        let log = File::create(&log_path)?;
        let mut command = Command::new(&self.binary);
        // Settings from the caller's environment must not leak into the measured server.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AUTHLAB_") {
                command.env_remove(&name);
            }
        }
        command
            .arg("serve")
            .env("AUTHLAB_BIND", "127.0.0.1")
            .env("AUTHLAB_PORT", self.port.to_string())
            .env("AUTHLAB_REDIS_URL", &self.redis_url)
            .env("AUTHLAB_DATA_DIR", &self.data_dir)
            .env("AUTHLAB_NO_PRIVATE_REDIS", "true")
            // Every benchmark login comes from 127.0.0.1: the per-address login limit (a bound
            // for classrooms, not for a load generator) would refuse the measured logins.
            .env("AUTHLAB_LOGINS_PER_MINUTE", "1000000")
            // Warnings, plus the line that says where it listens.
            .env("AUTHLAB_LOG", "warn,authlab=info")
            .envs(self.extra_env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        let child = command
            .spawn()
            .map_err(|err| anyhow::anyhow!("could not start {}: {err}", self.binary.display()))?;
        self.child = Some(child);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Some(port) = listening_port(&log_path) {
                let health = format!("http://127.0.0.1:{port}/healthz");
                if let Ok(response) = http.get(&health).send().await {
                    if response.status().is_success() {
                        self.port = port;
                        return Ok(());
                    }
                }
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                anyhow::bail!("authlab serve exited with {status}:\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.kill();
        anyhow::bail!("authlab serve did not answer /healthz within {START_TIMEOUT:?}")
    }

    /// Wait until the server reports Redis as up (it reconnects on its own after an outage).
    pub async fn wait_for_redis(&self, within: Duration) -> anyhow::Result<Duration> {
        let http = reqwest::Client::new();
        let started = Instant::now();
        let health = format!("{}/healthz", self.base_url());
        while started.elapsed() < within {
            if let Ok(response) = http.get(&health).send().await {
                if let Ok(body) = response.json::<serde_json::Value>().await {
                    if body["redis"] == "up" {
                        return Ok(started.elapsed());
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        anyhow::bail!("the server did not see Redis come back within {within:?}")
    }
}

/// The port in the server's "serving on http://127.0.0.1:PORT/" log line, once it is there.
fn listening_port(log: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(log).ok()?;
    let after = text.split("serving on http://").nth(1)?;
    let address = after.split('/').next()?;
    address.rsplit_once(':')?.1.parse().ok()
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
