//! Sessions in Redis: one compact key per login, made fault-tolerant and race-free.
//!
//! - [`link`]: one bounded, self-healing connection (timeouts, reconnects, outage reports), to
//!   one Redis or a Redis Cluster;
//! - [`commands`]: the connection a call runs on, either kind behind one type;
//! - [`cluster`]: what is particular to a cluster (its client's bounds, walks per master);
//! - [`store`]: [`RedisStore`], actix-session's `SessionStore` over that link, one `MGET` per
//!   request;
//! - [`revocation`]: logout and "log out everywhere" that no request in flight can undo;
//! - [`redaction`]: credentials in the Redis URL never reach a log, a page or an error;
//! - [`keys`]: the `authlab:` keys written, every key of a user in one hash slot.

pub mod cluster;
pub mod commands;
pub mod keys;
pub mod link;
pub mod redaction;
pub mod revocation;
pub mod store;

pub use self::{
    commands::Commands,
    link::{BadRedisUrl, Connected, RedisEndpoint, RedisLink, RedisUnavailable},
    redaction::{redact_url, Redactor},
    store::RedisStore,
};
