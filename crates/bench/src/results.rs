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
    /// Share of requests that succeed with two instances behind a round-robin balancer.
    pub scale_out_success: Option<f64>,
    /// Share of requests that failed while Redis was down.
    pub fault_error_rate_while_down: Option<f64>,
    /// Seconds a credential kept working after its logout (`POST /{b}/api/logout`), polled
    /// every 100 ms, with the lifetimes of [`RestartResults::logout_lifetimes`].
    #[serde(default)]
    pub logged_out_works_for_secs: Option<f64>,
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
    /// The token lifetimes the logout measurement ran with, in words.
    #[serde(default)]
    pub logout_lifetimes: Option<String>,
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
    /// `used_memory` delta / N after N logins were started through the server's refresh-token
    /// store (a family and its first refresh token each); `None` without such a mount.
    #[serde(default)]
    pub refresh_bytes_per_login: Option<f64>,
    /// `used_memory` delta / N after each of those logins was refreshed once: the spent token
    /// kept (for reuse detection) plus the new one, over N.
    #[serde(default)]
    pub refresh_bytes_per_refresh: Option<f64>,
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
    /// The access and refresh lifetimes the refresh-token rows ran with (the server's defaults),
    /// in seconds: how many refreshes a login can pile up is their ratio.
    #[serde(default)]
    pub refresh_lifetimes: Option<(u64, u64)>,
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
    /// The token endpoint of each mount whose login hands out a refresh token.
    #[serde(default)]
    pub token_endpoint: Vec<TokenEndpointRow>,
}

/// Refreshes at a mount's token endpoint (`POST /{b}/api/token`, `grant_type=refresh_token`), in
/// a closed loop of chains: each connection spends its refresh token and goes on with the new one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenEndpointRow {
    pub mount: String,
    /// Median of the rounds' refreshes per second.
    pub rps: f64,
    pub rps_rounds: Vec<f64>,
    /// Refreshes that were refused or failed (each ends its chain).
    pub errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub cpu_server_us_per_request: f64,
    pub cpu_redis_us_per_request: f64,
    /// Redis commands per refresh, by command, over `refreshes_counted` refreshes in a row.
    pub commands: BTreeMap<String, u64>,
    pub refreshes_counted: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleOutResults {
    pub users_per_mount: usize,
    pub requests_per_user: usize,
    /// Two instances behind the balancer: mount slug → share of requests answered 200.
    pub success: BTreeMap<String, f64>,
    /// The balancer and its settings, as the report describes them.
    #[serde(default)]
    pub balancer: String,
    /// 1, 2 and 3 instances behind the balancer.
    #[serde(default)]
    pub by_instances: Vec<InstancesRow>,
    #[serde(default)]
    pub kill: Option<KillResults>,
    #[serde(default)]
    pub rolling: Option<RollingResults>,
    #[serde(default)]
    pub cluster_failover: Option<ClusterFailoverResults>,
}

/// One mount with `instances` instances behind the balancer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InstancesRow {
    pub instances: usize,
    pub mount: String,
    /// Sequential requests of logged-in users answered 200.
    pub share_200: f64,
    /// Closed loop through the balancer: requests answered (any status) per second.
    pub rps: f64,
    /// Server CPU (all instances) and Redis CPU per request in that closed loop, µs.
    pub cpu_server_us_per_request: f64,
    pub cpu_redis_us_per_request: f64,
}

/// What one mount's requests met while something happened to an instance or to Redis.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RequestCounts {
    pub requests: u64,
    /// No HTTP answer, or a 5xx: the request failed.
    pub failed: u64,
    /// 401: answered, but the login was not found.
    pub unauthenticated: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KillResults {
    pub instances: usize,
    pub rate_per_mount: f64,
    /// From the kill until the balancer's checks took the instance out.
    pub taken_out_after_ms: f64,
    pub per_mount: BTreeMap<String, RequestCounts>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RollingResults {
    pub instances: usize,
    pub rate_per_mount: f64,
    /// From the first SIGTERM until the last instance was back in the rotation.
    pub took_ms: f64,
    pub per_mount: BTreeMap<String, RequestCounts>,
    /// Share of the users logged in before the restart that every instance still knows after.
    pub still_logged_in: BTreeMap<String, f64>,
    pub users_per_mount: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterFailoverResults {
    pub mount: String,
    pub instances: usize,
    pub node_timeout_ms: f64,
    pub rate: f64,
    pub requests: RequestCounts,
    /// From the SIGKILL of the master until a replica served its slots (cluster state ok).
    pub takeover_ms: f64,
    /// From the SIGKILL until a user of the killed master's slot was answered 200 again.
    pub answered_again_ms: Option<f64>,
    /// Logins acknowledged (200) during the run, and how many of those were gone afterwards.
    pub logins_acknowledged: u64,
    pub logins_lost: u64,
    /// Of those, acknowledged in the last second before the kill (the window replication lag
    /// could lose).
    pub logins_just_before_the_kill: u64,
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
    /// One refresh at each token endpoint while Redis was down, and again once it was back.
    #[serde(default)]
    pub refreshes: Vec<FaultRefresh>,
}

/// A refresh tried in the middle of the outage, and the same refresh token tried after it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRefresh {
    pub mount: String,
    /// The status answered while Redis was down (`None`: no answer).
    pub while_down: Option<u16>,
    /// How long that answer took.
    pub while_down_ms: f64,
    /// The status answered for the same refresh token once Redis was back.
    pub after: Option<u16>,
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
