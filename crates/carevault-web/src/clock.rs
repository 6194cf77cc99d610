//! The server's clock: monotonic time for sessions, rate limits and
//! uploads. A test can make one that it moves forward by hand
//! ([`Clock::manual`], [`Clock::advance`]) to pass an hour without waiting
//! for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Monotonic time since the clock was made, plus any time added by hand.
#[derive(Clone, Debug)]
pub struct Clock {
    base: Instant,
    /// Nanoseconds added by [`Clock::advance`].
    added: Arc<AtomicU64>,
    /// False for a manual clock: only [`Clock::advance`] moves it.
    runs: bool,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl Clock {
    /// The real monotonic clock.
    pub fn system() -> Clock {
        Clock {
            base: Instant::now(),
            added: Arc::new(AtomicU64::new(0)),
            runs: true,
        }
    }

    /// A clock that stands still until [`Clock::advance`] moves it.
    pub fn manual() -> Clock {
        Clock {
            runs: false,
            ..Clock::system()
        }
    }

    /// Moves the clock forward (every copy of it).
    pub fn advance(&self, by: Duration) {
        let n = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.added.fetch_add(n, Ordering::SeqCst);
    }

    /// Time since the clock was made.
    pub fn now(&self) -> Duration {
        let real = if self.runs {
            self.base.elapsed()
        } else {
            Duration::ZERO
        };
        real + Duration::from_nanos(self.added.load(Ordering::SeqCst))
    }
}

impl governor::clock::Clock for Clock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        Clock::now(self)
    }
}
