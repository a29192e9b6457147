//! The composition root, as zero-to-production's `startup.rs`: the only code that knows which
//! concrete backends exist. It builds the mounts ([`mounts`]), the product and the classroom
//! around them ([`state`]), the routing table ([`app`]) and the server ([`server`]).

pub mod app;
pub mod mounts;
pub mod server;
pub mod state;

pub use server::{start, RunningServer, SHUTDOWN_GRACE};
pub use state::AppState;
