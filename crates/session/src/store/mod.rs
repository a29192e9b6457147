//! The two places a session record can live. Both implement actix-session's `SessionStore`, so
//! the same middleware and backend sit in front of either.

pub mod login_of_state;
pub mod memory;
pub mod redis;

pub use self::memory::InProcessStore;
pub use self::redis::{RawRecord, RedisLink, RedisStore, RedisUnavailable};

/// The prefix of every session key this project writes to Redis, so the inspector and the
/// benchmarks can count and find sessions without touching anything else in the database.
pub const REDIS_KEY_PREFIX: &str = "authlab:session:";

/// A revoked login id (value `1`, TTL as long as a session lives).
pub const REDIS_REVOKED_PREFIX: &str = "authlab:revoked-login:";
/// The set of session keys ever written for one login id.
pub const REDIS_LOGIN_KEYS_PREFIX: &str = "authlab:login-keys:";
/// The set of login ids of one user.
pub const REDIS_USER_LOGINS_PREFIX: &str = "authlab:user-logins:";
