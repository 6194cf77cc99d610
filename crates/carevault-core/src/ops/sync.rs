//! The app's synchronization as the operations see it: is one running,
//! hold it off while a file is read or sent. The host contract itself (the
//! lock files) is [`crate::hostlock`]; a front end comes here.

use crate::error::Error;
use crate::hostlock::{self, LockGuard};
use crate::i18n::t;
use crate::{Progress, Result};
use std::path::Path;
use std::time::Duration;

pub use crate::hostlock::SyncState;

/// Idle, or running since when: what `sync status` and `GET /api/sync`
/// report.
pub fn state(home: &Path) -> Result<SyncState> {
    hostlock::sync_state(home).map_err(|e| Error::io(t!("ops-doing-reading-sync-state"), home, e))
}

/// True while a synchronization runs. The check a front end makes before
/// it starts work that must not overlap one (a backup from the page, an
/// offsite copy): each refuses in its own words.
pub fn running(home: &Path) -> Result<bool> {
    hostlock::sync_running(home)
        .map_err(|e| Error::io(t!("core-doing-checking-sync-lock"), home, e))
}

/// Holds synchronizations off (the sync lock, shared) once none runs,
/// waiting up to `wait` for a running one to end; `Ok(None)` when one still
/// runs after the wait. Dropping the hold lets the next one start.
pub fn hold_when_idle(
    home: &Path,
    wait: Option<Duration>,
    progress: &dyn Progress,
) -> Result<Option<SyncHold>> {
    Ok(hostlock::when_sync_idle(home, wait, progress)?.map(SyncHold))
}

/// Synchronizations wait while this is held.
pub struct SyncHold(#[allow(dead_code)] LockGuard);

/// True while a backup, restore or other exclusive operation runs in any
/// process of this home (someone holds the operation lock). Only a check:
/// the operation itself takes the lock when it starts.
pub fn operation_running(home: &Path) -> Result<bool> {
    match hostlock::HostLock::Operation.try_exclusive(home) {
        Ok(guard) => Ok(guard.is_none()),
        Err(e) => Err(Error::io(t!("ops-doing-checking-operation-lock"), home, e)),
    }
}
