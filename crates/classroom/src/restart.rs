//! Asking this server process to end so that the `authlab demo` supervisor starts a new one.
//!
//! The restart lab must restart the real process (the in-process store really is lost, the keys
//! really are read back from disk), and a process cannot do that to itself and come back. So
//! `authlab demo` runs `authlab serve` as a child and starts it again whenever it exits with
//! [`RESTART_EXIT_CODE`]; the lab flips this switch after its answer is on its way, the serve loop
//! stops the server gracefully (the answer is delivered) and exits with that code.

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use tokio::sync::watch;

/// "Start me again": the exit code the supervisor treats as a restart request (EX_TEMPFAIL).
pub const RESTART_EXIT_CODE: u8 = 75;

/// Shared by the labs (which flip it) and the serve loop (which waits on it).
#[derive(Clone)]
pub struct RestartSwitch {
    sender: Arc<watch::Sender<bool>>,
}

static STARTED: OnceLock<Instant> = OnceLock::new();

/// How long this process has been serving (counted from when its state was built).
pub fn uptime() -> Duration {
    STARTED.get_or_init(Instant::now).elapsed()
}

impl Default for RestartSwitch {
    fn default() -> Self {
        STARTED.get_or_init(Instant::now);
        RestartSwitch {
            sender: Arc::new(watch::channel(false).0),
        }
    }
}

impl RestartSwitch {
    pub fn request(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_requested(&self) -> bool {
        *self.sender.borrow()
    }

    /// Resolves once a restart was requested (at once if it already was).
    pub async fn requested(&self) {
        let mut receiver = self.sender.subscribe();
        // Err only if the sender is gone, which cannot happen while `self` holds it.
        let _ = receiver.wait_for(|requested| *requested).await;
    }
}
