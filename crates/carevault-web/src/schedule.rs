//! Automatic backups while the server runs: `carevault_core::auto::run` on
//! start and then every `every`; the profile's `[auto] interval_hours`
//! decides whether one is due. A failure is written to standard error and
//! the schedule goes on.

use crate::AppState;
use carevault_core::{auth, auto, hostlock, Kind, NoProgress};
use std::time::Duration;

/// Runs the schedule until the server shuts down.
pub async fn run(state: AppState, every: Duration) {
    let mut shutdown = state.shutdown.clone();
    loop {
        let s = state.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || tick(&s)).await {
            eprintln!("carevault serve: the automatic-backup check stopped on a fault: {e}");
        }
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
