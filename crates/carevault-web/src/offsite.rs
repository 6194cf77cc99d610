//! Offsite copies in the web app: the Backup Explorer's "Offsite" column,
//! the push that "Copy offsite now" and the scheduler run, the scheduler's
//! backoff while the store cannot be reached, and the lower CPU and I/O
//! priority of the pushing thread.

use crate::AppState;
use carevault_core::i18n::{t, Lang};
use carevault_core::offsite_state::{self, OffsiteRecord, PushState};
use carevault_core::profile::Profile;
use carevault_core::{Error, Kind, NoProgress, Progress, Result};
use carevault_offsite::push::{self, Local};
use carevault_offsite::{Config, S3Store};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The first wait after a failed scheduled push; doubled after each
/// further failure, up to [`BACKOFF_CAP`]; back to none after a success.
pub const BACKOFF_BASE: Duration = Duration::from_secs(60);
/// The longest wait between two scheduled tries.
pub const BACKOFF_CAP: Duration = Duration::from_secs(6 * 3600);

/// The scheduler's backoff: failures in a row and when to try next (a
/// reading of the server's clock).
#[derive(Debug, Default, Clone)]
pub struct Backoff {
    pub failures: u32,
    pub next_try: Option<Duration>,
}

impl Backoff {
    /// The wait after `failures` failures in a row (at least one).
    pub fn delay(failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(16);
        BACKOFF_BASE
            .saturating_mul(1u32 << doublings)
            .min(BACKOFF_CAP)
    }

    /// True when a try is allowed at `now`.
    pub fn due(&self, now: Duration) -> bool {
        self.next_try.is_none_or(|t| now >= t)
    }

    pub fn failed(&mut self, now: Duration) {
        self.failures = self.failures.saturating_add(1);
        self.next_try = Some(now + Backoff::delay(self.failures));
    }

    pub fn succeeded(&mut self) {
        *self = Backoff::default();
    }
}

/// What the "Offsite" column needs: `None` when `[offsite]` is not
/// configured.
pub struct Column {
    records: BTreeMap<String, OffsiteRecord>,
    state: PushState,
}

impl Column {
    pub fn load(home: &Path) -> Option<Column> {
        Profile::load(home).ok()?.offsite?;
        Some(Column {
            records: offsite_state::records(home).unwrap_or_default(),
            state: offsite_state::push_state(home).unwrap_or_default(),
        })
    }

    /// `copied`, `pending`, or `failed`: not copied, and the last push
    /// that ran after this backup was made failed (its error is the
    /// push state's last error).
    pub fn state_of(&self, id: &str, created_at: &str) -> &'static str {
        if self.records.contains_key(id) {
            return "copied";
        }
        match &self.state.last_error {
            Some(e)
                if e.at.as_str() >= created_at
                    && self
                        .state
                        .last_success
                        .as_deref()
                        .is_none_or(|s| e.at.as_str() >= s) =>
            {
                "failed"
            }
            _ => "pending",
        }
    }

    pub fn last_error(&self) -> Value {
        json!(self.state.last_error)
    }
}

/// Lowers the calling thread's CPU priority to nice 19 and its I/O
/// priority to the idle class, so an upload only uses what the clinic
/// app leaves. Per thread (Linux applies both to the calling thread
/// only): the push runs on a thread of its own, never on a shared pool
/// thread. Failures are ignored: the push then runs at normal priority.
pub fn lower_thread_priority() {
    // No crate wraps ioprio_set; these are the two plain system calls
    // with their documented constants (setpriority(2), ioprio_set(2)).
    const IOPRIO_CLASS_IDLE: libc::c_long = 3;
    const IOPRIO_CLASS_SHIFT: libc::c_long = 13;
    const IOPRIO_WHO_PROCESS: libc::c_long = 1;
    // SAFETY: both calls take plain integers and touch no memory of ours;
    // `0` means the calling thread.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
        libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            0 as libc::c_long,
            IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT,
        );
    }
}

/// The calling thread's nice value (for the tests and the status).
pub fn thread_nice() -> i32 {
    // SAFETY: plain integer arguments; errno is not read (19 and -1 are
    // both plausible answers, and a failure only loses the figure).
    unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
}

/// Pushes `todo` for `user`, one backup at a time, each while no
/// synchronization runs (the sync lock held shared, as a backup pins its
/// snapshot: a sync that starts waits for that backup's upload). Stops at
/// the first failure. Runs [`lower_thread_priority`] first.
pub fn push_all(home: &Path, user: &str, todo: &[Local], progress: &dyn Progress) -> Result<Value> {
    lower_thread_priority();
    let store = S3Store::new(&Config::for_home(home)?)?;
    let mut copied = Vec::new();
    // What another push copied meanwhile is not copied again.
    let done = offsite_state::records(home)?;
    for b in todo.iter().filter(|b| !done.contains_key(&b.id)) {
        let Some(_sync) = carevault_core::ops::sync::hold_when_idle(home, None, progress)? else {
            return Err(Error::new(
                Kind::Busy,
                t!("web-sync-running-offsite"),
                t!("web-sync-running-offsite-advice"),
            ));
        };
        let p = push::push_audited(home, user, &store, b, progress)?;
        copied.push(
            json!({"id": b.id, "key": p.record.key, "size": p.record.size, "checked": p.checked}),
        );
    }
    push::record_success(home)?;
    Ok(json!({"copied": copied, "nice": thread_nice()}))
}

/// Runs `f` on a thread of its own (so its lowered priority stays with
/// it) and waits for it.
pub fn on_own_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("offsite-push".into())
            .spawn_scoped(s, f)
            .expect("start the offsite push thread")
            .join()
            .expect("the offsite push thread")
    })
}

/// Who the audit trail names for the scheduler's pushes (the automatic
/// backups' user).
pub const SCHEDULER_USER: &str = "auto";

/// The scheduler's push: when `[offsite]` is configured, backups are
/// pending and the backoff allows a try. A failure doubles the wait (up
/// to [`BACKOFF_CAP`]); a success resets it; a synchronization that runs
/// postpones the push to the next check without counting as a failure.
pub fn scheduled(state: &AppState) {
    let home = &state.home;
    if Profile::load(home).ok().and_then(|p| p.offsite).is_none() {
        return;
    }
    let now = state.clock.now();
    if !backoff(state).due(now) {
        return;
    }
    // A "Copy offsite now" runs: it copies what is pending.
    let Ok(_pushing) = state.offsite_pushing.try_lock() else {
        return;
    };
    let todo = match push::pending_unattended(home) {
        Ok(t) if t.is_empty() => return,
        Ok(t) => t,
        Err(e) => {
            eprintln!("carevault serve: the offsite copy check failed: {e}");
            backoff(state).failed(now);
            return;
        }
    };
    match on_own_thread(|| push_all(home, SCHEDULER_USER, &todo, &NoProgress)) {
        Ok(_) => {
            eprintln!("carevault serve: {} backup(s) copied offsite", todo.len());
            backoff(state).succeeded();
        }
        Err(e) if e.kind() == Kind::Busy => {
            eprintln!(
                "carevault serve: offsite copy postponed: {}",
                e.message_in(Lang::En)
            );
        }
        Err(e) => {
            let mut b = backoff(state);
            b.failed(now);
            eprintln!(
                "carevault serve: offsite copy failed ({} in a row; next try in {} s): {e}",
                b.failures,
                Backoff::delay(b.failures).as_secs()
            );
        }
    }
}

fn backoff(state: &AppState) -> std::sync::MutexGuard<'_, Backoff> {
    state
        .offsite_backoff
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `offsite` object of `GET /api/status`: `null` when not configured.
pub fn status(state: &AppState) -> Value {
    let home = &state.home;
    let Some(col) = Column::load(home) else {
        return Value::Null;
    };
    let pending = push::pending_unattended(home).map(|p| p.len()).ok();
    let b = backoff(state).clone();
    let now = state.clock.now();
    // The next try as a UTC time: the backoff is kept on the server's
    // clock, so it is converted from "seconds from now".
    let next_try_at = b.next_try.map(|t| {
        let wait = t.saturating_sub(now);
        let at = jiff::Timestamp::now()
            + jiff::SignedDuration::from_secs(wait.as_secs().min(i64::MAX as u64) as i64);
        at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    });
    json!({
        "copied": col.records.len(),
        "pending": pending,
        "last_success": col.state.last_success,
        "last_error": col.last_error(),
        "failures_in_a_row": b.failures,
        "next_try_at": next_try_at,
        "next_try_in_seconds": b.next_try.map(|t| t.saturating_sub(now).as_secs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_and_resets_on_success() {
        let mut b = Backoff::default();
        let t0 = Duration::from_secs(1000);
        assert!(b.due(t0));
        b.failed(t0);
        assert_eq!(b.next_try, Some(t0 + BACKOFF_BASE));
        assert!(!b.due(t0 + BACKOFF_BASE - Duration::from_secs(1)));
        assert!(b.due(t0 + BACKOFF_BASE));
        b.failed(t0);
        assert_eq!(b.next_try, Some(t0 + 2 * BACKOFF_BASE));
        for _ in 0..40 {
            b.failed(t0);
        }
        assert_eq!(b.next_try, Some(t0 + BACKOFF_CAP));
        b.succeeded();
        assert_eq!((b.failures, b.next_try), (0, None));
        assert!(b.due(t0));
    }

    #[test]
    fn the_pushing_thread_runs_at_nice_19_and_leaves_others_alone() {
        let before = thread_nice();
        let inside = on_own_thread(|| {
            lower_thread_priority();
            thread_nice()
        });
        assert_eq!(inside, 19);
        assert_eq!(thread_nice(), before, "the caller's priority is unchanged");
    }
}
