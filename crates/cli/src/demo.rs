//! `authlab demo`: `authlab serve` under a supervisor that starts it again on request.
//!
//! The restart lab must restart the real server process, and a process cannot bring itself back.
//! So this parent runs the server as a child (`authlab serve`, with the same flags and the same
//! `AUTHLAB_*` environment, plus `AUTHLAB_SUPERVISED=true`) and starts a new child whenever one
//! exits with [`RESTART_EXIT_CODE`]. Any other exit ends the demo with the child's status.
//!
//! The private Redis (when nothing answers at the Redis URL) belongs to this parent, not to the
//! child: a restart of the app must not also restart Redis, or the lesson would show the wrong
//! thing. Ctrl-C reaches the child by itself (same process group); SIGTERM sent to this parent
//! (`docker stop`) is passed on, so the child still shuts down gracefully.

use std::{ffi::OsString, process::ExitCode};

use authlab_classroom::RESTART_EXIT_CODE;
use tokio::{
    process::{Child, Command},
    signal::unix::{signal, SignalKind},
};

use crate::{cli::ServeArgs, private_redis};

pub fn run(args: ServeArgs, forwarded: Vec<OsString>) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(supervise(args, forwarded))
}

async fn supervise(args: ServeArgs, mut forwarded: Vec<OsString>) -> anyhow::Result<ExitCode> {
    let mut settings = args.settings;
    let private_redis = if args.no_private_redis {
        None
    } else {
        private_redis::start_if_needed(&mut settings).await
    };
    if private_redis.is_some() {
        forwarded = without_flag(forwarded, "--redis-url");
    }
    let exe = std::env::current_exe()?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut generation = 0u32;
    loop {
        generation += 1;
        let mut child = Command::new(&exe)
            .arg("serve")
            .args(&forwarded)
            .env("AUTHLAB_SUPERVISED", "true")
            .env("AUTHLAB_REDIS_URL", &settings.redis_url)
            // The parent owns the private Redis, if any; the child must not start another.
            .env("AUTHLAB_NO_PRIVATE_REDIS", "true")
            .kill_on_drop(true)
            .spawn()?;
        tracing::info!(
            pid = child.id(),
            generation,
            "authlab demo started the server"
        );
        let status = tokio::select! {
            status = child.wait() => status?,
            _ = terminate.recv() => return stop(child).await,
            _ = interrupt.recv() => return stop(child).await,
        };
        match status.code() {
            Some(code) if code == i32::from(RESTART_EXIT_CODE) => {
                tracing::warn!("the server asked to be restarted; starting a new one");
            }
            Some(0) => return Ok(ExitCode::SUCCESS),
            Some(code) => return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1))),
            None => {
                tracing::error!(%status, "the server was killed by a signal");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
}

/// Pass a stop on to the child and wait for its graceful shutdown.
async fn stop(mut child: Child) -> anyhow::Result<ExitCode> {
    if let Some(pid) = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    child.wait().await?;
    Ok(ExitCode::SUCCESS)
}

/// `args` without `--flag value` and `--flag=value`.
fn without_flag(args: Vec<OsString>, flag: &str) -> Vec<OsString> {
    let mut kept = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        let text = arg.to_string_lossy();
        if text == flag {
            skip_next = true;
        } else if !text.starts_with(&format!("{flag}=")) {
            kept.push(arg);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_is_removed_in_both_spellings() {
        let args = [
            "--port",
            "9000",
            "--redis-url",
            "redis://x",
            "--redis-url=redis://y",
        ]
        .map(OsString::from)
        .to_vec();

        let kept = without_flag(args, "--redis-url");

        assert_eq!(kept, ["--port", "9000"].map(OsString::from).to_vec());
    }
}
