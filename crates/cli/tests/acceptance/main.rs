//! Acceptance tests: the real app on a real port against a real `redis-server`.
//!
//! One binary with one module per lesson, so the suite links once.

#[path = "../common/measured.rs"]
mod measured;

mod attacks;
mod contract;
mod corpus;
mod faults;
mod hardening;
mod inspector;
mod introspection;
mod keys;
mod labs;
mod lan_warning;
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
macro_rules! for_each_mount {
    ($($test:ident),* $(,)?) => {
        mod every_login_mount {
            $( #[tokio::test] async fn $test() {
                authlab_testkit::on_every_login_mount(super::$test).await
            } )*
        }
    };
}
