//! What to run and how big: the full run and `--quick` differ only in the sizes here.

use std::{fmt, path::PathBuf, str::FromStr, time::Duration};

use crate::mounts::MountList;

/// One scenario of `authlab bench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scenario {
    Restart,
    Memory,
    Throughput,
    ScaleOut,
    Fault,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::Restart,
        Scenario::Memory,
        Scenario::Throughput,
        Scenario::ScaleOut,
        Scenario::Fault,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Restart => "restart",
            Scenario::Memory => "memory",
            Scenario::Throughput => "throughput",
            Scenario::ScaleOut => "scale-out",
            Scenario::Fault => "fault",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scenario {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Scenario::ALL
            .into_iter()
            .find(|s| s.name() == text || (text == "scale" && *s == Scenario::ScaleOut))
            .ok_or_else(|| {
                let names: Vec<_> = Scenario::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown scenario {text:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// One run of `authlab bench`.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// The `authlab` binary to start as the server under test.
    pub binary: PathBuf,
    pub out_dir: PathBuf,
    pub quick: bool,
    /// Empty means all.
    pub scenarios: Vec<Scenario>,
    /// The command that regenerates this report, as the report should print it.
    pub command: String,
    /// The mounts the server under test serves, as its composition root lists them.
    pub mounts: MountList,
}

impl BenchConfig {
    pub fn selected(&self) -> Vec<Scenario> {
        if self.scenarios.is_empty() {
            Scenario::ALL.to_vec()
        } else {
            let mut chosen = self.scenarios.clone();
            chosen.sort();
            chosen.dedup();
            chosen
        }
    }

    pub fn sizes(&self) -> Sizes {
        if self.quick {
            Sizes {
                restart_users: 6,
                memory_users: vec![1_000, 10_000],
                memory_http_logins: 20,
                connections: 16,
                rounds: 2,
                // Nine targets (mounts and variants) pay both loops: these two lengths are most
                // of a quick run's minute.
                closed_loop: Duration::from_millis(600),
                open_loop: Duration::from_millis(600),
                round_trip_requests: 200,
                verify_iterations: 20_000,
                scale_users: 2,
                scale_requests_per_user: 12,
                scale_phase: Duration::from_millis(300),
                scale_rate_per_mount: 40.0,
                fault_rate_per_mount: 100.0,
                fault_phase: Duration::from_millis(1_200),
            }
        } else {
            Sizes {
                restart_users: 100,
                memory_users: vec![1_000, 10_000, 100_000],
                memory_http_logins: 100,
                connections: 16,
                rounds: 5,
                closed_loop: Duration::from_secs(10),
                open_loop: Duration::from_secs(10),
                round_trip_requests: 2_000,
                verify_iterations: 200_000,
                scale_users: 20,
                scale_requests_per_user: 24,
                scale_phase: Duration::from_secs(4),
                scale_rate_per_mount: 150.0,
                fault_rate_per_mount: 200.0,
                fault_phase: Duration::from_secs(4),
            }
        }
    }
}

/// The sizes of one run.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// Users logged in over HTTP per mount before each restart event.
    pub restart_users: usize,
    /// Logged-in user counts for the memory scenario.
    pub memory_users: Vec<usize>,
    /// Real HTTP logins for the cross-check of the Redis bytes per user.
    pub memory_http_logins: usize,
    /// Concurrent connections of the closed loop.
    pub connections: usize,
    /// The closed and open loops are split into this many rounds, mounts interleaved.
    pub rounds: usize,
    /// Closed-loop time per mount, all rounds together.
    pub closed_loop: Duration,
    pub open_loop: Duration,
    /// Sequential unchanged requests over which Redis commands are counted.
    pub round_trip_requests: usize,
    /// HS256 verifications timed in-process.
    pub verify_iterations: usize,
    pub scale_users: usize,
    /// A multiple of 6, so that round robin over 1, 2 or 3 instances spreads it evenly.
    pub scale_requests_per_user: usize,
    /// Closed loop per mount and instance count; also each third of the kill run.
    pub scale_phase: Duration,
    /// Offered rate per mount while an instance is killed or restarted.
    pub scale_rate_per_mount: f64,
    /// Offered rate per mount during the fault scenario.
    pub fault_rate_per_mount: f64,
    /// Length of each fault phase (before, Redis down, after).
    pub fault_phase: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_parse_and_a_wrong_one_lists_the_right_ones() {
        assert_eq!("scale-out".parse::<Scenario>(), Ok(Scenario::ScaleOut));
        assert_eq!("scale".parse::<Scenario>(), Ok(Scenario::ScaleOut));
        assert_eq!("fault".parse::<Scenario>(), Ok(Scenario::Fault));

        let error = "speed".parse::<Scenario>().expect_err("unknown");

        assert!(
            error.contains("restart, memory, throughput, scale-out, fault"),
            "{error}"
        );
    }

    #[test]
    fn no_scenario_means_all_and_repeats_run_once() {
        let config = |scenarios| BenchConfig {
            binary: PathBuf::from("authlab"),
            out_dir: PathBuf::from("out"),
            quick: true,
            scenarios,
            command: String::new(),
            mounts: MountList::new(&[]),
        };

        assert_eq!(config(vec![]).selected(), Scenario::ALL.to_vec());
        assert_eq!(
            config(vec![Scenario::Fault, Scenario::Restart, Scenario::Fault]).selected(),
            vec![Scenario::Restart, Scenario::Fault]
        );
    }
}
