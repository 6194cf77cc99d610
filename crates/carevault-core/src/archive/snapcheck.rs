//! `PRAGMA integrity_check` of every pinned database snapshot while a
//! backup streams, its verdict sealed in the manifest (`integrity_check`
//! of each `sqlite` entry, docs/FORMAT.md).
//!
//! The check reads the pages the backup has just stored, in the same read
//! transaction, so it judges exactly the bytes the manifest's SHA-256
//! names. A restore that proves those bytes by that hash can then stand on
//! this verdict and a `quick_check` instead of repeating the whole check
//! (docs/RELIABILITY.md, "integrity_check once").
//!
//! The checks run one database after the other on one thread of their own,
//! beside the backup's reading, compressing and sealing threads (four to
//! five threads on two cores): the kernel shares the cores fairly, so
//! compression keeps most of them, and the check is never the only thing
//! left to run for long. A lower priority (nice 10) was measured and not
//! kept: with other programs busy, the check then yielded to all of them
//! and became a tail of its own (M, encrypted, machine load 6-7: 33.7 s
//! against 17.8 s at equal priority; BENCHMARKS.md). A database is
//! released (its snapshot ended, the WAL checkpointed) once its check is
//! over.

use crate::snapshot::DbSnapshot;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// Hands stored snapshots to the checking thread.
pub(crate) struct Checks<'d> {
    tx: mpsc::Sender<usize>,
    _dbs: std::marker::PhantomData<&'d DbSnapshot>,
}

impl Checks<'_> {
    /// Queues the check of `dbs[index]`, whose pages are all stored.
    pub(crate) fn submit(&self, index: usize) {
        // The thread only ends once every sender is gone: this cannot fail
        // while `self` exists.
        let _ = self.tx.send(index);
    }
}

/// Runs `body` with a [`Checks`] queue for `dbs`; `check`: false releases
/// each database without checking it (an unencrypted backup, whose
/// manifest anyone may rewrite, so that no restore relies on what it
/// seals: nothing is sealed, and the check's CPU is saved). When `body` succeeds,
/// waits for the queued checks and returns its value and each database's
/// verdict (None: not checked to the end). When it fails, the running
/// check is interrupted and the error returned at once.
pub(crate) fn with_checks<'d, R>(
    dbs: &'d [DbSnapshot],
    check: bool,
    body: impl FnOnce(&Checks<'d>) -> crate::error::Result<R>,
) -> crate::error::Result<(R, Vec<Option<String>>)> {
    // Taken before the thread starts: a check in progress holds its
    // connection, and an interrupt must not wait for it.
    let interrupts: Vec<_> = dbs.iter().map(|d| d.interrupt_handle()).collect();
    let cancel = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<usize>();
        let cancel = &cancel;
        let worker = s.spawn(move || {
            let mut verdicts = vec![None; dbs.len()];
            for i in rx {
                if check && !cancel.load(Ordering::SeqCst) {
                    verdicts[i] = dbs[i].integrity_check();
                }
                dbs[i].release();
            }
            verdicts
        });
        let checks = Checks {
            tx,
            _dbs: std::marker::PhantomData,
        };
        let out = body(&checks);
        drop(checks);
        if out.is_err() {
            cancel.store(true, Ordering::SeqCst);
            for h in &interrupts {
                h.interrupt();
            }
        }
        let verdicts = worker
            .join()
            .map_err(|_| crate::error::Error::internal(crate::i18n::t!("core-db-check-stopped")))?;
        out.map(|r| (r, verdicts))
    })
}
