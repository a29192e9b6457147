//! What the helpers do to a child process: kill it, ask it to stop, see whether it is gone.
//!
//! SIGTERM goes through `rustix` because the workspace forbids `unsafe` (no raw `libc::kill`);
//! SIGKILL through `std`, which also reaps the child so no zombie is left behind.

use std::process::{Child, ExitStatus};

/// SIGKILL, then reap. Errors are ignored: a child that already exited is what we wanted.
pub(crate) fn kill_and_reap(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// SIGTERM to this child only (not its process group): a supervisor gets to pass it on.
///
/// A child already reaped is left alone: its pid may belong to another process by now. Until we
/// reap it, an exited child stays a zombie that holds its pid, so the check cannot race.
pub(crate) fn terminate(child: &mut Child) -> std::io::Result<()> {
    if exit_status(child).is_some() {
        return Ok(());
    }
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .ok_or_else(|| std::io::Error::other(format!("pid {} out of range", child.id())))?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    Ok(())
}

/// The exit status, if the child has exited (reaping it).
pub(crate) fn exit_status(child: &mut Child) -> Option<ExitStatus> {
    child.try_wait().ok().flatten()
}
