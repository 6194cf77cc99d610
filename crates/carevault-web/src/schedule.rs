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

use crate::AppState;
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::{auth, auto, hostlock, layout, Kind, NoProgress};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Runs the schedule until the server shuts down.
pub async fn run(state: AppState, every: Duration) {
    let mut shutdown = state.shutdown.clone();
    loop {
        let s = state.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || tick(&s)).await {
            eprintln!("carevault serve: the automatic-backup check stopped on a fault: {e}");
        }
        state.auto_checks.fetch_add(1, Ordering::SeqCst);
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
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
