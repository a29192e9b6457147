//! The scenario harness behind `authlab bench`.
//!
//! Every figure in the report comes from real processes measured in the same run on the same
//! machine: a private `redis-server` ([`authlab_procs::RedisServer`]) and the real `authlab serve`
//! binary started as child processes on free ports ([`server::AppProcess`]), driven over loopback
//! HTTP by the load generator in [`load`]. Nothing is mocked and no figure is typed in: the report
//! ([`report`]) and the charts ([`charts`]) are written from [`results::Results`], which only the
//! scenarios fill (the verdicts on the targets included, judged from the figures).
//!
//! What is measured is the server's own list of mounts ([`MountList`], from the binary's
//! composition root): the harness names no mount, and picks the one a scenario is about by where
//! its logins live (`StateHome`) and the one credential to present by what the mount declares.
//!
//! The scenarios (one module each under [`scenarios`]) answer the course notes' claims:
//! restart (who stays logged in), memory (server bytes per user, wire bytes per request),
//! throughput (max rps, latency free of coordinated omission, CPU per request, Redis round trips),
//! scale-out (1, 2 and 3 instances behind HAProxy, one killed, a rolling restart; `/session` on a
//! Redis Cluster with a master killed) and fault (Redis stopped mid-run).

pub mod charts;
pub mod client;
pub mod config;
pub mod load;
pub mod machine;
pub mod mounts;
pub mod pinning;
pub mod procstat;
pub mod progress;
pub mod redis_probe;
pub mod report;
pub mod results;
pub mod scenarios;
pub mod server;

use std::time::Instant;

pub use config::{BenchConfig, Scenario, Sizes};
pub use mounts::MountList;
pub use results::Results;

/// Run the chosen scenarios and write `report.md`, `results.json` and the charts to the output
/// directory.
pub fn run(config: &BenchConfig) -> anyhow::Result<Results> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let mut results = runtime.block_on(scenarios::run_all(config))?;
    results.elapsed_secs = started.elapsed().as_secs_f64();
    finish(&mut results, config);
    std::fs::create_dir_all(&config.out_dir)?;
    charts::write_all(&results, config.mounts, &config.out_dir)?;
    report::write(&results, config.mounts, &config.out_dir)?;
    std::fs::write(
        config.out_dir.join("results.json"),
        serde_json::to_string_pretty(&results)? + "\n",
    )?;
    Ok(results)
}

/// Close a run once its scenarios are done: the machine's load at the end, and each target
/// judged from the figures.
pub fn finish(results: &mut Results, config: &BenchConfig) {
    results.machine.load_average_end = procstat::load_average();
    results.targets = report::targets(results, config);
}
