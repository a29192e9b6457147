//! The two places a session record can live. Both implement actix-session's `SessionStore`, so
//! the same middleware and backend sit in front of either.

pub mod memory;
pub mod redis;

pub use self::memory::InProcessStore;
pub use self::redis::{RedisLink, RedisStore, RedisUnavailable};

/// The prefix of every session key this project writes to Redis, so the inspector and the
/// benchmarks can count and find sessions without touching anything else in the database.
pub const REDIS_KEY_PREFIX: &str = "authlab:session:";
