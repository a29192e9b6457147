//! How long a login lives, as one value.
//!
//! A session has two clocks: the **idle** TTL (how long its record lives in the store after its
//! last change, and the cookie's `Max-Age`) and the **absolute** lifetime (how long after login it
//! ends, whatever happens). Both the middleware and the backend are built from the same
//! [`SessionPolicy`], so they cannot disagree; the one conversion into actix-session's
//! `cookie::time::Duration` is made here.

use std::time::Duration;

use actix_web::cookie::time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// How long a record lives in the store after its last change (login, role change).
    pub idle: Duration,
    /// How long after login the login ends, used or not.
    pub absolute: Duration,
}

impl SessionPolicy {
    /// Zero would mean "expire at once" to one side and "invalid" to Redis: both are at least a
    /// second.
    pub fn new(idle: Duration, absolute: Duration) -> Self {
        let second = Duration::from_secs(1);
        SessionPolicy {
            idle: idle.max(second),
            absolute: absolute.max(second),
        }
    }

    /// The idle TTL in the unit actix-session's middleware wants.
    pub fn idle_for_middleware(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.idle.as_secs()).unwrap_or(i64::MAX))
    }

    /// How long a revoked login must stay refused: as long as any of its records could still
    /// live.
    pub fn revocation_ttl(&self) -> Duration {
        self.idle.max(self.absolute)
    }

    /// Whether a login made at `login_at` (Unix seconds) is past its absolute lifetime at `now`.
    pub fn is_too_old(&self, login_at: i64, now: i64) -> bool {
        let max_age = i64::try_from(self.absolute.as_secs()).unwrap_or(i64::MAX);
        now.saturating_sub(login_at) >= max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_gives_every_unit_the_same_ttl() {
        let policy = SessionPolicy::new(Duration::from_secs(3600), Duration::from_secs(28_800));

        assert_eq!(policy.idle_for_middleware(), time::Duration::hours(1));
        assert_eq!(policy.revocation_ttl(), Duration::from_secs(28_800));
    }

    #[test]
    fn a_zero_lifetime_becomes_one_second() {
        let policy = SessionPolicy::new(Duration::ZERO, Duration::ZERO);

        assert_eq!(policy.idle, Duration::from_secs(1));
        assert_eq!(policy.absolute, Duration::from_secs(1));
    }

    #[test]
    fn the_absolute_lifetime_counts_from_login() {
        let policy = SessionPolicy::new(Duration::from_secs(60), Duration::from_secs(10));

        assert!(!policy.is_too_old(100, 109));
        assert!(policy.is_too_old(100, 110));
    }
}
