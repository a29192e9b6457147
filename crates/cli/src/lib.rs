//! The `authlab` binary's library half: the composition root ([`startup`]) that the binary, the
//! test kit and the tests start the server through.

pub mod startup;

pub use startup::{mounts::CATALOG, start, AppState, RunningServer};
