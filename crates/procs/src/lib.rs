//! Real processes on loopback, for the tests, the benchmarks and the binary itself.
//!
//! - [`free_port()`]: a port nobody listens on right now.
//! - [`RedisServer`]: a throwaway `redis-server` on a free port, which its owner can stop and start
//!   again on the same port (the "Redis restarted" lessons).
//! - [`RedisCluster`]: six cluster-enabled `redis-server`s (three masters, three replicas) made
//!   by `redis-cli --cluster create`, whose masters can be killed and failed over.
//! - [`Haproxy`]: Debian's HAProxy with a generated configuration: round robin over N backends,
//!   health checks on `/healthz`.
//! - [`AppCommand`] / [`AppProcess`]: the real `authlab` binary (`serve` or `demo`) as a child
//!   process that reports its own port, can be killed (SIGKILL), stopped (SIGTERM) and started
//!   again on the same port.
//!
//! Why a crate of its own: the released binary starts a private `redis-server` for a newcomer
//! (`authlab serve` with nothing at the Redis URL), and the benchmark harness starts server
//! processes. Both need these helpers, neither needs the test kit's WebDriver client. Keeping the
//! helpers here lets `authlab` link them without linking `fantoccini`, and gives the tests, the
//! bench and the binary one way to start each process instead of four.
//!
//! Every helper waits for proof that the process it started is the one answering (its own log
//! line, its own pid), never just for "something answers on the port": on a machine shared by
//! several test runs, a stranger may hold the port we picked.

mod app_command;
mod app_process;
mod child;
mod cluster_nodes;
mod free_port;
mod haproxy;
mod listening;
mod redis_cluster;
mod redis_server;

pub use app_command::{AppCommand, Subcommand};
pub use app_process::AppProcess;
pub use free_port::{free_port, free_port_with_neighbour};
pub use haproxy::{Haproxy, HaproxyOptions};
pub use redis_cluster::{ClusterOptions, KeyOrSlot, KilledMaster, RedisCluster};
pub use redis_server::{RedisOptions, RedisServer, RedisServerError};
