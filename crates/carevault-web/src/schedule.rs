//! Automatic backups while the server runs: `carevault_core::auto::run` on
//! start and then every `every`; the profile's `[auto] interval_hours`
//! decides whether one is due. A fresh install (no automatic backup yet)
//! gets its first one only after the server has run one interval, so that
//! a new user first sees what the guide shows ("No Results Returned"), not
//! a backup nobody asked for. A failure is written to standard error and
//! the schedule goes on.
//!
//! After that check, the same tick pushes pending backups offsite when
//! `[offsite]` is configured and the backoff allows a try
//! (`crate::offsite::scheduled`).
//!
//! [`Scheduler`] is a test seam: a test asks for one check now and awaits
//! its end instead of waiting for the timer. Nothing in the server calls
//! it, so there the timer alone drives the schedule.

use crate::AppState;
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::{auth, auto, layout, Kind, NoProgress};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A handle on the schedule's checks: how many have ended, and (a test
/// seam) a way to run one now and await its end. Clones share one
/// schedule; [`crate::ServerConfig::scheduler`] is the one a server uses.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    inner: Arc<SchedulerInner>,
}

#[derive(Debug, Default)]
struct SchedulerInner {
    /// Wakes the schedule's wait before the timer does.
    wake: tokio::sync::Notify,
    /// Checks begun so far.
    begun: AtomicU64,
    /// Checks ended so far.
    ended: tokio::sync::watch::Sender<u64>,
}

impl Scheduler {
    /// Checks of the automatic-backup schedule ended so far.
    pub fn checks(&self) -> u64 {
        *self.inner.ended.borrow()
    }

    /// Test seam: makes the schedule run one check now (without waiting
    /// for its timer) and returns once a check that began after this call
    /// has ended, with that check's number (1 for the check at start).
    /// A check that runs when this is called ends first, then the asked
    /// one runs. Never returns on a server whose `auto_interval` is `None`
    /// (no schedule runs there): a test puts its own deadline around it.
    pub async fn check_now(&self) -> u64 {
        let want = self.inner.begun.load(Ordering::SeqCst) + 1;
        let mut ended = self.inner.ended.subscribe();
        self.inner.wake.notify_one();
        self.wait_on(&mut ended, want).await
    }

    /// Test seam: returns once `n` checks have ended (the check at start
    /// is the first), with the number ended then.
    pub async fn wait_for_checks(&self, n: u64) -> u64 {
        let mut ended = self.inner.ended.subscribe();
        self.wait_on(&mut ended, n).await
    }

    async fn wait_on(&self, ended: &mut tokio::sync::watch::Receiver<u64>, n: u64) -> u64 {
        // The sender lives in `self.inner`, which `self` keeps alive.
        *ended
            .wait_for(|e| *e >= n)
            .await
            .expect("the scheduler's counter outlives its handle")
    }

    fn begin(&self) {
        self.inner.begun.fetch_add(1, Ordering::SeqCst);
    }

    fn end(&self) {
        self.inner.ended.send_modify(|e| *e += 1);
    }
}

/// Runs the schedule until the server shuts down: a check at start, then
/// one `every` after the last one ended (or at once when
/// [`Scheduler::check_now`] asks for one).
pub async fn run(state: AppState, every: Duration) {
    let scheduler = state.scheduler.clone();
    let shutdown = state.shutdown.clone();
    drive(&scheduler, every, shutdown, || {
        let s = state.clone();
        async move {
            if let Err(e) = tokio::task::spawn_blocking(move || tick(&s)).await {
                eprintln!("carevault serve: the automatic-backup check stopped on a fault: {e}");
            }
        }
    })
    .await;
}

/// The schedule's loop around `check`, counted on `scheduler`.
async fn drive<F, C>(
    scheduler: &Scheduler,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    mut check: F,
) where
    F: FnMut() -> C,
    C: std::future::Future<Output = ()>,
{
    loop {
        scheduler.begin();
        check().await;
        scheduler.end();
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = scheduler.inner.wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// One check: skipped in a first run, while a backup or restore of this
/// server runs, or while a synchronization runs (the next check retries).
fn tick(state: &AppState) {
    let home = &state.home;
    if auth::is_first_run(home)
        || state.jobs.exclusive_running()
        || carevault_core::ops::sync::running(home).unwrap_or(true)
    {
        return;
    }
    if !first_interval_pending(state) {
        auto_backup(home);
    }
    crate::offsite::scheduled(state);
}

fn auto_backup(home: &std::path::Path) {
    match auto::run(home, &NoProgress) {
        Ok(out) => {
            if let Some(made) = &out.made {
                eprintln!(
                    "carevault serve: automatic backup {} made ({})",
                    made.metadata.sealed.id, out.reason
                );
            }
            for d in &out.deleted {
                eprintln!(
                    "carevault serve: old automatic backup removed: {}",
                    d.display()
                );
            }
        }
        Err(e) if e.kind() == Kind::Busy => {
            eprintln!(
                "carevault serve: automatic backup postponed: {}",
                e.message_in(carevault_core::i18n::Lang::En)
            );
        }
        Err(e) => eprintln!(
            "carevault serve: automatic backup failed: {e}; what to do: {}",
            e.advice_in(carevault_core::i18n::Lang::En)
        ),
    }
}

/// True while a home with no automatic backup yet waits for the server's
/// first interval (`[auto] interval_hours` on the server's clock) to pass.
/// A profile that cannot be read is `auto::run`'s to report.
pub fn first_interval_pending(state: &AppState) -> bool {
    let Ok(profile) = Profile::load(&state.home) else {
        return false;
    };
    let interval = Duration::from_secs(profile.auto.interval_hours.saturating_mul(3600));
    let ran = state.clock.now().saturating_sub(state.started);
    if ran >= interval {
        return false;
    }
    let private = [(Medium::Private, layout::private_backups(&state.home))];
    !crate::lookup::scan(&private).iter().any(|f| {
        f.listed
            .metadata
            .as_ref()
            .is_some_and(|m| m.sealed.automatic)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::sync::Mutex;
    use tokio::sync::{mpsc, watch, Semaphore};

    const HANG_GUARD: Duration = Duration::from_secs(120);

    /// A schedule whose checks report when they begin and then wait for a
    /// permit: the test decides when each one ends.
    struct Harness {
        scheduler: Scheduler,
        began: mpsc::UnboundedReceiver<u64>,
        gate: Arc<Semaphore>,
        stop: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
    }

    fn harness(every: Duration) -> Harness {
        let scheduler = Scheduler::default();
        let (began_tx, began) = mpsc::unbounded_channel();
        let gate = Arc::new(Semaphore::new(0));
        let (stop, shutdown) = watch::channel(false);
        let n = Arc::new(Mutex::new(0u64));
        let (s, g) = (scheduler.clone(), gate.clone());
        let task = tokio::spawn(async move {
            drive(&s, every, shutdown, || {
                let (tx, g, n) = (began_tx.clone(), g.clone(), n.clone());
                async move {
                    let k = {
                        let mut n = n.lock().unwrap();
                        *n += 1;
                        *n
                    };
                    tx.send(k).unwrap();
                    g.acquire().await.unwrap().forget();
                }
            })
            .await
        });
        Harness {
            scheduler,
            began,
            gate,
            stop,
            task,
        }
    }

    async fn guarded<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(HANG_GUARD, f)
            .await
            .expect("the schedule's event comes")
    }

    #[tokio::test]
    async fn check_now_awaits_a_check_begun_after_it_was_asked_for() {
        // A day between checks: only the seam starts the second one.
        let mut h = harness(Duration::from_secs(24 * 3600));
        assert_eq!(guarded(h.began.recv()).await, Some(1));
        // Check 1 runs when the test asks for one (the request is made on
        // the first poll): the one asked for is check 2.
        let mut asked = Box::pin(h.scheduler.check_now());
        assert!(asked.as_mut().now_or_never().is_none());
        h.gate.add_permits(1);
        assert_eq!(guarded(h.scheduler.wait_for_checks(1)).await, 1);
        assert_eq!(guarded(h.began.recv()).await, Some(2));
        h.gate.add_permits(1);
        assert_eq!(guarded(asked).await, 2);
        assert_eq!(h.scheduler.checks(), 2);
        // With none running, the next one asked for is the next one.
        let s = h.scheduler.clone();
        let asked = tokio::spawn(async move { s.check_now().await });
        assert_eq!(guarded(h.began.recv()).await, Some(3));
        h.gate.add_permits(1);
        assert_eq!(guarded(asked).await.unwrap(), 3);
        // Shutting down ends the loop.
        h.stop.send(true).unwrap();
        guarded(h.task).await.unwrap();
    }

    /// Production: nobody calls the seam and the timer alone drives the
    /// checks, `every` after the end of the last one. On tokio's paused
    /// clock, which moves only when every task waits, so no real time
    /// passes and the figures are exact.
    #[tokio::test(start_paused = true)]
    async fn without_the_seam_the_timer_drives_a_check_every_interval() {
        let every = Duration::from_secs(300);
        let mut h = harness(every);
        h.gate.add_permits(1000);
        let start = tokio::time::Instant::now();
        assert_eq!(h.began.recv().await, Some(1));
        assert_eq!(start.elapsed(), Duration::ZERO, "a check at start");
        assert_eq!(h.began.recv().await, Some(2));
        assert_eq!(start.elapsed(), every);
        assert_eq!(h.scheduler.wait_for_checks(3).await, 3);
        assert_eq!(start.elapsed(), 2 * every);
        h.stop.send(true).unwrap();
        h.task.await.unwrap();
    }
}
