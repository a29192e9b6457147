//! One module per scenario. Each starts its own private Redis and its own server processes, so
//! the scenarios do not disturb one another and any one of them can run alone.

pub mod fault;
pub mod memory;
pub mod restart;
pub mod scale_out;
pub mod throughput;

use std::path::PathBuf;

use authlab_procs::{RedisOptions, RedisServer};

use crate::{progress::say, redis_probe::RedisProbe, BenchConfig, Results, Scenario};

/// What every scenario gets: the config, a temp dir for data directories, a place to record.
pub struct Context<'a> {
    pub config: &'a BenchConfig,
    pub sizes: crate::Sizes,
    pub temp: tempfile::TempDir,
    pub http: reqwest::Client,
}

impl Context<'_> {
    /// A fresh data directory (keys, server logs) for one group of server processes.
    pub fn data_dir(&self, name: &str) -> PathBuf {
        self.temp.path().join(name)
    }
}

/// A private Redis; its version goes into the machine section.
pub fn start_redis(options: RedisOptions, results: &mut Results) -> anyhow::Result<RedisServer> {
    let redis = RedisServer::start_with(options)?;
    if results.machine.redis == "unknown" || results.machine.redis.is_empty() {
        let mut probe = RedisProbe::connect(&redis.url())?;
        results.machine.redis = probe.version()?;
    }
    Ok(redis)
}

pub async fn run_all(config: &BenchConfig) -> anyhow::Result<Results> {
    let mut results = Results::new(config);
    let context = Context {
        config,
        sizes: config.sizes(),
        temp: tempfile::Builder::new()
            .prefix("authlab-bench-")
            .tempdir()?,
        http: crate::client::http_client()?,
    };
    for scenario in config.selected() {
        say(format!("scenario {scenario}"));
        let started = std::time::Instant::now();
        let outcome = match scenario {
            Scenario::Restart => restart::run(&context, &mut results).await,
            Scenario::Memory => memory::run(&context, &mut results).await,
            Scenario::Throughput => throughput::run(&context, &mut results).await,
            Scenario::ScaleOut => scale_out::run(&context, &mut results).await,
            Scenario::Fault => fault::run(&context, &mut results).await,
        };
        outcome.map_err(|err| err.context(format!("scenario {scenario}")))?;
        say(format!(
            "scenario {scenario} done in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(results)
}
