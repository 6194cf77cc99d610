//! The demo sync simulator against real SQLite in temporary folders: the
//! sync lock, the sync log, the outbox, and the host contract with the
//! demo writer and a backup's snapshot.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use crate::common::{someone_waits_for, wait_for, HANG_GUARD};
use carevault_core::hostlock::{sync_running, sync_state, HostLock, SyncState};
use carevault_core::layout::data_dir;
use carevault_demo::{
    check_consistency, init, run_sync, run_writer, DemoOptions, SyncOptions, SyncStats,
    WriterOptions,
};
use rusqlite::{Connection, OpenFlags};
use tempfile::TempDir;

/// One generated home (argon2 is slow in debug builds); tests work on copies.
fn template() -> &'static TempDir {
    static T: OnceLock<TempDir> = OnceLock::new();
    T.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let opts = DemoOptions {
            patients: 300,
            photos: 2,
            seed: 11,
        };
        init(&dir.path().join("home"), &opts).expect("demo init");
        dir
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A fresh copy of the template home.
fn home() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temp dir");
    let home = dir.path().join("home");
    copy_tree(&template().path().join("home"), &home);
    (dir, home)
}

fn ro(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only")
}

fn count(path: &Path, sql: &str) -> i64 {
    ro(path)
        .query_row(sql, [], |r| r.get::<_, i64>(0))
        .expect("count")
}

fn sync_db(home: &Path) -> PathBuf {
    data_dir(home).join("sync.db")
}

fn short(duration_ms: u64, seed: u64) -> SyncOptions {
    SyncOptions {
        duration: Duration::from_millis(duration_ms),
        step_interval: Duration::from_millis(10),
        seed,
    }
}

/// Long enough that a sync never ends on its own during a test: the tests
/// end it with `stop` once they have seen what they wait for.
const UNTIL_STOPPED: Duration = Duration::from_secs(3_600);

/// The sync log entry after `before` entries: (pushed, pulled), if it exists.
fn running_entry(home: &Path, before: i64) -> Option<(i64, i64)> {
    ro(&sync_db(home))
        .query_row(
            "SELECT pushed, pulled FROM sync_log ORDER BY id LIMIT 1 OFFSET ?1",
            [before],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

/// The sync's own `sync_log` entry: (status, pushed, pulled, started_at, ended_at).
fn log_entry(home: &Path, id: i64) -> (String, i64, i64, String, Option<String>) {
    ro(&sync_db(home))
        .query_row(
            "SELECT status, pushed, pulled, started_at, ended_at FROM sync_log WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .expect("sync_log entry")
}

/// Outbox transactions with both pending and sent entries (a push split them).
fn split_transactions(home: &Path) -> i64 {
    count(
        &sync_db(home),
        "SELECT count(*) FROM (SELECT txn_id FROM outbox GROUP BY txn_id \
         HAVING count(DISTINCT status) > 1)",
    )
}

/// Commits `n` demo writer transactions (three outbox entries each).
fn add_writer_transactions(home: &Path, n: u64) {
    let opts = WriterOptions {
        max_transactions: Some(n),
        seed: 2,
        ..WriterOptions::default()
    };
    let stats = run_writer(home, &opts, &AtomicBool::new(false)).expect("writer");
    assert_eq!(stats.transactions, n);
}

fn assert_consistent(home: &Path) {
    let report = check_consistency(&data_dir(home)).expect("check");
    assert_eq!(report.problems, Vec::<String>::new());
}

#[test]
fn sync_holds_the_lock_logs_itself_and_marks_outbox_entries_sent() {
    let (_tmp, home) = home();
    let sync = sync_db(&home);
    add_writer_transactions(&home, 150);
    let outbox_before = count(&sync, "SELECT count(*) FROM outbox");
    let log_before = count(&sync, "SELECT count(*) FROM sync_log");
    let patients_before = count(
        &data_dir(&home).join("clinical.db"),
        "SELECT count(*) FROM patients",
    );
    assert!(outbox_before > 0);
    assert_eq!(
        count(&sync, "SELECT count(*) FROM outbox WHERE status = 'sent'"),
        0
    );
    assert_eq!(sync_state(&home).expect("state"), SyncState::Idle);

    let stop = AtomicBool::new(false);
    let opts = SyncOptions {
        duration: UNTIL_STOPPED,
        ..short(0, 3)
    };
    let stats: SyncStats = std::thread::scope(|s| {
        let t = s.spawn(|| run_sync(&home, &opts, &stop));
        wait_for("the sync to run", || {
            matches!(
                sync_state(&home).expect("state"),
                SyncState::Running { since: Some(_) }
            )
        });
        let SyncState::Running { since: Some(since) } = sync_state(&home).expect("state") else {
            panic!("the sync ended too early");
        };
        since
            .parse::<jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("since {since:?} is not RFC 3339: {e}"));
        assert!(sync_running(&home).expect("running"));
        // A backup would refuse to start now.
        assert!(HostLock::Sync.try_shared(&home).expect("try").is_none());
        // The entry of the running sync: no end yet.
        wait_for("the sync log entry", || {
            count(&sync, "SELECT count(*) FROM sync_log") == log_before + 1
        });
        let (status, ended): (String, Option<String>) = ro(&sync)
            .query_row(
                "SELECT status, ended_at FROM sync_log ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("running entry");
        assert_eq!(ended, None, "a running sync has no end time yet");
        assert_eq!(status, "partial");
        // At least ten steps: one step pushes at most 42 entries (a batch
        // of 40, completed to whole transactions of three).
        wait_for("ten steps that pushed and pulled", || {
            running_entry(&home, log_before)
                .is_some_and(|(pushed, pulled)| pushed >= 420 && pulled > 0)
        });
        stop.store(true, Ordering::Relaxed);
        t.join().expect("sync thread").expect("sync")
    });

    assert_eq!(sync_state(&home).expect("state"), SyncState::Idle);
    assert!(!sync_running(&home).expect("running"));
    assert!(stats.steps >= 10, "{stats:?}");
    assert!(stats.pushed > 0 && stats.pulled > 0, "{stats:?}");

    let (status, pushed, pulled, started, ended) = log_entry(&home, stats.log_id);
    assert_eq!(status, "ok");
    assert_eq!(pushed as u64, stats.pushed);
    assert_eq!(pulled as u64, stats.pulled);
    let ended = ended.expect("ended_at");
    assert!(started <= ended, "{started} .. {ended}");
    assert_eq!(
        count(&sync, "SELECT count(*) FROM sync_log"),
        log_before + 1
    );

    // Marked sent, with a time; never deleted; whole transactions.
    assert_eq!(
        count(&sync, "SELECT count(*) FROM outbox"),
        outbox_before,
        "no outbox entry deleted"
    );
    assert_eq!(
        count(&sync, "SELECT count(*) FROM outbox WHERE status = 'sent'") as u64,
        stats.pushed
    );
    assert_eq!(
        count(
            &sync,
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND sent_at IS NULL"
        ),
        0
    );
    assert_eq!(split_transactions(&home), 0);
    // Oldest first: nothing pending is older than something sent.
    assert_eq!(
        count(
            &sync,
            "SELECT count(*) FROM outbox p WHERE p.status = 'pending' AND p.id < \
             (SELECT max(id) FROM outbox WHERE status = 'sent')"
        ),
        0
    );
    let clinical = data_dir(&home).join("clinical.db");
    assert!(count(&clinical, "SELECT count(*) FROM patients") >= patients_before);
    assert_consistent(&home);
}

#[test]
fn sync_and_writer_together_leave_consistent_data() {
    let (_tmp, home) = home();
    let stop = AtomicBool::new(false);
    let opts = SyncOptions {
        duration: UNTIL_STOPPED,
        step_interval: Duration::from_millis(5),
        seed: 4,
    };
    let writer_opts = WriterOptions {
        seed: 5,
        ..WriterOptions::default()
    };
    let sent_from_writer = || {
        count(
            &sync_db(&home),
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND txn_id LIKE 'wtx-%'",
        )
    };
    let (sync, writer) = std::thread::scope(|s| {
        let sync = s.spawn(|| run_sync(&home, &opts, &stop));
        let writer = s.spawn(|| run_writer(&home, &writer_opts, &stop));
        // Both really ran together: the sync pushed what the writer wrote
        // while both were running.
        wait_for("the sync to push the writer's changes", || {
            sent_from_writer() > 0
        });
        stop.store(true, Ordering::Relaxed);
        (
            sync.join().expect("sync thread").expect("sync"),
            writer.join().expect("writer thread").expect("writer"),
        )
    });
    assert!(sync.steps > 0 && sync.pushed > 0, "{sync:?}");
    assert!(writer.transactions > 0, "{writer:?}");
    let (status, pushed, ..) = log_entry(&home, sync.log_id);
    assert_eq!((status.as_str(), pushed as u64), ("ok", sync.pushed));
    assert_eq!(split_transactions(&home), 0);
    assert_eq!(sync_state(&home).expect("state"), SyncState::Idle);
    assert_consistent(&home);
}

#[test]
fn sync_waits_while_a_backup_pins_its_snapshot() {
    let (_tmp, home) = home();
    let sync = sync_db(&home);
    let log_before = count(&sync, "SELECT count(*) FROM sync_log");
    let stop = AtomicBool::new(false);
    let duration = Duration::from_millis(200);
    std::thread::scope(|s| {
        // What a backup does during its snapshot: the sync lock, shared.
        let guard = HostLock::Sync
            .try_shared(&home)
            .expect("try")
            .expect("nobody syncs yet");
        let t = s.spawn(|| {
            let opts = SyncOptions {
                duration,
                ..short(0, 6)
            };
            let stats = run_sync(&home, &opts, &stop);
            (stats, Instant::now())
        });
        // The sync is blocked on the lock the "backup" holds...
        wait_for("the sync to wait for the sync lock", || {
            someone_waits_for(&home, "sync.lock")
        });
        // ...and has no session and no log entry while it waits.
        assert!(!t.is_finished(), "the sync did not wait for the backup");
        assert!(!sync_running(&home).expect("running"));
        assert_eq!(count(&sync, "SELECT count(*) FROM sync_log"), log_before);
        let dropped = Instant::now();
        drop(guard);
        let (stats, ended) = t.join().expect("sync thread");
        let stats = stats.expect("sync");
        // A lower bound, which a loaded machine only makes longer.
        assert!(
            ended >= dropped + duration,
            "the sync ran its full duration after the backup let go"
        );
        let (status, ..) = log_entry(&home, stats.log_id);
        assert_eq!(status, "ok");
    });
    assert_eq!(
        count(&sync, "SELECT count(*) FROM sync_log"),
        log_before + 1
    );
    assert_consistent(&home);
}

#[test]
fn sync_stops_early_when_asked() {
    let (_tmp, home) = home();
    add_writer_transactions(&home, 50);
    let log_before = count(&sync_db(&home), "SELECT count(*) FROM sync_log");
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let opts = SyncOptions {
        duration: UNTIL_STOPPED,
        ..SyncOptions::default()
    };
    let (done_tx, done_rx) = mpsc::channel();
    {
        let (home, stop) = (home.clone(), stop.clone());
        std::thread::spawn(move || {
            let _ = done_tx.send(run_sync(&home, &opts, &stop));
        });
    }
    // A step has pushed: the sync is in its loop of steps.
    wait_for("a step of the sync", || {
        running_entry(&home, log_before).is_some_and(|(pushed, _)| pushed > 0)
    });
    stop.store(true, Ordering::Relaxed);
    // Asked to stop, it ends long before its hour is up (the deadline
    // only guards against a sync that ignores `stop`).
    let stats = done_rx
        .recv_timeout(HANG_GUARD)
        .expect("the sync did not stop when asked")
        .expect("sync");
    assert!(stats.steps >= 1, "{stats:?}");
    let (status, pushed, pulled, _, ended) = log_entry(&home, stats.log_id);
    assert_eq!(status, "ok");
    assert_eq!((pushed as u64, pulled as u64), (stats.pushed, stats.pulled));
    assert!(ended.is_some());
    assert_eq!(sync_state(&home).expect("state"), SyncState::Idle);
    assert_consistent(&home);
}

#[test]
fn sync_ends_with_an_error_when_a_restore_swaps_the_data() {
    let (tmp, home) = home();
    let data = data_dir(&home);
    let old = tmp.path().join("data.old");
    let stop = AtomicBool::new(false);
    let sync = sync_db(&home);
    let log_before = count(&sync, "SELECT count(*) FROM sync_log");
    let opts = SyncOptions {
        duration: UNTIL_STOPPED,
        ..short(0, 8)
    };
    let err = std::thread::scope(|s| {
        let t = s.spawn(|| run_sync(&home, &opts, &stop));
        wait_for("the sync log entry", || {
            count(&sync_db(&home), "SELECT count(*) FROM sync_log") == log_before + 1
        });
        {
            // A restore swaps in a copy of the folder under the exclusive barrier.
            let _b = HostLock::WriteBarrier.exclusive(&home).expect("barrier");
            std::fs::rename(&data, &old).expect("move old data");
            std::fs::create_dir(&data).expect("new data");
            for db in ["clinical.db", "sync.db", "users.db"] {
                let target = data.join(db);
                ro(&old.join(db))
                    .execute("VACUUM INTO ?1", [target.to_str().expect("utf-8")])
                    .expect("copy");
            }
        }
        let r = t.join().expect("sync thread");
        r.expect_err("the sync noticed the swap")
    });
    let msg = err.to_string();
    assert!(msg.contains("replaced"), "{msg}");
    assert!(msg.contains("start a new sync"), "{msg}");
    assert_eq!(sync_state(&home).expect("state"), SyncState::Idle);
    let report = check_consistency(&data).expect("check");
    assert_eq!(report.problems, Vec::<String>::new());
    let report = check_consistency(&old).expect("check old");
    assert_eq!(report.problems, Vec::<String>::new());
}

#[test]
fn one_step_pushes_one_batch_of_whole_transactions_oldest_first() {
    let (_tmp, home) = home();
    add_writer_transactions(&home, 100);
    let sync = sync_db(&home);
    let pending = count(
        &sync,
        "SELECT count(*) FROM outbox WHERE status = 'pending'",
    );
    let stats = run_sync(&home, &short(0, 9), &AtomicBool::new(false)).expect("sync");
    assert_eq!(stats.steps, 1, "{stats:?}");
    // A batch is 5 to 40 entries, completed to whole transactions (3 entries each).
    assert!((5..=42).contains(&stats.pushed), "{stats:?}");
    assert_eq!(
        count(
            &sync,
            "SELECT count(*) FROM outbox WHERE status = 'pending'"
        ),
        pending - stats.pushed as i64
    );
    assert_eq!(split_transactions(&home), 0);
    assert_eq!(
        count(
            &sync,
            "SELECT count(*) FROM outbox p WHERE p.status = 'pending' AND p.id < \
             (SELECT max(id) FROM outbox WHERE status = 'sent')"
        ),
        0,
        "the oldest entries go first"
    );
    let (status, pushed, pulled, ..) = log_entry(&home, stats.log_id);
    assert_eq!(
        (status.as_str(), pushed as u64, pulled as u64),
        ("ok", stats.pushed, stats.pulled)
    );
    assert_consistent(&home);
}
