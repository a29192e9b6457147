//! Slowing down password guessing without letting an attacker lock a real user out.
//!
//! Failed logins are counted in a sliding window per (account, client address) and per client
//! address. Past either limit the login answers 429 with `Retry-After`, before any password is
//! hashed. Counting per *pair* rather than per account is the point: an attacker hammering
//! alice's password from one address exhausts only their own pair, and alice, from her address,
//! logs in as usual (OWASP Authentication Cheat Sheet, "account lockout" DoS). A distributed
//! attacker is slowed per address only; stopping that needs signals this demo does not have.
//!
//! **Counted before checked.** [`LoginThrottle::begin`] checks the limits and counts the attempt
//! as a failure in one critical section, before the password is hashed; [`Attempt::settle`] then
//! takes the count back if the password was right (or was never checked). Checking first and
//! counting after the hash let 40 simultaneous guesses all pass the check while the first was
//! still hashing (37 × 401 against a limit of 5).
//!
//! **Successful logins are limited too**, per address and generously
//! ([`ThrottleLimits::attempts_per_address`] in a shorter window): the demo passwords are public,
//! so without it a correct-password flood is unthrottled argon2id work.
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
    /// Window of [`Self::attempts_per_address`].
    pub attempts_window: Duration,
    /// Logins of any outcome allowed per address within `attempts_window`: room for a class
    /// behind one NAT address logging in to every mount, not for a flood.
    pub attempts_per_address: usize,
}

/// The default of [`ThrottleLimits::attempts_per_address`] per minute.
pub const DEFAULT_LOGINS_PER_MINUTE: usize = 120;

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits {
            window: Duration::from_secs(300),
            per_account_and_address: 5,
            per_address: 30,
            attempts_window: Duration::from_secs(60),
            attempts_per_address: DEFAULT_LOGINS_PER_MINUTE,
        }
    }
}

/// Bounds the memory an attacker cycling through addresses or usernames can make us use.
const MAX_TRACKED_KEYS: usize = 100_000;

#[derive(Default)]
struct Windows {
    pairs: HashMap<(String, IpAddr), VecDeque<Instant>>,
    addresses: HashMap<IpAddr, VecDeque<Instant>>,
    attempts: HashMap<IpAddr, VecDeque<Instant>>,
}

pub struct LoginThrottle {
    limits: ThrottleLimits,
    windows: Mutex<Windows>,
}

/// How a counted attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Right password: the failure counted in advance is taken back and the pair cleared.
    Accepted,
    /// Wrong password: the failure stays counted.
    Refused,
    /// The password was never checked (the hashing queue was full): nothing stays counted.
    NotChecked,
}

/// An attempt counted by [`LoginThrottle::begin`]; settle it once the password is checked.
#[must_use = "an attempt stays counted as a failure until it is settled"]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    username: String,
    address: IpAddr,
    at: Instant,
}

impl Attempt<'_> {
    pub fn settle(self, outcome: Outcome) {
        let mut windows = self.throttle.lock();
        let key = (self.username, self.address);
        match outcome {
            Outcome::Refused => {}
            Outcome::Accepted => {
                // A success clears its own pair (not the address's earlier failures: a guesser
                // that finally succeeds on one account earns no fresh budget for the others).
                windows.pairs.remove(&key);
                forget(windows.addresses.get_mut(&self.address), self.at);
            }
            Outcome::NotChecked => {
                forget(windows.pairs.get_mut(&key), self.at);
                forget(windows.addresses.get_mut(&self.address), self.at);
                forget(windows.attempts.get_mut(&self.address), self.at);
            }
        }
    }
}

/// Take one count made at `at` back out of a window.
fn forget(window: Option<&mut VecDeque<Instant>>, at: Instant) {
    if let Some(window) = window {
        if let Some(i) = window.iter().rposition(|t| *t == at) {
            window.remove(i);
        }
    }
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        LoginThrottle {
            limits,
            windows: Mutex::new(Windows::default()),
        }
    }

    /// Check the limits and count this attempt as a failure, atomically. `Err(retry_after)` when
    /// it must be refused unchecked (and then nothing is counted).
    pub fn begin(&self, username: &str, address: IpAddr) -> Result<Attempt<'_>, Duration> {
        let now = Instant::now();
        let limits = self.limits;
        let mut windows = self.lock();
        let key = (username.to_owned(), address);
        let waits = [
            windows
                .pairs
                .get_mut(&key)
                .and_then(|w| wait(w, now, limits.window, limits.per_account_and_address)),
            windows
                .addresses
                .get_mut(&address)
                .and_then(|w| wait(w, now, limits.window, limits.per_address)),
            windows
                .attempts
                .get_mut(&address)
                .and_then(|w| wait(w, now, limits.attempts_window, limits.attempts_per_address)),
        ];
        if let Some(wait) = waits.into_iter().flatten().max() {
            return Err(wait);
        }
        if windows.pairs.len() >= MAX_TRACKED_KEYS
            || windows.addresses.len() >= MAX_TRACKED_KEYS
            || windows.attempts.len() >= MAX_TRACKED_KEYS
        {
            let fresh = |window: Duration| {
                move |w: &mut VecDeque<Instant>| w.back().is_some_and(|t| now - *t < window)
            };
            windows.pairs.retain(|_, w| fresh(limits.window)(w));
            windows.addresses.retain(|_, w| fresh(limits.window)(w));
            windows
                .attempts
                .retain(|_, w| fresh(limits.attempts_window)(w));
        }
        windows.pairs.entry(key).or_default().push_back(now);
        windows.addresses.entry(address).or_default().push_back(now);
        windows.attempts.entry(address).or_default().push_back(now);
        Ok(Attempt {
            throttle: self,
            username: username.to_owned(),
            address,
            at: now,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Drop counts older than `window`; the wait until the oldest leaves when `limit` are left.
fn wait(
    window: &mut VecDeque<Instant>,
    now: Instant,
    length: Duration,
    limit: usize,
) -> Option<Duration> {
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= length)
    {
        window.pop_front();
    }
    (window.len() >= limit).then(|| {
        let oldest = window.front().copied().unwrap_or(now);
        length.saturating_sub(now.duration_since(oldest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    fn fail(throttle: &LoginThrottle, username: &str, address: IpAddr) {
        throttle
            .begin(username, address)
            .expect("not throttled yet")
            .settle(Outcome::Refused);
    }

    #[test]
    fn the_sixth_failure_on_a_pair_is_refused_and_others_are_not() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());

        for _ in 0..5 {
            fail(&throttle, "alice", ip(1));
        }

        assert!(throttle.begin("alice", ip(1)).is_err());
        assert!(
            throttle.begin("alice", ip(2)).is_ok(),
            "alice elsewhere is not locked out"
        );
        assert!(throttle.begin("bob", ip(1)).is_ok());
    }

    #[test]
    fn an_address_guessing_many_accounts_is_refused() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());

        for n in 0..30 {
            fail(&throttle, &format!("user{n}"), ip(3));
        }

        assert!(throttle.begin("someone-new", ip(3)).is_err());
        assert!(throttle.begin("someone-new", ip(4)).is_ok());
    }

    #[test]
    fn failures_leave_the_window() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            window: Duration::from_millis(50),
            per_account_and_address: 1,
            per_address: 10,
            ..ThrottleLimits::default()
        });
        fail(&throttle, "alice", ip(1));
        assert!(throttle.begin("alice", ip(1)).is_err());

        std::thread::sleep(Duration::from_millis(60));

        assert!(throttle.begin("alice", ip(1)).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_before_their_password_is_checked() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());

        // Five guesses begun, none settled yet: the sixth is refused already.
        let in_flight: Vec<_> = (0..5)
            .map(|_| throttle.begin("alice", ip(1)).expect("within the limit"))
            .collect();

        assert!(throttle.begin("alice", ip(1)).is_err());
        in_flight
            .into_iter()
            .for_each(|a| a.settle(Outcome::Refused));
    }

    #[test]
    fn a_right_password_or_an_unchecked_one_gives_its_count_back() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            per_account_and_address: 1,
            ..ThrottleLimits::default()
        });

        for outcome in [Outcome::Accepted, Outcome::NotChecked, Outcome::Accepted] {
            throttle
                .begin("alice", ip(1))
                .expect("the previous attempt gave its count back")
                .settle(outcome);
        }
        fail(&throttle, "alice", ip(1));

        assert!(throttle.begin("alice", ip(1)).is_err());
    }

    #[test]
    fn successful_logins_are_limited_per_address_too() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            attempts_per_address: 3,
            ..ThrottleLimits::default()
        });

        for _ in 0..3 {
            throttle
                .begin("alice", ip(1))
                .expect("within the limit")
                .settle(Outcome::Accepted);
        }

        assert!(throttle.begin("alice", ip(1)).is_err());
        assert!(throttle.begin("alice", ip(2)).is_ok());
    }
}
