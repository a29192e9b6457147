//! Sessions in Redis, made fault-tolerant and race-free from the outside of actix-session.
//!
//! - [`link`]: one bounded, self-healing connection (timeouts, reconnects, outage reports);
//! - [`store`]: [`RedisStore`], actix-session's `RedisSessionStore` behind that link;
//! - [`revocation`]: the bookkeeping that closes the logout race and ends a user's logins;
//! - [`redaction`]: credentials in the Redis URL never reach a log, a page or an error;
//! - [`keys`]: the `authlab:` keys written.

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
