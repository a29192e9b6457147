//! Acceptance tests: the real app on a real port against a real `redis-server`.
//!
//! One binary with one module per lesson, so the suite links once.

#[path = "../common/measured.rs"]
mod measured;

mod contract;
mod corpus;
mod faults;
mod inspector;
mod keys;
mod labs;
mod lan_warning;
mod report;
mod restarts;
mod sessions;
mod tokens;
mod walkthrough;
mod web_security;

/// Run each named test body once per login mount, as `session::name`, `memory::name`,
/// `jwt::name`: the same contract for every backend.
#[macro_export]
macro_rules! for_each_mount {
    ($($test:ident),* $(,)?) => {
        mod session {
            $( #[tokio::test] async fn $test() { super::$test("session").await } )*
        }
        mod memory {
            $( #[tokio::test] async fn $test() { super::$test("memory").await } )*
        }
        mod jwt {
            $( #[tokio::test] async fn $test() { super::$test("jwt").await } )*
        }
    };
}
