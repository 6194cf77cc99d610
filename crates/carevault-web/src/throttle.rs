//! Throttles for guessing: logins (keyed on the account) and passphrases
//! (keyed on the backup).
//!
//! Three budgets, all rate limiters of `governor` (GCRA) on the server's
//! [`Clock`]:
//! - per key (an account, a backup): every attempt takes a cell when it
//!   starts, so parallel guesses cannot slip past the limit, whatever
//!   address they come from;
//! - per source address and for the whole server: taken only by attempts on
//!   a key that failed recently. A key with no recent failure (the right
//!   password of another user, typed once) never waits for them, so one
//!   account's failures never lock out another account.
//!
//! On top, by hand, a progressive delay per key: after `free_failures`
//! failures in a row, each further attempt waits twice as long as the one
//! before (up to `max_delay`). `governor` has fixed-rate quotas only, and a
//! delay that grows with the failures is what keeps a long guessing run to
//! a few tries an hour while a user who mistyped twice waits for nothing.
//! A success clears the key's failures.

use crate::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, Clock, NoOpMiddleware<Duration>>;
type Direct = RateLimiter<NotKeyed, InMemoryState, Clock, NoOpMiddleware<Duration>>;

/// Keys whose failures are remembered at most (the oldest are forgotten).
const MAX_KEYS: usize = 10_000;

/// The numbers of one throttle.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts on one key at once, before the rate below applies.
    pub key_burst: u32,
    /// One more attempt on one key every this long.
    pub key_every: Duration,
    /// Failures in a row on one key that cost no delay.
    pub free_failures: u32,
    /// The delay after the first failure beyond those; doubled each time.
    pub first_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Failures are forgotten after this long without one.
    pub forget_after: Duration,
    /// Attempts on failing keys from one address: burst, then one per period.
    pub source_burst: u32,
    pub source_every: Duration,
    /// Attempts on failing keys from anywhere: burst, then one per period.
    pub global_burst: u32,
    pub global_every: Duration,
}

/// Logins: 3 free failures, then 5 s, 10 s, 20 s, ... up to 5 minutes.
pub const LOGIN: Policy = Policy {
    key_burst: 5,
    key_every: Duration::from_secs(12),
    free_failures: 3,
    first_delay: Duration::from_secs(5),
    max_delay: Duration::from_secs(300),
    forget_after: Duration::from_secs(3600),
    source_burst: 20,
    source_every: Duration::from_secs(3),
    global_burst: 30,
    global_every: Duration::from_secs(2),
};

/// Passphrases of one backup: the same delays as logins, and a wider rate
/// (several people verify, read and restore one backup in a few minutes,
/// and every use counts). Parallel guesses are held anyway: each user has
/// one key-deriving job at a time, and the process one derivation.
pub const PASSPHRASE: Policy = Policy {
    key_burst: 20,
    key_every: Duration::from_secs(3),
    ..LOGIN
};

/// Which budget refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The key (this account, this backup).
    Key,
    /// The source address.
    Source,
    /// The whole server.
    Global,
}

/// A refused attempt.
#[derive(Debug)]
pub struct Throttled {
    /// When to try again.
    pub retry_after: Duration,
    pub scope: Scope,
    /// True for the first refusal since the key's last failure (the one
    /// worth writing to the audit trail).
    pub first: bool,
}

impl Throttled {
    /// Whole seconds to wait (at least 1), for `Retry-After` and messages.
    pub fn seconds(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }
}

/// "in 40 seconds", "in 3 minutes".
pub fn when(seconds: u64) -> carevault_core::i18n::Text {
    use carevault_core::i18n::t;
    if seconds < 90 {
        t!("web-when-seconds", seconds = seconds)
    } else {
        t!("web-when-minutes", minutes = seconds.div_ceil(60))
    }
}

struct Failures {
    count: u32,
    last: Duration,
    refusal_told: bool,
}

/// One throttle (see the module documentation).
pub struct Throttle<K: Hash + Eq + Clone> {
    policy: Policy,
    clock: Clock,
    per_key: Keyed<K>,
    per_source: Keyed<IpAddr>,
    global: Direct,
    failures: Mutex<HashMap<K, Failures>>,
}

fn quota(burst: u32, every: Duration) -> Quota {
    Quota::with_period(every)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst.max(1)).expect("non-zero"))
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    pub fn new(policy: Policy, clock: Clock) -> Throttle<K> {
        Throttle {
            per_key: RateLimiter::new(
                quota(policy.key_burst, policy.key_every),
                HashMapStateStore::default(),
                clock.clone(),
            ),
            per_source: RateLimiter::new(
                quota(policy.source_burst, policy.source_every),
                HashMapStateStore::default(),
                clock.clone(),
            ),
            global: RateLimiter::direct_with_clock(
                quota(policy.global_burst, policy.global_every),
                clock.clone(),
            ),
            failures: Mutex::new(HashMap::new()),
            policy,
            clock,
        }
    }

    fn delay_after(&self, count: u32) -> Duration {
        if count < self.policy.free_failures {
            return Duration::ZERO;
        }
        let beyond = count - self.policy.free_failures;
        let factor = 1u32.checked_shl(beyond.min(20)).unwrap_or(u32::MAX);
        self.policy
            .first_delay
            .saturating_mul(factor)
            .min(self.policy.max_delay)
    }

    /// Starts an attempt on `key` from `source`, or refuses it.
    pub fn begin(&self, key: &K, source: Option<IpAddr>) -> Result<(), Throttled> {
        let now = self.clock.now();
        let failing = {
            let mut map = self.failures.lock().expect("throttle");
            let forget = self.policy.forget_after;
            if map.len() >= MAX_KEYS {
                map.retain(|_, f| now.saturating_sub(f.last) < forget);
            }
            if map.len() >= MAX_KEYS {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, f)| f.last)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
            match map.get_mut(key) {
                Some(f) if now.saturating_sub(f.last) >= forget => {
                    map.remove(key);
                    None
                }
                Some(f) => {
                    let until = f.last + self.delay_after(f.count);
                    if now < until {
                        let first = !f.refusal_told;
                        f.refusal_told = true;
                        return Err(Throttled {
                            retry_after: until - now,
                            scope: Scope::Key,
                            first,
                        });
                    }
                    Some(!f.refusal_told)
                }
                None => None,
            }
        };
        let refuse = |scope, wait: Duration, first: bool| {
            Err(Throttled {
                retry_after: wait,
                scope,
                first,
            })
        };
        if let Err(nu) = self.per_key.check_key(key) {
            return refuse(Scope::Key, nu.wait_time_from(now), false);
        }
        if let Some(untold) = failing {
            if let Some(ip) = source {
                if let Err(nu) = self.per_source.check_key(&ip) {
                    return refuse(Scope::Source, nu.wait_time_from(now), untold);
                }
            }
            if let Err(nu) = self.global.check() {
                return refuse(Scope::Global, nu.wait_time_from(now), untold);
            }
        }
        if self.per_key.len() > MAX_KEYS {
            self.per_key.retain_recent();
            self.per_source.retain_recent();
        }
        Ok(())
    }

    /// The attempt on `key` failed (wrong password, wrong passphrase).
    pub fn failed(&self, key: &K) {
        let now = self.clock.now();
        let mut map = self.failures.lock().expect("throttle");
        let f = map.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
            refusal_told: false,
        });
        f.count = f.count.saturating_add(1);
        f.last = now;
        f.refusal_told = false;
    }

    /// The attempt on `key` succeeded: its failures are forgotten.
    pub fn succeeded(&self, key: &K) {
        self.failures.lock().expect("throttle").remove(key);
    }

    /// The wait after `count` failures in a row (for tests and docs).
    #[cfg(test)]
    fn delay_for(&self, count: u32) -> Duration {
        self.delay_after(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> Option<IpAddr> {
        Some(IpAddr::from([127, 0, 0, n]))
    }

    #[test]
    fn waits_are_said_in_seconds_then_minutes_in_each_language() {
        use carevault_core::i18n::Lang;
        assert_eq!(when(1).render(Lang::En), "in 1 second");
        assert_eq!(when(5).render(Lang::En), "in 5 seconds");
        assert_eq!(when(300).render(Lang::En), "in 5 minutes");
        assert_eq!(when(1).render(Lang::Fr), "dans 1 seconde");
        assert_eq!(when(40).render(Lang::Fr), "dans 40 secondes");
        assert_eq!(when(121).render(Lang::Fr), "dans 3 minutes");
    }

    #[test]
    fn delay_grows_after_the_free_failures() {
        let t: Throttle<String> = Throttle::new(LOGIN, Clock::manual());
        let d: Vec<u64> = (0..12).map(|n| t.delay_for(n).as_secs()).collect();
        assert_eq!(d, [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn failures_on_one_key_do_not_touch_another() {
        let clock = Clock::manual();
        let t: Throttle<String> = Throttle::new(LOGIN, clock.clone());
        let nurse = "nurse".to_string();
        for n in 0..3 {
            t.begin(&nurse, ip(n + 2)).unwrap();
            t.failed(&nurse);
        }
        let r = t.begin(&nurse, ip(9)).unwrap_err();
        assert_eq!((r.scope, r.seconds(), r.first), (Scope::Key, 5, true));
        assert!(!t.begin(&nurse, ip(10)).unwrap_err().first);
        t.begin(&"admin".to_string(), ip(9)).unwrap();
        clock.advance(Duration::from_secs(5));
        t.begin(&nurse, ip(11)).unwrap();
        t.failed(&nurse);
        assert_eq!(t.begin(&nurse, ip(12)).unwrap_err().seconds(), 10);
        clock.advance(Duration::from_secs(10));
        t.begin(&nurse, ip(13)).unwrap();
        t.succeeded(&nurse);
        t.begin(&nurse, ip(14)).unwrap();
    }

    #[test]
    fn parallel_attempts_on_one_key_stop_at_the_burst() {
        let t: Throttle<String> = Throttle::new(LOGIN, Clock::manual());
        let k = "nurse".to_string();
        let started = (0..50).filter(|n| t.begin(&k, ip(*n)).is_ok()).count();
        assert_eq!(started, LOGIN.key_burst as usize);
    }

    #[test]
    fn failing_keys_from_one_address_share_its_budget() {
        let t: Throttle<String> = Throttle::new(LOGIN, Clock::manual());
        let one = ip(7);
        let passed = (0..25)
            .filter(|n| {
                let k = format!("user{n}");
                t.failed(&k);
                t.begin(&k, one).is_ok()
            })
            .count();
        assert_eq!(passed, LOGIN.source_burst as usize);
        let r = t.begin(&"user0".to_string(), one).unwrap_err();
        assert_eq!(r.scope, Scope::Source);
        // Another address still has its own (the global budget is not spent).
        t.begin(&"user0".to_string(), ip(8)).unwrap();
    }

    #[test]
    fn failing_keys_share_a_global_budget() {
        let t: Throttle<String> = Throttle::new(LOGIN, Clock::manual());
        let mut refused = 0;
        for n in 0..100 {
            let k = format!("user{n}");
            t.failed(&k);
            if t.begin(&k, None).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 100 - LOGIN.global_burst as usize);
        // A key that never failed is not held by the spent budget.
        t.begin(&"admin".to_string(), None).unwrap();
    }
}
