//! A throwaway `redis-server` for one test, one benchmark, or a newcomer's `authlab serve`.
//!
//! Design:
//! - **A free port, checked in the server's own log.** `redis-server` cannot pick its own port
//!   (`--port 0` turns TCP off), so [`free_port`] picks one, and the server's log decides whether
//!   *this* process bound it: it writes "Ready to accept connections", or "Address already in
//!   use" and exits, in which case the first start tries another port (a few times). A `PING`
//!   alone would be answered just as well by a stranger's Redis on that port.
//! - **Same port across restarts.** Callers keep the URL (the app under test holds a connection
//!   to it), so [`RedisServer::start_again`] reuses the port and fails loudly if it was taken in
//!   between, rather than moving.
//! - **A crash, not a shutdown.** [`RedisServer::stop`] is SIGKILL: only what the persistence
//!   settings ([`RedisOptions`]) already wrote survives, which is what the lessons are about.
//! - Its data directory and log are a private temp dir, removed when the value is dropped.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    child::{exit_status, kill_and_reap},
    free_port,
    listening::{redis_state, tail, RedisLog},
};

#[derive(Debug, thiserror::Error)]
pub enum RedisServerError {
    #[error(
        "redis-server was not found on PATH. The tests and benchmarks run a real Redis: install \
         it (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) or run \
         `.ci/run`, which installs it."
    )]
    NotInstalled,
    #[error("redis-server did not start on port {port} within {waited:?}; its log ends:\n{log}")]
    DidNotStart {
        port: u16,
        waited: Duration,
        log: String,
    },
    #[error("port {port} was taken by another process while redis-server was stopped")]
    PortTaken { port: u16 },
    #[error("I/O error around redis-server: {0}")]
    Io(#[from] std::io::Error),
}

/// How the private Redis keeps its data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RedisOptions {
    /// Append-only file with `appendfsync everysec`: data survives a restart of Redis.
    pub append_only: bool,
}

/// A `redis-server` child process on 127.0.0.1 and a free port, killed when dropped.
pub struct RedisServer {
    port: u16,
    options: RedisOptions,
    /// More `redis-server` flags (a cluster node's), after the ones every server gets.
    extra_args: Vec<String>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How many ports the first start tries when strangers keep taking the one it picked.
const PORT_ATTEMPTS: usize = 5;

impl RedisServer {
    /// A Redis that keeps nothing on disk: a restart empties it.
    pub fn start() -> Result<Self, RedisServerError> {
        Self::start_with(RedisOptions::default())
    }

    pub fn start_with(options: RedisOptions) -> Result<Self, RedisServerError> {
        Self::start_configured(options, Vec::new(), free_port)
    }

    /// A server with more flags, on a port `pick_port` chooses.
    pub(crate) fn start_configured(
        options: RedisOptions,
        extra_args: Vec<String>,
        pick_port: fn() -> std::io::Result<u16>,
    ) -> Result<Self, RedisServerError> {
        let dir = tempfile::Builder::new()
            .prefix("authlab-redis-")
            .tempdir()?;
        let mut server = RedisServer {
            port: 0,
            options,
            extra_args,
            dir,
            child: None,
        };
        let mut attempts = 0;
        loop {
            attempts += 1;
            server.port = pick_port()?;
            match server.spawn() {
                Err(RedisServerError::PortTaken { .. }) if attempts < PORT_ATTEMPTS => continue,
                Err(err) => return Err(err),
                Ok(()) => return Ok(server),
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's pid while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| exit_status(child).is_none())
    }

    /// Kill the server at once (SIGKILL): like a crash, nothing is flushed beyond what its
    /// persistence settings already wrote.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_and_reap(&mut child);
        }
    }

    /// Start it again on the same port, with the same data directory.
    pub fn start_again(&mut self) -> Result<(), RedisServerError> {
        self.stop();
        self.spawn()
    }

    /// `stop` then `start_again`.
    pub fn restart(&mut self) -> Result<(), RedisServerError> {
        self.start_again()
    }

    /// Send one inline command and return the first line of the reply (e.g. `+OK`, `:3`).
    pub fn command(&self, command: &str) -> Result<String, RedisServerError> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(format!("{command}\r\n").as_bytes())?;
        let mut reply = Vec::new();
        let mut byte = [0u8; 1];
        while stream.read(&mut byte)? == 1 {
            if byte[0] == b'\n' {
                break;
            }
            reply.push(byte[0]);
        }
        Ok(String::from_utf8_lossy(&reply).trim_end().to_owned())
    }

    /// An integer reply (`DBSIZE`, `INCR`, …).
    pub fn integer(&self, command: &str) -> Result<i64, RedisServerError> {
        let reply = self.command(command)?;
        reply
            .strip_prefix(':')
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                std::io::Error::other(format!("{command}: unexpected reply {reply}")).into()
            })
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn spawn(&mut self) -> Result<(), RedisServerError> {
        // Redis appends to its log: a fresh file per start, so an old "Ready" line cannot count.
        let _ = std::fs::remove_file(self.log_path());
        let mut command = Command::new("redis-server");
        command
            .arg("--port")
            .arg(self.port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--protected-mode",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(self.log_path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.options.append_only {
            command.args(["--appendonly", "yes", "--appendfsync", "everysec"]);
        } else {
            command.args(["--appendonly", "no"]);
        }
        command.args(&self.extra_args);
        let child = command.spawn().map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => RedisServerError::NotInstalled,
            _ => RedisServerError::Io(err),
        })?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            match redis_state(&self.log()) {
                RedisLog::PortTaken => {
                    self.stop();
                    return Err(RedisServerError::PortTaken { port: self.port });
                }
                RedisLog::Ready if self.command("PING").is_ok_and(|r| r == "+PONG") => {
                    return Ok(());
                }
                _ => {}
            }
            if !self.is_running() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stop();
        // It may have exited between our last look at its log and `is_running`.
        if redis_state(&self.log()) == RedisLog::PortTaken {
            return Err(RedisServerError::PortTaken { port: self.port });
        }
        Err(RedisServerError::DidNotStart {
            port: self.port,
            waited: started.elapsed(),
            log: tail(&self.log(), 10),
        })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Before the temp dir goes: a running Redis could write its AOF into a removed directory.
        self.stop();
    }
}
