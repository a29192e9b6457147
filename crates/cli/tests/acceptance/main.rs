//! Acceptance tests: the real app on a real port against a real `redis-server`.
//!
//! One binary with one module per lesson, so the suite links once.

#[path = "../common/measured.rs"]
mod measured;

mod attacks;
mod balancer;
mod classroom;
mod cluster;
mod contract;
mod corpus;
mod faults;
mod hardening;
mod inspector;
mod introspection;
mod keys;
mod labs;
mod lan_warning;
mod opaque;
mod refresh;
mod report;
mod restarts;
mod sessions;
mod tokens;
mod walkthrough;
mod web_security;

/// Run each named test body against every login mount of the server's list (concurrently, in
/// one test per body), failing with the mounts it failed on: the same contract for every backend,
/// and a mount added to the list is covered without editing this file.
#[macro_export]
///
/// With `and_session_on_a_redis_cluster:` first, each body also takes a `Backing`, and one more
/// test runs every body against `/session` with the app on a real six-node Redis Cluster (one
/// cluster, flushed between the bodies, which run one after the other: six nodes per body would
/// cost more than the bodies).
macro_rules! for_each_mount {
    (and_session_on_a_redis_cluster: $($test:ident),* $(,)?) => {
        mod every_login_mount {
            $( #[tokio::test] async fn $test() {
                authlab_testkit::on_every_login_mount(|mount| {
                    super::$test(mount, authlab_testkit::Backing::PrivateRedis)
                })
                .await
            } )*
        }

        mod session_on_a_redis_cluster {
            #[tokio::test]
            async fn every_body_holds_on_a_six_node_cluster() {
                let cluster = authlab_testkit::RedisCluster::start().expect("a six-node cluster");
                let backing = authlab_testkit::Backing::Cluster(std::sync::Arc::new(cluster));
                $(
                    backing.flush();
                    eprintln!("/session on the cluster: {}", stringify!($test));
                    super::$test(authlab_testkit::SESSION, backing.clone()).await;
                )*
            }
        }
    };
    ($($test:ident),* $(,)?) => {
        mod every_login_mount {
            $( #[tokio::test] async fn $test() {
                authlab_testkit::on_every_login_mount(super::$test).await
            } )*
        }
    };
}
