//! Slowing down password guessing without letting an attacker, or a classroom's typos, lock
//! real users out.
//!
//! Two limits, each about one thing:
//!
//! - **Per (account, client address): failures.** Five wrong passwords for one account from one
//!   address within a minute, and that pair waits until the oldest leaves the minute. Counting
//!   per *pair* rather than per account is the point: an attacker hammering alice's password from
//!   one address exhausts only their own pair, and alice, from her address, logs in as usual
//!   (OWASP Authentication Cheat Sheet, "account lockout" DoS). A classroom behind one NAT address
//!   is thirty pairs: five students mistyping their own password five times lock only
//!   themselves, for under a minute.
//! - **Per client address: every password checked**, whatever its outcome and account
//!   ([`ThrottleLimits::attempts_per_address`] a minute, 100 by default): the bound on guessing
//!   from one address across many accounts, and on argon2id work (the demo passwords are public,
//!   so a correct-password flood must be bounded too). There is deliberately no per-address
//!   *failure* limit: it is what let thirty failures from one address lock a whole class out.
//!
//! A distributed attacker is slowed per address only; stopping that needs signals this demo does
//! not have.
//!
//! **Counted before checked.** An attempt is registered as *in flight* before its password is
//! hashed, in the same critical section that checks the limits, and the pair's limit counts
//! failures plus attempts in flight. When only the in-flight ones stand in the way, the new
//! attempt waits for them to settle ([`LoginThrottle::acquire`]) rather than being refused: their
//! outcome decides. So 40 simultaneous guesses get exactly the limit's worth of password checks,
//! while six tabs logging the owner in at once all succeed (a right password takes its count
//! back). The per-address count is taken at admission, so it is exact under concurrency too.
//!
//! The counts live in this process: a restart forgets them, two instances count apart, and the
//! teacher's "reset the room" clears them ([`LoginThrottle::clear`]).

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use tokio::sync::Notify;

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub window: Duration,
    /// Failures allowed per (account, address) within the window.
    pub per_account_and_address: usize,
    /// Window of [`Self::attempts_per_address`].
    pub attempts_window: Duration,
    /// Passwords checked (of any outcome) allowed per address within `attempts_window`: room for
    /// a class behind one NAT address logging in to every mount, not for a flood.
    pub attempts_per_address: usize,
}

/// The default of [`ThrottleLimits::attempts_per_address`] per minute.
pub const DEFAULT_LOGINS_PER_MINUTE: usize = 100;

/// The longest an attempt waits for the attempts in flight ahead of it (each is one hash).
const LONGEST_WAIT: Duration = Duration::from_secs(10);

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits {
            window: Duration::from_secs(60),
            per_account_and_address: 5,
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
    attempts: HashMap<IpAddr, VecDeque<Instant>>,
    pairs_in_flight: HashMap<(String, IpAddr), usize>,
}

pub struct LoginThrottle {
    limits: ThrottleLimits,
    windows: Mutex<Windows>,
    settled: Notify,
}

/// How a counted attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Right password: the pair's failures are cleared.
    Accepted,
    /// Wrong password: a failure is counted for the pair.
    Refused,
    /// The password was never checked (the hashing queue was full): nothing stays counted.
    NotChecked,
}

/// Which limit refused an attempt: what the 429 page tells the person refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many wrong passwords for this account from this address: only this pair waits.
    AccountFromAddress,
    /// Too many passwords of any kind from this address: every login from it waits.
    Address,
}

/// An attempt refused unchecked: which limit, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub limit: Limit,
    pub retry_after: Duration,
}

/// Whether a new attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Refused unchecked: too many failures (or passwords) already.
    Throttled(Throttled),
    /// Attempts in flight fill the rest of the pair's budget: wait until one settles.
    Wait,
}

/// An attempt in flight. Settle it once the password is checked; dropped unsettled (the client
/// went away mid-check), it counts as a failure.
#[must_use = "an attempt counts as a failure unless it is settled"]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    key: (String, IpAddr),
    at: Instant,
    outcome: Option<Outcome>,
}

impl Attempt<'_> {
    pub fn settle(mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        let outcome = self.outcome.unwrap_or(Outcome::Refused);
        let address = self.key.1;
        let now = Instant::now();
        {
            let mut windows = self.throttle.lock();
            decrement(&mut windows.pairs_in_flight, &self.key);
            match outcome {
                Outcome::Refused => {
                    windows
                        .pairs
                        .entry(self.key.clone())
                        .or_default()
                        .push_back(now);
                }
                // A success clears its own pair's failures.
                Outcome::Accepted => {
                    windows.pairs.remove(&self.key);
                }
                Outcome::NotChecked => {
                    if let Some(window) = windows.attempts.get_mut(&address) {
                        if let Some(i) = window.iter().rposition(|t| *t == self.at) {
                            window.remove(i);
                        }
                    }
                }
            }
        }
        self.throttle.settled.notify_waiters();
    }
}

fn decrement<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        LoginThrottle {
            limits,
            windows: Mutex::new(Windows::default()),
            settled: Notify::new(),
        }
    }

    pub fn limits(&self) -> ThrottleLimits {
        self.limits
    }

    /// Admit an attempt, waiting for the attempts in flight ahead of it when they alone fill the
    /// pair's budget. `Err` when it must be refused unchecked.
    pub async fn acquire(&self, username: &str, address: IpAddr) -> Result<Attempt<'_>, Throttled> {
        let deadline = tokio::time::Instant::now() + LONGEST_WAIT;
        loop {
            // Registered before the check, so a settlement between the two is not missed.
            let settled = self.settled.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            match self.begin(username, address) {
                Ok(attempt) => return Ok(attempt),
                Err(Admission::Throttled(throttled)) => return Err(throttled),
                Err(Admission::Wait) => {
                    if tokio::time::timeout_at(deadline, settled).await.is_err() {
                        return Err(Throttled {
                            limit: Limit::AccountFromAddress,
                            retry_after: Duration::from_secs(1),
                        });
                    }
                }
            }
        }
    }

    /// Check the limits and register this attempt as in flight, atomically.
    pub fn begin(&self, username: &str, address: IpAddr) -> Result<Attempt<'_>, Admission> {
        let now = Instant::now();
        let limits = self.limits;
        let mut windows = self.lock();
        let key = (username.to_owned(), address);
        let pair = failures(windows.pairs.get_mut(&key), now, limits.window);
        let attempts = failures(
            windows.attempts.get_mut(&address),
            now,
            limits.attempts_window,
        );
        let wait = |(_, oldest): (usize, Option<Instant>), length: Duration| {
            length.saturating_sub(oldest.map_or(Duration::ZERO, |t| now.duration_since(t)))
        };
        // The address's limit first: when both apply, it is the one that holds everyone back.
        if attempts.0 >= limits.attempts_per_address {
            return Err(Admission::Throttled(Throttled {
                limit: Limit::Address,
                retry_after: wait(attempts, limits.attempts_window),
            }));
        }
        if pair.0 >= limits.per_account_and_address {
            return Err(Admission::Throttled(Throttled {
                limit: Limit::AccountFromAddress,
                retry_after: wait(pair, limits.window),
            }));
        }
        let pair_in_flight = windows.pairs_in_flight.get(&key).copied().unwrap_or(0);
        if pair.0 + pair_in_flight >= limits.per_account_and_address {
            return Err(Admission::Wait);
        }
        if windows.pairs.len() >= MAX_TRACKED_KEYS || windows.attempts.len() >= MAX_TRACKED_KEYS {
            let fresh = |length: Duration| {
                move |w: &mut VecDeque<Instant>| w.back().is_some_and(|t| now - *t < length)
            };
            windows.pairs.retain(|_, w| fresh(limits.window)(w));
            windows
                .attempts
                .retain(|_, w| fresh(limits.attempts_window)(w));
        }
        *windows.pairs_in_flight.entry(key.clone()).or_default() += 1;
        windows.attempts.entry(address).or_default().push_back(now);
        Ok(Attempt {
            throttle: self,
            key,
            at: now,
            outcome: None,
        })
    }

    /// Forget every count (the attempts in flight still settle normally).
    pub fn clear(&self) {
        let mut windows = self.lock();
        windows.pairs.clear();
        windows.attempts.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Drop counts older than `length`; how many are left, and the oldest of them.
fn failures(
    window: Option<&mut VecDeque<Instant>>,
    now: Instant,
    length: Duration,
) -> (usize, Option<Instant>) {
    let Some(window) = window else {
        return (0, None);
    };
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= length)
    {
        window.pop_front();
    }
    (window.len(), window.front().copied())
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
    fn an_address_guessing_many_accounts_is_refused_after_a_hundred_passwords() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());

        for n in 0..100 {
            fail(&throttle, &format!("user{n}"), ip(3));
        }

        assert!(matches!(
            throttle.begin("someone-new", ip(3)),
            Err(Admission::Throttled(Throttled {
                limit: Limit::Address,
                ..
            }))
        ));
        assert!(throttle.begin("someone-new", ip(4)).is_ok());
    }

    #[test]
    fn five_students_mistyping_behind_one_address_leave_the_other_twenty_five_alone() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());
        let room = ip(7);

        for student in 0..5 {
            for _ in 0..5 {
                fail(&throttle, &format!("student{student}"), room);
            }
        }

        for student in 0..5 {
            assert!(matches!(
                throttle.begin(&format!("student{student}"), room),
                Err(Admission::Throttled(Throttled {
                    limit: Limit::AccountFromAddress,
                    ..
                }))
            ));
        }
        for student in 5..30 {
            throttle
                .begin(&format!("student{student}"), room)
                .expect("a classmate's typos do not hold this student back")
                .settle(Outcome::Accepted);
        }
    }

    #[test]
    fn clearing_forgets_every_count() {
        let throttle = LoginThrottle::new(ThrottleLimits::default());
        for _ in 0..5 {
            fail(&throttle, "alice", ip(1));
        }

        throttle.clear();

        assert!(throttle.begin("alice", ip(1)).is_ok());
    }

    #[test]
    fn failures_leave_the_window() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            window: Duration::from_millis(50),
            per_account_and_address: 1,
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

        // Five guesses begun, none settled yet: the sixth must wait for them.
        let in_flight: Vec<_> = (0..5)
            .map(|_| throttle.begin("alice", ip(1)).expect("within the limit"))
            .collect();

        assert!(matches!(
            throttle.begin("alice", ip(1)),
            Err(Admission::Wait)
        ));
        in_flight
            .into_iter()
            .for_each(|a| a.settle(Outcome::Refused));
        assert!(matches!(
            throttle.begin("alice", ip(1)),
            Err(Admission::Throttled(_))
        ));
    }

    #[tokio::test]
    async fn a_waiting_attempt_goes_ahead_when_the_one_in_flight_was_right() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            per_account_and_address: 1,
            ..ThrottleLimits::default()
        });
        let first = throttle.begin("alice", ip(1)).expect("the first");

        let (second, ()) = tokio::join!(throttle.acquire("alice", ip(1)), async {
            tokio::task::yield_now().await;
            first.settle(Outcome::Accepted);
        });

        assert!(second.is_ok());
    }

    #[test]
    fn an_attempt_dropped_unsettled_counts_as_a_failure() {
        let throttle = LoginThrottle::new(ThrottleLimits {
            per_account_and_address: 1,
            ..ThrottleLimits::default()
        });

        drop(throttle.begin("alice", ip(1)).expect("the first"));

        assert!(matches!(
            throttle.begin("alice", ip(1)),
            Err(Admission::Throttled(_))
        ));
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
