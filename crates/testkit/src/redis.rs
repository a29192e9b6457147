//! A private `redis-server` for one test or one benchmark.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

#[derive(Debug, thiserror::Error)]
pub enum RedisServerError {
    #[error(
        "redis-server was not found on PATH. The tests and benchmarks run a real Redis: install \
         it (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) or run \
         `.ci/run`, which installs it."
    )]
    NotInstalled,
    #[error("redis-server did not start on port {port} within {waited:?}")]
    DidNotStart { port: u16, waited: Duration },
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
    dir: PathBuf,
    child: Option<Child>,
}

const START_TIMEOUT: Duration = Duration::from_secs(10);

impl RedisServer {
    /// A Redis that keeps nothing on disk: a restart empties it.
    pub fn start() -> Result<Self, RedisServerError> {
        Self::start_with(RedisOptions::default())
    }

    pub fn start_with(options: RedisOptions) -> Result<Self, RedisServerError> {
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("authlab-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut server = RedisServer {
            port,
            options,
            dir,
            child: None,
        };
        server.spawn()?;
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Kill the server at once (SIGKILL): like a crash, nothing is flushed beyond what its
    /// persistence settings already wrote.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
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

    fn spawn(&mut self) -> Result<(), RedisServerError> {
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
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.options.append_only {
            command.args(["--appendonly", "yes", "--appendfsync", "everysec"]);
        } else {
            command.args(["--appendonly", "no"]);
        }
        let child = command.spawn().map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => RedisServerError::NotInstalled,
            _ => RedisServerError::Io(err),
        })?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if self.command("PING").is_ok_and(|reply| reply == "+PONG") {
                return Ok(());
            }
            if !self.is_running() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stop();
        Err(RedisServerError::DidNotStart {
            port: self.port,
            waited: started.elapsed(),
        })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
