//! Sessions in Redis: one compact key per login, made fault-tolerant and race-free.
//!
//! - [`link`]: one bounded, self-healing connection (timeouts, reconnects, outage reports);
//! - [`store`]: [`RedisStore`], actix-session's `SessionStore` over that link, one `MGET` per
//!   request;
//! - [`revocation`]: logout and "log out everywhere" that no request in flight can undo;
//! - [`redaction`]: credentials in the Redis URL never reach a log, a page or an error;
//! - [`keys`]: the `authlab:` keys written, every key of a user in one hash slot.

pub mod keys;
pub mod link;
pub mod redaction;
pub mod revocation;
pub mod store;

pub use self::{
    link::{BadRedisUrl, Connected, RedisLink, RedisUnavailable},
    redaction::{redact_url, Redactor},
    store::RedisStore,
};
