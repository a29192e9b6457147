//! The authlab product: the pages and the JSON API, written once and served under every mount.
//!
//! Every page and handler here is mounted once per backend (`/session`, `/memory`, `/jwt`, and
//! `/baseline` for the benchmarks). A handler receives the [`Mount`] it serves as request data and
//! talks only to its `dyn AuthBackend`; it never asks which backend that is. This crate knows no
//! concrete backend and no lab: the composition root (the `authlab` crate) builds the mounts and
//! hands them to [`site::configure`], and the classroom crate adds its pages beside these.

// The shared templates name `authlab_web::nav` whichever crate renders them.
extern crate self as authlab_web;

pub mod announcements;
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
pub mod introspection;
pub mod keys;
pub mod lan_warning;
pub mod login_stamp;
pub mod nav;
pub mod render;
pub mod routes;
pub mod security_headers;
pub mod server_timing;
pub mod settings;
pub mod site;
pub mod templates;
pub mod throttle;

pub use authlab_core::{Mount, Mounts};
pub use settings::Settings;
pub use site::Product;
