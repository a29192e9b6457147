//! Where the throughput scenario's processes run: the server on a core of its own, the load
//! generator and Redis on the others.
//!
//! Unpinned, the scheduler moves the server, Redis and the generator across the same cores, so a
//! request's CPU figure includes the cost of being preempted by the client that sent it, and a
//! mount that makes more wake-ups (a Redis round trip) pays for them twice. Pinned, the server's
//! core is busy only with the server: its CPU per request is its own, and whether that core was
//! saturated (and the generator's was not) says which side was the limit.
//!
//! Pinning is done with `taskset -a -p` (util-linux, on every Debian), which sets the affinity of
//! every thread a process has; threads started later inherit it. On a one-core machine nothing is
//! pinned and the report says so.

use std::process::Command;

/// The cores given to the server and to everything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinning {
    pub server: Vec<usize>,
    pub others: Vec<usize>,
    all: Vec<usize>,
}

impl Pinning {
    /// The server gets the first core (half of them on a larger machine); the generator and Redis
    /// the rest. `None` with fewer than two cores.
    pub fn plan(cores: usize) -> Option<Pinning> {
        if cores < 2 {
            return None;
        }
        let server_cores = (cores / 2).max(1);
        let all: Vec<usize> = (0..cores).collect();
        Some(Pinning {
            server: all[..server_cores].to_vec(),
            others: all[server_cores..].to_vec(),
            all,
        })
    }

    pub fn pin_server(&self, pid: u32) -> anyhow::Result<()> {
        taskset(&self.server, pid)
    }

    pub fn pin_other(&self, pid: u32) -> anyhow::Result<()> {
        taskset(&self.others, pid)
    }

    /// Give a process every core back (the bench's own process, after the scenario).
    pub fn release(&self, pid: u32) -> anyhow::Result<()> {
        taskset(&self.all, pid)
    }

    /// How many actix workers the server should run: one per core it has.
    pub fn server_workers(&self) -> usize {
        self.server.len()
    }

    pub fn describe(&self) -> String {
        format!(
            "the server on {} ({} worker{}), the load generator and Redis on {}",
            cores_text(&self.server),
            self.server.len(),
            if self.server.len() == 1 { "" } else { "s" },
            cores_text(&self.others)
        )
    }
}

fn cores_text(cores: &[usize]) -> String {
    let list: Vec<String> = cores.iter().map(usize::to_string).collect();
    format!(
        "core{} {}",
        if cores.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

fn taskset(cores: &[usize], pid: u32) -> anyhow::Result<()> {
    let list: Vec<String> = cores.iter().map(usize::to_string).collect();
    let output = Command::new("taskset")
        .args(["-a", "-p", "-c", &list.join(","), &pid.to_string()])
        .output()
        .map_err(|err| anyhow::anyhow!("taskset could not be run ({err}); install util-linux"))?;
    anyhow::ensure!(
        output.status.success(),
        "taskset -a -p -c {} {pid} failed: {}",
        list.join(","),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

/// The cores a process may run on, from `/proc/<pid>/status` (`Cpus_allowed_list`).
pub fn allowed_cores(pid: u32) -> anyhow::Result<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| anyhow::anyhow!("no Cpus_allowed_list in /proc/{pid}/status"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_cores_give_the_server_one_and_the_rest_the_other() {
        let plan = Pinning::plan(2).expect("two cores can be split");

        assert_eq!(plan.server, vec![0]);
        assert_eq!(plan.others, vec![1]);
        assert_eq!(plan.server_workers(), 1);
        assert_eq!(
            plan.describe(),
            "the server on core 0 (1 worker), the load generator and Redis on core 1"
        );
    }

    #[test]
    fn one_core_cannot_be_split() {
        assert_eq!(Pinning::plan(1), None);
    }

    #[test]
    fn a_pinned_child_runs_only_where_it_was_put() {
        // Arrange: a real child process, pinned to the first core.
        let plan = Pinning::plan(2).expect("plan");
        let mut child = Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep starts");

        // Act
        let pinned = plan.pin_server(child.id());
        let allowed = allowed_cores(child.id());
        let _ = child.kill();
        let _ = child.wait();

        // Assert
        pinned.expect("taskset pins the child");
        assert_eq!(allowed.expect("status readable"), "0");
    }
}
