//! Slowing down password guessing without letting an attacker lock a real user out.
//!
//! Failed logins are counted in a sliding window per (account, client address) and per client
//! address. Past either limit the login answers 429 with `Retry-After`, before any password is
//! hashed. Counting per *pair* rather than per account is the point: an attacker hammering
//! alice's password from one address exhausts only their own pair, and alice, from her address,
//! logs in as usual (OWASP Authentication Cheat Sheet, "account lockout" DoS). A distributed
//! attacker is slowed per address only; stopping that needs signals this demo does not have.
//!
//! The counts live in this process: a restart forgets them, and two instances count apart.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub window: Duration,
    /// Failures allowed per (account, address) within the window.
    pub per_account_and_address: usize,
    /// Failures allowed per address, whatever the account, within the window.
    pub per_address: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits {
            window: Duration::from_secs(300),
            per_account_and_address: 5,
            per_address: 30,
        }
    }
}

/// Bounds the memory an attacker cycling through addresses or usernames can make us use.
const MAX_TRACKED_KEYS: usize = 100_000;

#[derive(Default)]
struct Windows {
    pairs: HashMap<(String, IpAddr), VecDeque<Instant>>,
    addresses: HashMap<IpAddr, VecDeque<Instant>>,
}

pub struct LoginThrottle {
    limits: ThrottleLimits,
    windows: Mutex<Windows>,
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        LoginThrottle {
            limits,
            windows: Mutex::new(Windows::default()),
        }
    }

    /// `Err(retry_after)` when this attempt must be refused unchecked.
    pub fn check(&self, username: &str, address: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self.lock();
        let pair = windows.pairs.get_mut(&(username.to_owned(), address));
        let pair_wait = pair.and_then(|w| self.wait(w, now, self.limits.per_account_and_address));
        let address_wait = windows
            .addresses
            .get_mut(&address)
            .and_then(|w| self.wait(w, now, self.limits.per_address));
        match pair_wait.max(address_wait) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, username: &str, address: IpAddr) {
        let now = Instant::now();
        let mut windows = self.lock();
        if windows.pairs.len() >= MAX_TRACKED_KEYS || windows.addresses.len() >= MAX_TRACKED_KEYS {
            let window = self.limits.window;
            windows
                .pairs
                .retain(|_, w| w.back().is_some_and(|t| now - *t < window));
            windows
                .addresses
                .retain(|_, w| w.back().is_some_and(|t| now - *t < window));
        }
        windows
            .pairs
            .entry((username.to_owned(), address))
            .or_default()
            .push_back(now);
        windows.addresses.entry(address).or_default().push_back(now);
    }

    /// A successful login clears its own pair (not the address: a guesser that finally
    /// succeeds on one account should not earn a fresh budget for the others).
    pub fn record_success(&self, username: &str, address: IpAddr) {
        self.lock().pairs.remove(&(username.to_owned(), address));
    }

    fn wait(&self, window: &mut VecDeque<Instant>, now: Instant, limit: usize) -> Option<Duration> {
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.limits.window)
        {
            window.pop_front();
        }
        (window.len() >= limit).then(|| {
            let oldest = window.front().copied().unwrap_or(now);
            self.limits
                .window
                .saturating_sub(now.duration_since(oldest))
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn the_sixth_failure_on_a_pair_is_refused_and_others_are_not() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());

        for _ in 0..5 {
            assert!(throttle.check("alice", ip(1)).is_ok());
            throttle.record_failure("alice", ip(1));
        }

        assert!(throttle.check("alice", ip(1)).is_err());
        assert!(
            throttle.check("alice", ip(2)).is_ok(),
            "alice elsewhere is not locked out"
        );
        assert!(throttle.check("bob", ip(1)).is_ok());
    }

    #[test]
    fn an_address_guessing_many_accounts_is_refused() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());

        for n in 0..30 {
            throttle.record_failure(&format!("user{n}"), ip(3));
        }

        assert!(throttle.check("someone-new", ip(3)).is_err());
        assert!(throttle.check("someone-new", ip(4)).is_ok());
    }

    #[test]
    fn failures_leave_the_window() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            window: Duration::from_millis(50),
            per_account_and_address: 1,
            per_address: 10,
        });
        throttle.record_failure("alice", ip(1));
        assert!(throttle.check("alice", ip(1)).is_err());

        std::thread::sleep(Duration::from_millis(60));

        assert!(throttle.check("alice", ip(1)).is_ok());
    }
}
