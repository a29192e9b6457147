//! The real `authlab serve` binary as a child process, as every scenario starts it.
//!
//! The harness never runs the app in its own process: a restart must be a real `kill -9` of a
//! real process, and the server's CPU time must be readable from `/proc/<pid>/stat` apart from the
//! load generator's. How a child is started, how its port is learnt (from its own log) and how it
//! is restarted on the same port is `authlab-procs`' [`AppProcess`], shared with the tests; this
//! module only says what a measured server runs with.

use std::path::Path;

use authlab_procs::AppCommand;
pub use authlab_procs::AppProcess;

/// Start the binary with its keys in `data_dir` and `/session` on `redis_url`, and wait until
/// `/healthz` answers.
pub async fn start(
    binary: &Path,
    data_dir: &Path,
    redis_url: &str,
    extra_env: &[(&str, &str)],
) -> anyhow::Result<AppProcess> {
    AppCommand::serve(binary, redis_url)
        .data_dir(data_dir)
        // Warnings, plus the line that says where it listens: logging every login would cost
        // the measured server time.
        .log_filter("warn")
        // Every benchmark login comes from 127.0.0.1: the per-address login limit (a bound
        // for classrooms, not for a load generator) would refuse the measured logins.
        .env("AUTHLAB_LOGINS_PER_MINUTE", "1000000")
        // The classroom tools a scenario presses (rotate) answer only the teacher.
        .env("AUTHLAB_TEACHER_PASSWORD", crate::client::TEACHER_PASSWORD)
        // A scenario may press a tool twice in a row (two rotations).
        .env("AUTHLAB_TOOL_COOLDOWN", "0")
        .envs(extra_env.iter().copied())
        .start()
        .await
}
