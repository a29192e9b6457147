//! The keys this project writes to Redis. Every one starts with `authlab:`, so the inspector, the
//! flush lab and the benchmarks can find and count them without touching anything else.

/// A session record, under actix-session's random key.
pub const SESSION_PREFIX: &str = "authlab:session:";
/// A revoked login id (value `1`, TTL as long as a session lives).
pub const REVOKED_PREFIX: &str = "authlab:revoked-login:";
/// The set of session keys ever written for one login id.
pub const LOGIN_KEYS_PREFIX: &str = "authlab:login-keys:";
/// The set of login ids of one user.
pub const USER_LOGINS_PREFIX: &str = "authlab:user-logins:";
