//! The stateful backend: the client holds a random session id, the server holds the login.
//!
//! actix-session's `SessionMiddleware` does the cookie work (an encrypted cookie carrying the
//! session key) and asks a `SessionStore` for the record behind the key. Two stores sit behind
//! the same middleware and the same [`SessionBackend`]; both implement [`store::LoginStore`]
//! (actix-session's `SessionStore` plus ending logins, inspecting and a readiness probe), and one
//! [`SessionPolicy`] builds the middleware and the backend:
//!
//! - [`store::RedisStore`]: one compact key per login in Redis, read with the user's epoch in one
//!   round trip; every Redis call bounded by a timeout, a dead connection rebuilt on the next
//!   request, and an outage reported (as a 503) instead of hanging or becoming an opaque 500.
//! - [`store::InProcessStore`]: a map in the server's memory, to show what the course notes mean
//!   by "a restart logs everyone out".
//!
//! # Limitations
//! - **Every request costs a store lookup** (one Redis round trip for the Redis store).
//! - **The store is a dependency**: with Redis down, `/session` cannot tell who anyone is and
//!   answers 503; with the in-process store, a restart or a second instance loses every login.
//! - **Server memory grows with the number of logged-in users** (measured by the benchmarks).

pub mod backend;
pub mod denylist;
pub mod inspect;
pub mod introspection;
pub mod middleware;
pub mod mounts;
pub mod opaque;
pub mod outage;
pub mod policy;
pub mod record;
pub mod settings;
pub mod store;

pub use backend::SessionBackend;
pub use middleware::session_middleware;
pub use mounts::{session_mount, StoreDownAnswer, MEMORY_MOUNT, REDIS_MOUNT};
pub use policy::SessionPolicy;
pub use record::AuthSession;
pub use settings::{CookieKey, SessionSettings, MIN_KEY_BYTES};
