//! The upload bandwidth limit: a token bucket on the request body.
//!
//! A small bucket of our own rather than a crate: it only paces one
//! reader (no fairness, no shared quotas), which is a few lines.

use carevault_core::Progress;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bytes per second, with a burst of a quarter second's worth.
pub struct Throttle {
    rate: u64,
    state: Mutex<(f64, Instant)>,
}

impl Throttle {
    /// A limit of `bytes_per_s` (at least 1).
    pub fn new(bytes_per_s: u64) -> Throttle {
        Throttle {
            rate: bytes_per_s.max(1),
            state: Mutex::new((0.0, Instant::now())),
        }
    }

    fn burst(&self) -> f64 {
        (self.rate as f64 / 4.0).max(1024.0)
    }

    /// Waits until `n` bytes may go.
    pub fn take(&self, n: usize) {
        let wait = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let refill = now.duration_since(s.1).as_secs_f64() * self.rate as f64;
            s.0 = (s.0 + refill).min(self.burst()) - n as f64;
            s.1 = now;
            if s.0 < 0.0 {
                Duration::from_secs_f64(-s.0 / self.rate as f64)
            } else {
                Duration::ZERO
            }
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

/// A reader paced by an optional [`Throttle`] that reports what it reads.
pub struct Throttled<'a, R> {
    inner: R,
    throttle: Option<Arc<Throttle>>,
    progress: &'a dyn Progress,
}

impl<'a, R: Read> Throttled<'a, R> {
    /// Wraps `inner`.
    pub fn new(inner: R, throttle: Option<Arc<Throttle>>, progress: &'a dyn Progress) -> Self {
        Throttled {
            inner,
            throttle,
            progress,
        }
    }
}

impl<R: Read> Read for Throttled<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = match &self.throttle {
            Some(t) => buf.len().min((t.burst() as usize).max(1)),
            None => buf.len(),
        };
        let n = self.inner.read(&mut buf[..want])?;
        if let Some(t) = &self.throttle {
            t.take(n);
        }
        self.progress.advance(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_paces_the_reader() {
        // 64 KiB at 128 KiB/s with a 32 KiB burst: at least ~0.25 s.
        let data = vec![7u8; 64 << 10];
        let t = Arc::new(Throttle::new(128 << 10));
        let start = Instant::now();
        let mut r = Throttled::new(&data[..], Some(t), &carevault_core::NoProgress);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert!(
            start.elapsed() >= Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    }
}
