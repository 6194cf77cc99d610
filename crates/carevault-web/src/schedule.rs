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
use carevault_core::{auth, auto, hostlock, layout, Kind, NoProgress};
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
    let mut shutdown = state.shutdown.clone();
    let scheduler = state.scheduler.clone();
    loop {
        scheduler.begin();
        let s = state.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || tick(&s)).await {
            eprintln!("carevault serve: the automatic-backup check stopped on a fault: {e}");
        }
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
        || hostlock::sync_running(home).unwrap_or(true)
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
                e.message()
            );
        }
        Err(e) => eprintln!(
            "carevault serve: automatic backup failed: {e}; what to do: {}",
            e.advice()
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
