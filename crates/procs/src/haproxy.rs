//! A real HAProxy in front of N backends, with a configuration generated for one test.
//!
//! Design:
//! - **Debian's `haproxy`, not a stand-in.** The scale-out lessons are about what a real load
//!   balancer does: plain round robin (`balance roundrobin`, every request balanced on its own, no
//!   stickiness, no cookie), health checks `GET /healthz` that take a dead instance out of the
//!   rotation. `inter`/`fall`/`rise` are small ([`HaproxyOptions`]) so that tests are quick; they
//!   are what decides how long a dead instance still receives requests.
//! - **A refused connection goes elsewhere.** `option redispatch 1` with `retries 3`: a
//!   connection an instance refuses (it is restarting, or dead and not yet taken out by the
//!   checks) is tried on the next instance, as a production configuration does for rolling
//!   restarts; without it HAProxy retries the *same* instance 3 times about 1 s apart and then
//!   answers 503 (observed: 503 after 3.0 s). A GET that met an empty answer (its kept-alive
//!   connection closed by a stopping instance; observed: HAProxy then closed the *client's*
//!   connection, which a browser retries and a plain HTTP client reports as an error) is retried
//!   too (`retry-on … empty-response`); a POST never is, since it may have run: a login in flight
//!   when its instance is SIGKILLed fails, and a measurement counts it.
//! - **The health check names a host.** authlab answers 400 to a request without `Host`, so
//!   `http-check send` sends `Host: 127.0.0.1` (a loopback name, always allowed).
//! - **`X-Forwarded-For` is added** (`option forwardfor`), as in front of any real deployment: the
//!   instances may trust it from this address only.
//! - **A free port, proved to be ours.** HAProxy cannot report a port it chose, so it is given a
//!   [`free_port`] with `noreuseport` (a port someone holds makes it exit, which it says in its
//!   log; then another port is tried). The frontend answers one private path with a token unique
//!   to this start, and start-up waits for that token: an answer from a stranger on the port
//!   cannot carry it.
//! - **Its view is readable.** The runtime API (`stats socket` in its temp dir) says what the
//!   checks make of each instance ([`Haproxy::status`]): a rolling restart waits until the
//!   restarted instance is back `UP` before stopping the next, and a measurement reads when a
//!   killed one was taken out.
//! - It runs in the foreground (`-db`), its output kept in its temp dir ([`Haproxy::log`]: the
//!   "Server … is DOWN" lines say when the checks gave up on an instance). SIGKILL on drop.

use std::{
    io::{Read, Write},
    net::TcpStream,
    os::unix::net::UnixStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, Instant},
};

use crate::{
    child::{exit_status, kill_and_reap},
    free_port,
    listening::tail,
};

const START_TIMEOUT: Duration = Duration::from_secs(10);
/// `show stat`'s CSV: `pxname,svname,…`; the 18th field is `status`.
const STATUS_COLUMN: usize = 17;
const PORT_ATTEMPTS: usize = 5;
/// The frontend's own path, answered with this start's token; no authlab route starts with `_`.
const IDENTITY_PATH: &str = "/_authlab_haproxy";
/// Where Debian puts it; `/usr/sbin` is not on every user's PATH.
const DEBIAN_HAPROXY: &str = "/usr/sbin/haproxy";

static STARTS: AtomicU32 = AtomicU32::new(0);

/// How quickly the health checks notice a dead or revived instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HaproxyOptions {
    /// Time between two checks of one instance (`inter`, `fastinter`, `downinter`).
    pub check_interval: Duration,
    /// Failed checks in a row before an instance is taken out (`fall`).
    pub fall: u32,
    /// Passed checks in a row before it is put back (`rise`).
    pub rise: u32,
}

impl Default for HaproxyOptions {
    /// A dead instance is out after about 2 × 200 ms.
    fn default() -> Self {
        HaproxyOptions {
            check_interval: Duration::from_millis(200),
            fall: 2,
            rise: 1,
        }
    }
}

/// One `haproxy` process on 127.0.0.1, killed when dropped.
pub struct Haproxy {
    port: u16,
    backends: Vec<String>,
    options: HaproxyOptions,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Haproxy {
    /// HAProxy in front of `backends` (`127.0.0.1:port` each), default checks.
    pub fn start(backends: &[String]) -> anyhow::Result<Self> {
        Self::start_with(backends, HaproxyOptions::default())
    }

    pub fn start_with(backends: &[String], options: HaproxyOptions) -> anyhow::Result<Self> {
        anyhow::ensure!(!backends.is_empty(), "HAProxy needs at least one backend");
        let mut haproxy = Haproxy {
            port: 0,
            backends: backends.to_vec(),
            options,
            dir: tempfile::Builder::new()
                .prefix("authlab-haproxy-")
                .tempdir()?,
            child: None,
        };
        let mut attempts = 0;
        loop {
            attempts += 1;
            haproxy.port = free_port()?;
            match haproxy.spawn() {
                Err(_) if attempts < PORT_ATTEMPTS && haproxy.log().contains("cannot bind") => {}
                Err(err) => return Err(err),
                Ok(()) => return Ok(haproxy),
            }
        }
    }

    /// `haproxy -c`: whether HAProxy accepts a configuration file (its complaints otherwise).
    pub fn check_config(path: &Path) -> anyhow::Result<()> {
        let output = Command::new(program()?)
            .arg("-c")
            .arg("-f")
            .arg(path)
            .stdin(Stdio::null())
            .output()?;
        anyhow::ensure!(
            output.status.success(),
            "haproxy refuses {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// What HAProxy printed: warnings, and each instance going DOWN or UP.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// SIGKILL.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_and_reap(&mut child);
        }
    }

    /// What the health checks make of instance `n` (the `status` column of `show stat`): `UP`,
    /// `DOWN`, or on the way between (`UP 1/2`: one check failed; `DOWN 1/1`: one passed).
    pub fn status(&self, n: usize) -> anyhow::Result<String> {
        let mut socket = UnixStream::connect(self.socket_path())?;
        socket.set_read_timeout(Some(Duration::from_secs(2)))?;
        socket.write_all(b"show stat\n")?;
        let mut csv = String::new();
        socket.read_to_string(&mut csv)?;
        let name = format!("instance{n}");
        csv.lines()
            .map(|line| line.split(',').collect::<Vec<_>>())
            .find(|fields| fields.get(1) == Some(&name.as_str()))
            .and_then(|fields| fields.get(STATUS_COLUMN).map(|s| (*s).to_owned()))
            .ok_or_else(|| anyhow::anyhow!("HAProxy does not list {name}: {csv}"))
    }

    /// Wait until the checks call instance `n` plainly `UP` (not on its way down); returns how
    /// long that took.
    pub async fn wait_until_up(&self, n: usize, within: Duration) -> anyhow::Result<Duration> {
        self.wait_for_status(n, within, |status| status == "UP")
            .await
    }

    /// Wait until the checks have taken instance `n` out of the rotation; returns how long that
    /// took.
    pub async fn wait_until_down(&self, n: usize, within: Duration) -> anyhow::Result<Duration> {
        self.wait_for_status(n, within, |status| status == "DOWN")
            .await
    }

    async fn wait_for_status(
        &self,
        n: usize,
        within: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < within {
            match self.status(n) {
                Ok(status) if wanted(&status) => return Ok(started.elapsed()),
                Ok(status) => last = status,
                Err(err) => last = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        anyhow::bail!(
            "instance{n} still {last} after {within:?}:\n{}",
            tail(&self.log(), 20)
        )
    }

    fn socket_path(&self) -> PathBuf {
        self.dir.path().join("admin.sock")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("haproxy.log")
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let program = program()?;
        let token = format!(
            "authlab-haproxy-{}-{}",
            std::process::id(),
            STARTS.fetch_add(1, Ordering::Relaxed)
        );
        let config_path = self.dir.path().join("haproxy.cfg");
        std::fs::write(
            &config_path,
            config(
                self.port,
                &self.backends,
                self.options,
                &token,
                &self.socket_path(),
            ),
        )?;
        let log = std::fs::File::create(self.log_path())?;
        let child = Command::new(&program)
            .arg("-db")
            .arg("-f")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|err| anyhow::anyhow!("could not start {}: {err}", program.display()))?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if identity(self.port).is_some_and(|answer| answer.contains(&token)) {
                return Ok(());
            }
            if let Some(status) = self.child.as_mut().and_then(exit_status) {
                self.child = None;
                anyhow::bail!("haproxy exited with {status}:\n{}", tail(&self.log(), 20));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        anyhow::bail!(
            "haproxy did not answer on port {} within {START_TIMEOUT:?}:\n{}",
            self.port,
            tail(&self.log(), 20)
        )
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The configuration for one start.
fn config(
    port: u16,
    backends: &[String],
    options: HaproxyOptions,
    token: &str,
    socket: &Path,
) -> String {
    let inter = options.check_interval.as_millis();
    let mut text = format!(
        "# Generated by authlab-procs for one run; see crates/procs/src/haproxy.rs.
global
    maxconn 1024
    # The runtime API: which instances the checks consider up (see `Haproxy::status`).
    stats socket {socket} mode 600 level admin
    # Fail, instead of sharing, when someone else holds the port.
    noreuseport

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    option forwardfor

frontend authlab
    bind 127.0.0.1:{port}
    http-request return status 200 content-type text/plain string \"{token}\" if {{ path {IDENTITY_PATH} }}
    default_backend instances

backend instances
    balance roundrobin
    # authlab answers a request without a Host header 400: the check names the host it asks.
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    # A connection refused (an instance restarting) is tried again on another instance. So is a
    # GET whose kept-alive connection the instance closed instead of answering (it was stopping):
    # HAProxy would otherwise close the client's connection. Nothing else is retried: a POST may
    # have run.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    http-request disable-l7-retry if !METH_GET
    default-server inter {inter}ms fastinter {inter}ms downinter {inter}ms fall {fall} rise {rise}
",
        fall = options.fall,
        rise = options.rise,
        socket = socket.display(),
    );
    for (n, backend) in backends.iter().enumerate() {
        text.push_str(&format!("    server instance{n} {backend} check\n"));
    }
    text
}

/// The body HAProxy answers at its identity path, if anything answers there.
fn identity(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream
        .write_all(format!("GET {IDENTITY_PATH} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

fn program() -> anyhow::Result<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("haproxy"))
            .find(|candidate| candidate.is_file())
    });
    on_path
        .or_else(|| Some(PathBuf::from(DEBIAN_HAPROXY)).filter(|p| p.is_file()))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "haproxy was not found (on PATH or at {DEBIAN_HAPROXY}): install Debian's \
                 `haproxy` package (`apt-get install -y haproxy`, which `.ci/run` does)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_balances_round_robin_over_every_backend_with_health_checks() {
        let backends = ["127.0.0.1:4001".to_owned(), "127.0.0.1:4002".to_owned()];

        let text = config(
            5000,
            &backends,
            HaproxyOptions::default(),
            "t0k",
            Path::new("/tmp/h/admin.sock"),
        );

        assert!(text.contains("bind 127.0.0.1:5000"));
        assert!(text.contains("balance roundrobin"));
        assert!(text.contains("http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host"));
        assert!(text.contains("option redispatch 1"));
        assert!(text.contains("http-request disable-l7-retry if !METH_GET"));
        assert!(text.contains("inter 200ms fastinter 200ms downinter 200ms fall 2 rise 1"));
        assert!(text.contains("server instance0 127.0.0.1:4001 check"));
        assert!(text.contains("server instance1 127.0.0.1:4002 check"));
        assert!(text.contains("string \"t0k\""));
        assert!(!text.contains("cookie"), "no stickiness");
    }
}
