//! What the `authlab` binary is started with, when a test or the bench starts it.
//!
//! Design:
//! - **The caller's `AUTHLAB_*` variables never leak in.** A developer's shell may set
//!   `AUTHLAB_JWT_SECRET` or `AUTHLAB_LOG`; a measured or tested server must run with exactly the
//!   settings written here, so every inherited `AUTHLAB_*` is removed first.
//! - **The harness owns Redis.** `AUTHLAB_NO_PRIVATE_REDIS` is always set: a private Redis
//!   started by the app would hide an outage the caller arranged on purpose.
//! - **The listening line is always logged.** The harness learns the port from the server's log
//!   ([`crate::AppProcess`]), so a custom log filter is widened to `authlab=info` for the
//!   authlab crates; with no filter, the binary's own default (info) applies, as for a user.
//! - Everything else (`--workers`, `AUTHLAB_JWT_DENYLIST`, …) is the caller's, through
//!   [`AppCommand::arg`] and [`AppCommand::env`], applied last so it wins.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use crate::AppProcess;

/// Which subcommand runs: the server itself, or the supervisor that restarts it on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subcommand {
    Serve,
    Demo,
    /// `authlab resource`: the second service (no Redis, no data dir of its own).
    Resource,
}

impl Subcommand {
    fn name(self) -> &'static str {
        match self {
            Subcommand::Serve => "serve",
            Subcommand::Demo => "demo",
            Subcommand::Resource => "resource",
        }
    }
}

/// The settings of one `authlab` child process; [`AppCommand::start`] runs it.
#[derive(Debug, Clone)]
pub struct AppCommand {
    binary: PathBuf,
    subcommand: Subcommand,
    redis_url: String,
    data_dir: Option<PathBuf>,
    log_filter: Option<String>,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
}

impl AppCommand {
    /// `authlab serve` with `/session` on `redis_url`.
    pub fn serve(binary: impl Into<PathBuf>, redis_url: impl Into<String>) -> Self {
        Self::new(binary.into(), Subcommand::Serve, redis_url.into())
    }

    /// `authlab demo`: the supervisor, which runs `serve` as its own child.
    pub fn demo(binary: impl Into<PathBuf>, redis_url: impl Into<String>) -> Self {
        Self::new(binary.into(), Subcommand::Demo, redis_url.into())
    }

    /// `authlab resource --issuer <issuer>`: the second service, trusting `issuer`'s tokens.
    pub fn resource(binary: impl Into<PathBuf>, issuer: &str) -> Self {
        Self::new(binary.into(), Subcommand::Resource, String::new())
            .env("AUTHLAB_RESOURCE_ISSUER", issuer)
    }

    fn new(binary: PathBuf, subcommand: Subcommand, redis_url: String) -> Self {
        AppCommand {
            binary,
            subcommand,
            redis_url,
            data_dir: None,
            log_filter: None,
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Keys and generated secrets go here (kept across restarts). Without it, a private temp dir
    /// that lives as long as the process value.
    pub fn data_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.data_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// `AUTHLAB_LOG` (`tracing` syntax), widened so the listening line still appears.
    pub fn log_filter(mut self, filter: &str) -> Self {
        self.log_filter = Some(filter.to_owned());
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    pub fn subcommand(&self) -> Subcommand {
        self.subcommand
    }

    pub(crate) fn binary(&self) -> &Path {
        &self.binary
    }

    pub(crate) fn given_data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    /// Start it and wait until it answers `/healthz` on the port it logged.
    pub async fn start(self) -> anyhow::Result<AppProcess> {
        AppProcess::start(self).await
    }

    /// Run it to its end and collect what it printed: for settings the binary must refuse at
    /// start-up. Port 0, so a server that does start by mistake takes nobody's port.
    pub fn output(self) -> std::io::Result<Output> {
        // Created even when unused: simpler than a second code path, and removed on return.
        let scratch = tempfile::Builder::new().prefix("authlab-app-").tempdir()?;
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| scratch.path().to_owned());
        self.command(0, &data_dir).stdin(Stdio::null()).output()
    }

    /// The `std` command for one start on `port` (0: the server picks).
    pub(crate) fn command(&self, port: u16, data_dir: &Path) -> Command {
        let mut command = Command::new(&self.binary);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AUTHLAB_") {
                command.env_remove(&name);
            }
        }
        command.arg(self.subcommand.name()).args(&self.args);
        if self.subcommand == Subcommand::Resource {
            // It has no Redis and no data directory: only an address.
            command
                .env("AUTHLAB_RESOURCE_BIND", "127.0.0.1")
                .env("AUTHLAB_RESOURCE_PORT", port.to_string());
        } else {
            command
                .env("AUTHLAB_BIND", "127.0.0.1")
                .env("AUTHLAB_PORT", port.to_string())
                .env("AUTHLAB_REDIS_URL", &self.redis_url)
                .env("AUTHLAB_DATA_DIR", data_dir)
                .env("AUTHLAB_NO_PRIVATE_REDIS", "true");
        }
        if let Some(filter) = &self.log_filter {
            command.env("AUTHLAB_LOG", format!("{filter},authlab=info"));
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }
}
