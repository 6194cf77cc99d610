//! The host contract: lock files in the app home through which the clinic
//! app, its sync process and carevault cooperate.
//!
//! - `locks/sync.lock`: held exclusively by the sync process while a
//!   synchronization runs. Nobody holding it means "Idle".
//! - `locks/write-barrier.lock`: the app holds it *shared* around every
//!   change that touches several databases; a backup holds it *exclusive*
//!   only while it opens a read snapshot of every database (and a restore
//!   while it swaps the data folder in).
//! - `locks/operation.lock`: held exclusively by a carevault backup,
//!   restore, rekey or delete so that two of them never overlap.
//!
//! All three are advisory `flock` locks: they vanish with the process that
//! held them, so a killed process never leaves a stale lock behind.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Folder of the lock files inside an app home.
pub fn locks_dir(home: &Path) -> PathBuf {
    home.join("locks")
}

fn open_lock_file(home: &Path, name: &str) -> io::Result<File> {
    let dir = locks_dir(home);
    std::fs::create_dir_all(&dir)?;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(name))
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct LockGuard {
    file: File,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Which of the host's locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostLock {
    /// Held by the sync process while a synchronization runs.
    Sync,
    /// Shared by app writers, exclusive for a backup's snapshot instant.
    WriteBarrier,
    /// Serialises carevault's own operations that change files.
    Operation,
}

impl HostLock {
    fn file_name(self) -> &'static str {
        match self {
            HostLock::Sync => "sync.lock",
            HostLock::WriteBarrier => "write-barrier.lock",
            HostLock::Operation => "operation.lock",
        }
    }

    /// Blocks until the lock is held exclusively.
    pub fn exclusive(self, home: &Path) -> io::Result<LockGuard> {
        let file = open_lock_file(home, self.file_name())?;
        file.lock()?;
        Ok(LockGuard { file })
    }

    /// Blocks until the lock is held shared.
    pub fn shared(self, home: &Path) -> io::Result<LockGuard> {
        let file = open_lock_file(home, self.file_name())?;
        file.lock_shared()?;
        Ok(LockGuard { file })
    }

    /// Takes the lock exclusively if nobody holds it; `None` when busy.
    pub fn try_exclusive(self, home: &Path) -> io::Result<Option<LockGuard>> {
        let file = open_lock_file(home, self.file_name())?;
        match file.try_lock() {
            Ok(()) => Ok(Some(LockGuard { file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    /// Takes the lock shared if nobody holds it exclusively; `None` when busy.
    pub fn try_shared(self, home: &Path) -> io::Result<Option<LockGuard>> {
        let file = open_lock_file(home, self.file_name())?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Some(LockGuard { file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    /// Polls for the exclusive lock until `timeout` has passed.
    pub fn exclusive_within(self, home: &Path, timeout: Duration) -> io::Result<Option<LockGuard>> {
        let start = Instant::now();
        loop {
            if let Some(g) = self.try_exclusive(home)? {
                return Ok(Some(g));
            }
            if start.elapsed() >= timeout {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// True when a synchronization is running (someone holds the sync lock).
pub fn sync_running(home: &Path) -> io::Result<bool> {
    Ok(HostLock::Sync.try_shared(home)?.is_none())
}

/// What `carevault sync status` reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Nobody holds the sync lock.
    Idle,
    /// A synchronization runs; `since` is what the sync process wrote
    /// into the lock file when it started (UTC RFC 3339), if anything.
    Running {
        /// Start time, as written by the sync process.
        since: Option<String>,
    },
}

/// Reads the sync state without disturbing a running sync.
pub fn sync_state(home: &Path) -> io::Result<SyncState> {
    if !sync_running(home)? {
        return Ok(SyncState::Idle);
    }
    let text = std::fs::read_to_string(locks_dir(home).join(HostLock::Sync.file_name()))
        .unwrap_or_default();
    let since = text
        .lines()
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(SyncState::Running { since })
}

/// Held by a sync process: the exclusive sync lock, with its start time
/// written into the lock file for `sync status`.
pub struct SyncSession {
    _guard: LockGuard,
}

impl SyncSession {
    /// Starts a synchronization: waits for the sync lock (a backup holds it
    /// shared while it pins its snapshot), then records the start time.
    pub fn begin(home: &Path) -> io::Result<SyncSession> {
        use std::io::{Seek, Write};
        let guard = HostLock::Sync.exclusive(home)?;
        let mut f = &guard.file;
        f.set_len(0)?;
        f.seek(std::io::SeekFrom::Start(0))?;
        writeln!(
            f,
            "{}",
            jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ")
        )?;
        Ok(SyncSession { _guard: guard })
    }
}

/// Holds the sync lock shared once no synchronization runs, waiting up to
/// `wait` for one to end; `Ok(None)` when one still runs after the wait.
/// The guard for backups, restores and safety copies alike: each says in
/// its own words what it did not start.
pub fn when_sync_idle(
    home: &Path,
    wait: Option<Duration>,
    progress: &dyn crate::Progress,
) -> crate::Result<Option<LockGuard>> {
    let deadline = Instant::now() + wait.unwrap_or_default();
    let mut announced = false;
    loop {
        let held = HostLock::Sync.try_shared(home).map_err(|e| {
            crate::error::Error::io(
                crate::i18n::t!("core-doing-checking-sync-lock"),
                locks_dir(home),
                e,
            )
        })?;
        if held.is_some() || Instant::now() >= deadline {
            return Ok(held);
        }
        if !announced {
            // No bytes to count while waiting: its total is 0.
            progress.start(crate::Phase::WaitingForSync, 0);
            announced = true;
        }
        // flock has no wait with a deadline: poll it.
        std::thread::sleep(Duration::from_millis(50));
    }
}
