//! The authlab web application.
//!
//! Every page and handler here is written once and mounted three times (`/session`, `/memory`,
//! `/jwt`), plus `/baseline` for the benchmarks. A handler receives the [`Mount`] it serves as
//! request data and talks only to its `dyn AuthBackend`; it never asks which backend that is. The
//! only place that knows the concrete backends is [`state`], which builds them from [`Settings`].

pub mod app;
pub mod body_deadline;
pub mod cookie_header;
pub mod csrf;
pub mod errors;
pub mod extractors;
pub mod forms;
pub mod forwarded;
pub mod front_door;
pub mod head_requests;
pub mod hosts;
pub mod inspector;
pub mod keys;
pub mod labs;
pub mod lan_warning;
pub mod mount;
pub mod outage;
pub mod render;
pub mod restart;
pub mod routes;
pub mod security_headers;
pub mod server;
pub mod server_timing;
pub mod settings;
pub mod state;
pub mod templates;
pub mod throttle;
pub mod walkthrough;

pub use mount::Mount;
pub use server::{start, RunningServer};
pub use settings::Settings;
pub use state::AppState;
