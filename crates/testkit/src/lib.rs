//! Real parts for tests and benchmarks, never mocks.
//!
//! - [`RedisServer`], [`free_port`]: re-exported from `authlab-procs`, where the process helpers
//!   live so that the binary and the bench can use them without linking this kit.
//! - [`RedisCluster`], [`Haproxy`]: a six-node Redis Cluster and a real load balancer, also from
//!   `authlab-procs`; [`Backing`] says whether a [`TestApp`] gets a private Redis or a cluster.
//! - [`TestApp`]: the real authlab app on a real port (in this process, on its own thread and
//!   runtime), with a client that keeps cookies, does not follow redirects, and has one method per
//!   endpoint of the URL contract.
//! - [`Browser`]: a real headless Chromium with a fresh profile, driven over WebDriver, that
//!   also reports its console errors and every URL it requested.
//! - [`assertions`]: the checks the tests repeat, named after what they mean.
//!
//! Modelled on zero2prod's `spawn_app()` and `TestApp`.

pub mod assertions;
pub mod browser;
pub mod client;
pub mod mounts;
pub mod test_app;

pub use assertions::*;
pub use authlab_procs::{
    free_port, ClusterOptions, Haproxy, HaproxyOptions, RedisCluster, RedisOptions, RedisServer,
    RedisServerError,
};
pub use browser::{Browser, CHROMIUM};
pub use client::{set_cookie_pair, CookieJar, TestResponse};
pub use test_app::{extract_csrf_token, Backing, TestApp};

/// The demo accounts and their passwords (documented in the README).
pub const ALICE: (&str, &str) = ("alice", "wonderland");
pub const BOB: (&str, &str) = ("bob", "builder");

pub use authlab_core::MountSlug;
pub use mounts::{
    login_mounts, on_every_login_mount, stateful_mounts, BASELINE, JWT, MEMORY, SESSION,
};
