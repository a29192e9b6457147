//! The places a session record can live, behind one trait.
//!
//! Both stores implement actix-session's `SessionStore` and this project's [`LoginStore`], so the
//! same middleware and the same [`crate::SessionBackend`] sit in front of either; the
//! conformance suite (`crates/session/tests/conformance`) runs the same tests against both.

pub mod login_store;
pub mod memory;
pub mod redis;

pub use self::{
    login_store::{LoginStore, SessionCount, StoreCapabilities, TokenLogin},
    memory::InProcessStore,
    redis::{RedisLink, RedisStore, RedisUnavailable},
};

/// The prefix of every session key this project writes to Redis.
pub use self::redis::keys::SESSION_PREFIX as REDIS_KEY_PREFIX;
