//! The real `authlab` binary as a child process that reports its own port.
//!
//! Design (the bench's harness, now the only one):
//! - **The server picks its port.** The first `serve` start gets `AUTHLAB_PORT=0`: the server
//!   binds a free port itself, so no other process can take it between our choice and its bind,
//!   and logs "serving on http://127.0.0.1:PORT/". The harness reads the port from *that
//!   process's* log and then waits for `/healthz` there: the answer is known to come from our
//!   child, not from a stranger on the port.
//! - **Restarts keep the port.** After a kill, [`AppProcess::start_again`] starts the same
//!   binary with the same settings on the port it had, as an operator's restart would: clients
//!   (and their cookies) keep their address.
//! - **`demo` gets its port from us.** Its supervisor restarts its server with the same settings
//!   when the restart lab asks, so with port 0 the server would move at every restart; for
//!   `demo` the harness picks a [`free_port`] (trying another if the server says it is taken) and
//!   still waits for the log line.
//! - **Killing is a crash, stopping is polite.** [`AppProcess::kill`] is SIGKILL (the restart
//!   lessons: nothing gets saved); [`AppProcess::terminate`] is SIGTERM, for graceful shutdown.
//!   Dropping a `serve` kills it; dropping a `demo` sends SIGTERM, which the supervisor passes on,
//!   so its server does not outlive the test (SIGKILL would orphan it).
//! - **Everything it prints is kept**, stdout and stderr in one file per start, in a temp dir of
//!   its own (not the data dir, which several instances may share): tests read it
//!   ([`AppProcess::log`]), failed starts quote its end.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Child, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use crate::{
    child::{exit_status, kill_and_reap, terminate},
    free_port,
    listening::{app_port, tail},
    AppCommand, Subcommand,
};

const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a dropped `demo` gets to stop its server before it is killed.
const DEMO_STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How many ports a `demo` first start tries when strangers keep taking the one it picked.
const PORT_ATTEMPTS: usize = 5;

/// One `authlab` process (and the same settings for its restarts).
pub struct AppProcess {
    command: AppCommand,
    data_dir: PathBuf,
    /// Set when the caller gave no data dir: removed on drop, after the process is gone.
    _own_data_dir: Option<tempfile::TempDir>,
    logs: tempfile::TempDir,
    /// 0 until the first start reports it.
    port: u16,
    starts: u32,
    child: Option<Child>,
}

impl AppProcess {
    pub(crate) async fn start(command: AppCommand) -> anyhow::Result<Self> {
        let (data_dir, own_data_dir) = match command.given_data_dir() {
            Some(dir) => (dir.to_owned(), None),
            None => {
                let dir = tempfile::Builder::new().prefix("authlab-app-").tempdir()?;
                (dir.path().to_owned(), Some(dir))
            }
        };
        let mut app = AppProcess {
            command,
            data_dir,
            _own_data_dir: own_data_dir,
            logs: tempfile::Builder::new()
                .prefix("authlab-app-logs-")
                .tempdir()?,
            port: 0,
            starts: 0,
            child: None,
        };
        if app.command.subcommand() != Subcommand::Demo {
            app.spawn().await?;
            return Ok(app);
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            app.port = free_port()?;
            match app.spawn().await {
                Err(_)
                    if attempts < PORT_ATTEMPTS && app.log().contains("Address already in use") => {
                }
                Err(err) => return Err(err),
                Ok(()) => return Ok(app),
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The pid of the process the harness started (for `demo`, the supervisor's).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where the current start's stdout and stderr go.
    pub fn log_path(&self) -> PathBuf {
        self.logs.path().join(format!("start-{}.log", self.starts))
    }

    /// What the current start has printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| exit_status(child).is_none())
    }

    /// SIGKILL: the process gets no chance to save anything. For `demo`, only the supervisor
    /// dies: its server lives on, orphaned (use [`AppProcess::terminate`] to stop both).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_and_reap(&mut child);
        }
    }

    /// SIGTERM: a graceful shutdown (in-flight requests finish). Does not wait; see
    /// [`AppProcess::wait_for_exit`].
    pub fn terminate(&mut self) -> std::io::Result<()> {
        match &mut self.child {
            Some(child) => terminate(child),
            None => Ok(()),
        }
    }

    /// Its exit status once it has exited, or `None` if it still runs after `limit`.
    pub async fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.as_mut().and_then(exit_status) {
                return Some(status);
            }
            if started.elapsed() >= limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Start the same binary with the same settings on the same port, after it was killed or
    /// has exited. Refuses while it still runs (the new one could not bind the port).
    pub async fn start_again(&mut self) -> anyhow::Result<()> {
        if self.is_running() {
            anyhow::bail!("authlab is still running on port {}", self.port);
        }
        self.child = None;
        self.spawn().await
    }

    /// `kill -9`, then [`AppProcess::start_again`].
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.start_again().await
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

    /// Start on `self.port` and wait until the port this start logs answers `/healthz`.
    async fn spawn(&mut self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        self.starts += 1;
        let log = File::create(self.log_path())?;
        let child = self
            .command
            .command(self.port, &self.data_dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|err| {
                anyhow::anyhow!("could not start {}: {err}", self.command.binary().display())
            })?;
        self.child = Some(child);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Some(port) = app_port(&self.log()) {
                let health = format!("http://127.0.0.1:{port}/healthz");
                if let Ok(response) = http.get(&health).send().await {
                    if response.status().is_success() {
                        self.port = port;
                        return Ok(());
                    }
                }
            }
            if let Some(status) = self.child.as_mut().and_then(exit_status) {
                anyhow::bail!(
                    "authlab {:?} exited with {status}; its log ends:\n{}",
                    self.command.subcommand(),
                    tail(&self.log(), 20)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.kill();
        anyhow::bail!(
            "authlab did not answer /healthz within {START_TIMEOUT:?}; its log ends:\n{}",
            tail(&self.log(), 20)
        )
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        if self.command.subcommand() == Subcommand::Demo && self.terminate().is_ok() {
            let started = Instant::now();
            while self
                .child
                .as_mut()
                .is_some_and(|c| exit_status(c).is_none())
                && started.elapsed() < DEMO_STOP_TIMEOUT
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }
}
