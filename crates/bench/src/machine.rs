//! The machine and versions section of the report, read at run time.

use std::process::Command;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub memory_total: String,
    pub kernel: String,
    pub os: String,
    pub rustc: String,
    pub redis: String,
    pub authlab: String,
    /// The commit the measured binary was built from (`git describe`, `-dirty` when the work tree
    /// had changes), or "unknown" outside a git checkout.
    #[serde(default)]
    pub commit: String,
    /// 1, 5 and 15-minute load averages when the run started and when it ended: other work on
    /// the machine shows here.
    pub load_average_start: String,
    pub load_average_end: String,
}

impl Machine {
    /// Everything but the Redis version, which is asked of a running Redis by the scenarios.
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        Machine {
            cpu_model: field(&cpuinfo, "model name", ':').unwrap_or_else(unknown),
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory_total: field(&meminfo, "MemTotal", ':').unwrap_or_else(unknown),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| unknown()),
            os: field(&os_release, "PRETTY_NAME", '=')
                .map(|s| s.trim_matches('"').to_owned())
                .unwrap_or_else(unknown),
            rustc: command_output("rustc", &["--version"])
                .unwrap_or_else(|| "rustc not on PATH".to_owned()),
            redis: unknown(),
            authlab: env!("CARGO_PKG_VERSION").to_owned(),
            commit: command_output("git", &["describe", "--always", "--dirty"])
                .unwrap_or_else(unknown),
            load_average_start: crate::procstat::load_average(),
            load_average_end: String::new(),
        }
    }
}

fn unknown() -> String {
    "unknown".to_owned()
}

fn field(text: &str, name: &str, separator: char) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(separator)?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}

pub fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
