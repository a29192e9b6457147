//! Everything a run measured, as written to `results.json`; the report and the charts are built
//! from this and nothing else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{machine::Machine, BenchConfig};

/// The headline figures of one mount. `null` where the figure does not apply to the mount (the
/// baseline has no login to survive a restart) or its scenario was not run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MountFigures {
    /// Share of logged-in users still authenticated after `kill -9` and a restart of the app.
    pub app_restart_survival: Option<f64>,
    /// Same after a restart of a Redis without persistence.
    pub redis_restart_survival: Option<f64>,
    /// Same after a restart of a Redis with AOF `appendfsync everysec`.
    pub redis_aof_restart_survival: Option<f64>,
    /// Same after the JWT signing key was replaced (an app restart with a new key).
    pub jwt_key_rotation_survival: Option<f64>,
    /// Same after the JWT key was rotated with overlap while the app ran (the rotate lab).
    #[serde(default)]
    pub jwt_key_overlap_survival: Option<f64>,
    /// Server-side bytes per logged-in user at the largest N measured.
    pub server_bytes_per_user: Option<f64>,
    /// Bytes of the credential header (`Cookie` or `Authorization`) on every request.
    pub wire_bytes_per_request: Option<u64>,
    /// Maximum throughput of `GET /{b}/api/me`, closed loop.
    pub rps: Option<f64>,
    /// Open-loop latency at a fixed offered rate, from the time each request was due.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    pub p999_us: Option<u64>,
    /// Server + Redis CPU time per request, closed loop.
    pub cpu_us_per_request: Option<f64>,
    /// Redis commands per unchanged request.
    pub redis_commands_per_request: Option<f64>,
    /// Share of requests that succeed when they alternate between two instances.
    pub scale_out_success: Option<f64>,
    /// Share of requests that failed while Redis was down.
    pub fault_error_rate_while_down: Option<f64>,
    pub fault_p99_us_while_down: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestartEvent {
    pub name: String,
    pub description: String,
    /// Mount slug → share still authenticated.
    pub survival: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestartResults {
    pub users_per_mount: usize,
    pub events: Vec<RestartEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemoryRow {
    pub users: usize,
    /// `used_memory` delta / N after N logins saved through the server's Redis store.
    pub redis_bytes_per_user: f64,
    /// The in-process store's own accounting / N.
    pub in_process_bytes_per_user: f64,
    /// Resident-set growth of the process holding the in-process store / N.
    pub in_process_rss_bytes_per_user: f64,
    /// `used_memory` delta / N after N tokens were put on the JWT denylist.
    pub jwt_denylist_bytes_per_entry: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireBytes {
    pub header: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemoryResults {
    pub rows: Vec<MemoryRow>,
    /// The record one real login leaves in Redis (its JSON length), captured over HTTP.
    pub session_record_bytes: usize,
    /// Redis keys one login writes, with `MEMORY USAGE` of each kind.
    pub key_breakdown: Vec<(String, u64)>,
    /// Real HTTP logins on /session and their `used_memory` delta per login.
    pub http_logins: usize,
    pub http_redis_bytes_per_login: f64,
    /// Mount slug → credential header.
    pub wire: BTreeMap<String, WireBytes>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThroughputRow {
    pub mount: String,
    /// A variant of the mount's server measured beside it (`denylist on`), `None` for the mount
    /// as configured by default.
    #[serde(default)]
    pub variant: Option<String>,
    /// Median of the interleaved closed-loop rounds.
    pub rps: f64,
    pub rps_rounds: Vec<f64>,
    pub closed_errors: u64,
    pub closed_p50_us: u64,
    pub open_requests: u64,
    pub open_errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    /// p99 of how late the load generator sent requests after they were due.
    pub p99_send_lag_us: u64,
    pub cpu_server_us_per_request: f64,
    pub cpu_redis_us_per_request: f64,
    /// Per closed-loop round: the server's and Redis's CPU µs per request.
    #[serde(default)]
    pub cpu_server_us_rounds: Vec<f64>,
    #[serde(default)]
    pub cpu_redis_us_rounds: Vec<f64>,
    /// Per open-loop round: p50 and p99 latency, µs.
    #[serde(default)]
    pub p50_us_rounds: Vec<u64>,
    #[serde(default)]
    pub p99_us_rounds: Vec<u64>,
    /// Over the closed loop: the share of its own cores the server kept busy, and the share of
    /// the other cores the load generator and Redis kept busy (1.0 = every core of the group
    /// busy the whole time). A saturated server beside an unsaturated generator means the server
    /// was the limit.
    #[serde(default)]
    pub server_cores_busy: f64,
    #[serde(default)]
    pub generator_cores_busy: f64,
}

/// What a variant row measured beside the mounts as configured by default. The row keeps its
/// name as text (older `results.json` files have it), written and read through these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The token mount with its Redis denylist on.
    Denylist,
    /// The token mount signing and verifying with Ed25519 instead of HS256.
    EdDsa,
    /// `authlab resource`'s `/api/me` with an EdDSA JWT: checked locally with the JWKS.
    SecondServiceLocal,
    /// `authlab resource`'s `/api/me` with a token it cannot check itself (an HS256 JWT): one
    /// `POST /introspect` to the issuer per request.
    SecondServiceIntrospection,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Denylist => "denylist on",
            Variant::EdDsa => "EdDSA",
            Variant::SecondServiceLocal => "second service, local verify",
            Variant::SecondServiceIntrospection => "second service, introspection",
        }
    }
}

impl ThroughputRow {
    pub fn is(&self, variant: Variant) -> bool {
        self.variant.as_deref() == Some(variant.as_str())
    }

    /// `/jwt`, or `/jwt (denylist on)`.
    pub fn label(&self) -> String {
        match &self.variant {
            Some(variant) => format!("/{} ({variant})", self.mount),
            None => format!("/{}", self.mount),
        }
    }
}

/// The smallest and the largest of a run's rounds.
pub fn spread<T: Copy + PartialOrd>(values: &[T]) -> Option<(T, T)> {
    let mut iter = values.iter().copied();
    let first = iter.next()?;
    Some(iter.fold((first, first), |(lo, hi), v| {
        (if v < lo { v } else { lo }, if v > hi { v } else { hi })
    }))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThroughputResults {
    pub connections: usize,
    pub closed_loop_secs: f64,
    pub open_loop_secs: f64,
    pub offered_rate: f64,
    /// Closed- and open-loop time is split into this many rounds, mounts interleaved.
    pub rounds: usize,
    /// Where the processes ran ("the server on core 0 (1 worker), …"), `None` when unpinned.
    #[serde(default)]
    pub pinning: Option<String>,
    /// Share of the machine's busy CPU time during the closed loop that went to processes other
    /// than the server, Redis and the load generator (other work on a shared machine).
    pub other_processes_cpu_share: f64,
    /// Share of that busy time spent in interrupt work (irq + softirq), charged to no process:
    /// mostly the loopback networking of the benchmark itself.
    pub interrupt_cpu_share: f64,
    /// Share taken by the hypervisor for other guests.
    pub steal_cpu_share: f64,
    pub rows: Vec<ThroughputRow>,
    /// Unchanged `/session/api/me` requests sent one after another while Redis counted commands.
    pub round_trip_requests: usize,
    pub session_commands: BTreeMap<String, u64>,
    pub jwt_commands: BTreeMap<String, u64>,
    /// HS256 verification as the server does it (`TokenCodec::verify`), timed in-process.
    pub hs256_verify_ns: f64,
    /// The bare `jsonwebtoken::decode` of the same token with the crate's default checks: the
    /// figure comparable to the crate's own published one.
    pub hs256_bare_verify_ns: f64,
    /// Signing the same claims (`TokenCodec::sign`): the same HMAC, without the parsing.
    pub hs256_sign_ns: f64,
    /// The server's EdDSA verify (`TokenCodec::verify` under `AUTHLAB_JWT_ALG=EdDSA`), timed the
    /// same way; `None` in runs before it was measured.
    #[serde(default)]
    pub eddsa_verify_ns: Option<f64>,
    pub verify_iterations: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleOutResults {
    pub users_per_mount: usize,
    pub requests_per_user: usize,
    pub success: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultCell {
    pub requests: u64,
    pub error_rate: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// Requests not answered 200 (`None` in results written before it was counted).
    #[serde(default)]
    pub errors: Option<u64>,
    /// Of those, the ones due in the phase but answered after it ended: in flight when the next
    /// phase began (a request sent just before Redis was killed, answered 503 after).
    #[serde(default)]
    pub errors_answered_after_the_phase: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultPhase {
    pub name: String,
    pub per_mount: BTreeMap<String, FaultCell>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultResults {
    pub rate_per_mount: f64,
    pub phase_secs: f64,
    pub phases: Vec<FaultPhase>,
    /// From the moment Redis answered PING again to the first request due after it that /session
    /// answered with 200.
    pub session_recovery_ms: Option<f64>,
    /// Status codes /session answered while Redis was down, with counts.
    pub session_statuses_while_down: BTreeMap<String, u64>,
}

/// One target of issue 4, as measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetCheck {
    pub target: String,
    pub measured: String,
    pub verdict: Verdict,
    pub why: String,
}

/// What the figures say of a target. A type, so that a report cannot misspell it; written as
/// `met`, `missed` or `not measured` in `results.json` and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "met")]
    Met,
    #[serde(rename = "missed")]
    Missed,
    #[serde(rename = "not measured")]
    NotMeasured,
}

impl Verdict {
    pub fn of(met: Option<bool>) -> Self {
        match met {
            Some(true) => Verdict::Met,
            Some(false) => Verdict::Missed,
            None => Verdict::NotMeasured,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::NotMeasured => "not measured",
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Results {
    pub generated_at: String,
    pub mode: String,
    pub command: String,
    pub elapsed_secs: f64,
    pub scenarios: Vec<String>,
    pub machine: Machine,
    /// Mount slug (`session`, `memory`, `jwt`, `baseline`, …) → headline figures.
    pub mounts: BTreeMap<String, MountFigures>,
    pub restart: Option<RestartResults>,
    pub memory: Option<MemoryResults>,
    pub throughput: Option<ThroughputResults>,
    pub scale_out: Option<ScaleOutResults>,
    pub fault: Option<FaultResults>,
    pub targets: Vec<TargetCheck>,
}

impl Results {
    pub fn new(config: &BenchConfig) -> Results {
        let mounts = config
            .mounts
            .measured()
            .map(|m| (m.slug.as_str().to_owned(), MountFigures::default()))
            .collect();
        Results {
            generated_at: crate::machine::command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
                .unwrap_or_default(),
            mode: if config.quick { "quick" } else { "full" }.to_owned(),
            command: config.command.clone(),
            scenarios: config
                .selected()
                .iter()
                .map(|s| s.name().to_owned())
                .collect(),
            machine: Machine::read(),
            mounts,
            ..Results::default()
        }
    }

    pub fn mount(&mut self, slug: &str) -> &mut MountFigures {
        self.mounts.entry(slug.to_owned()).or_default()
    }
}
