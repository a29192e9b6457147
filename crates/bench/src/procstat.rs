//! CPU time and memory of a process, read from `/proc` (Linux).

use std::process::Command;

/// utime + stime of `pid` in clock ticks (`/proc/<pid>/stat` fields 14 and 15).
pub fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) is in parentheses and may contain spaces: count after it.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| anyhow::anyhow!("unexpected /proc/{pid}/stat"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: field 3 (state) is index 0, so utime (14) is index 11 and stime (15) is 12.
    let field = |i: usize| -> anyhow::Result<u64> {
        Ok(fields
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("short /proc/{pid}/stat"))?
            .parse()?)
    };
    Ok(field(11)? + field(12)?)
}

/// The whole machine's CPU time in clock ticks, from the `cpu` line of `/proc/stat`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MachineTicks {
    /// user + nice + system: time charged to processes, ours and others'.
    pub processes: u64,
    /// irq + softirq: interrupt work, which is not charged to any process. Loopback networking
    /// (our own load) lands largely here.
    pub interrupts: u64,
    /// Time the hypervisor gave to other guests.
    pub steal: u64,
}

impl MachineTicks {
    pub fn read() -> anyhow::Result<Self> {
        let stat = std::fs::read_to_string("/proc/stat")?;
        let line = stat
            .lines()
            .find(|l| l.starts_with("cpu "))
            .ok_or_else(|| anyhow::anyhow!("no cpu line in /proc/stat"))?;
        let fields: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        let field = |i: usize| fields.get(i).copied().unwrap_or(0);
        Ok(MachineTicks {
            processes: field(0) + field(1) + field(2),
            interrupts: field(5) + field(6),
            steal: field(7),
        })
    }

    pub fn since(self, earlier: MachineTicks) -> MachineTicks {
        MachineTicks {
            processes: self.processes.saturating_sub(earlier.processes),
            interrupts: self.interrupts.saturating_sub(earlier.interrupts),
            steal: self.steal.saturating_sub(earlier.steal),
        }
    }

    pub fn busy(self) -> u64 {
        self.processes + self.interrupts + self.steal
    }
}

/// `/proc/loadavg`'s three load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Clock ticks per second (`getconf CLK_TCK`), asked of the system rather than assumed.
pub fn ticks_per_second() -> anyhow::Result<u64> {
    let output = Command::new("getconf").arg("CLK_TCK").output()?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().parse()?)
}

/// Resident set size of `pid` in bytes (`VmRSS` of `/proc/<pid>/status`).
pub fn rss_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for {pid}"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("bad VmRSS line"))?
        .parse()?;
    Ok(kib * 1024)
}

/// CPU ticks of several processes, read together at the start and end of a measured step.
pub struct CpuMeter {
    pids: Vec<u32>,
    start: Vec<u64>,
}

impl CpuMeter {
    pub fn start(pids: &[u32]) -> anyhow::Result<Self> {
        let start = pids
            .iter()
            .map(|p| cpu_ticks(*p))
            .collect::<Result<_, _>>()?;
        Ok(CpuMeter {
            pids: pids.to_vec(),
            start,
        })
    }

    /// Seconds of CPU each process used since [`CpuMeter::start`].
    pub fn seconds(&self) -> anyhow::Result<Vec<f64>> {
        let hz = ticks_per_second()? as f64;
        self.pids
            .iter()
            .zip(&self.start)
            .map(|(pid, start)| Ok(cpu_ticks(*pid)?.saturating_sub(*start) as f64 / hz))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_cpu_time_and_memory_and_the_machine_is_busy() {
        let pid = std::process::id();
        // Work until the kernel has charged this process its first tick (10 ms at 100 Hz), up to
        // 5 s: on a machine shared with other builds, 60 ms of wall time was sometimes less than
        // one tick of CPU, and the test failed with a correct reader.
        let spin = std::time::Instant::now();
        while cpu_ticks(pid).expect("own /proc/<pid>/stat") == 0
            && spin.elapsed() < std::time::Duration::from_secs(5)
        {
            for i in 0..100_000u64 {
                std::hint::black_box(i);
            }
        }

        assert!(ticks_per_second().expect("getconf CLK_TCK") > 0);
        assert!(cpu_ticks(pid).expect("own /proc/<pid>/stat") > 0);
        assert!(rss_bytes(pid).expect("own VmRSS") > 0);
        assert!(MachineTicks::read().expect("/proc/stat").busy() > 0);
        assert_eq!(load_average().split_whitespace().count(), 3);
    }
}
