//! Backups taken while the demo app writer commits changes: every restored
//! database passes integrity_check, holds whole transactions only, and the
//! databases agree with each other.

use crate::common::*;
use carevault_core::restore::RestoreOutcome;
use carevault_demo::{self as demo, WriterOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A demo clinic whose nurse has the test password and whose profile is fast.
fn demo_home(root: &std::path::Path, patients: u64, photos: u64, seed: u64) -> std::path::PathBuf {
    let home = root.join("clinic");
    carevault_testkit::clinic::demo_home(&home, patients, photos, seed);
    carevault_core::auth::set_password(&home, "nurse", NURSE_PW).unwrap();
    test_profile(&home);
    home
}

#[test]
fn backups_under_a_concurrent_writer_restore_consistent_data() {
    let t = tempfile::tempdir().unwrap();
    let home = demo_home(t.path(), 1500, 2, 3);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (home, stop) = (home.clone(), stop.clone());
        std::thread::spawn(move || {
            demo::run_writer(
                &home,
                &WriterOptions {
                    rate_per_sec: None,
                    max_transactions: None,
                    seed: 9,
                },
                &stop,
            )
        })
    };
    let data = home.join("data");
    // The writer is under way before the first backup...
    wait_for("the writer's first visits", || writer_visits(&data) > 20);
    let mut backups = Vec::new();
    for i in 0..3 {
        backups.push(make_backup(
            &home,
            &t.path().join("docs"),
            (i % 2 == 0).then_some(PASS),
        ));
        // ...and commits more after each one: the live count read after a
        // backup is at least what the backup holds.
        let after = writer_visits(&data);
        wait_for("a visit after the backup", || writer_visits(&data) > after);
    }
    stop.store(true, Ordering::SeqCst);
    let stats = writer.join().unwrap().unwrap();
    assert!(
        stats.transactions > 20,
        "the writer barely ran: {}",
        stats.transactions
    );
    let live = demo::check_consistency(&home.join("data")).unwrap();
    assert!(live.problems.is_empty(), "{:?}", live.problems);

    let mut seen = Vec::new();
    for (i, b) in backups.iter().enumerate() {
        let target = t.path().join(format!("restored-{i}"));
        let unlock = pass(PASS);
        let unlock = b.metadata.sealed.encrypted.then_some(&unlock);
        let RestoreOutcome::Restored(report) =
            restore_into(&target, &b.path, unlock, false).unwrap()
        else {
            panic!("plan")
        };
        assert!(report.checks.iter().all(|c| c.ok), "{:?}", report.checks);
        for db in ["clinical.db", "sync.db", "users.db"] {
            assert_eq!(
                integrity(&target.join("data").join(db)),
                "ok",
                "{db} of backup {i}"
            );
        }
        let c = demo::check_consistency(&target.join("data")).unwrap();
        assert!(c.problems.is_empty(), "backup {i}: {:?}", c.problems);
        assert_eq!(
            c.visits_from_writer, c.outbox_from_writer,
            "backup {i}: both databases from one instant"
        );
        seen.push(c.visits_from_writer);
    }
    // The writer was caught mid-flight: later backups hold more of its work,
    // and none holds all of it.
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(
        seen[2] > seen[0],
        "backups taken apart in time hold different states: {seen:?}"
    );
    assert!(
        seen[2] < live.visits_from_writer,
        "{seen:?} vs {}",
        live.visits_from_writer
    );
}

#[test]
fn backups_between_synchronizations_under_a_writer_stay_consistent() {
    let t = tempfile::tempdir().unwrap();
    let home = demo_home(t.path(), 800, 1, 5);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (home, stop) = (home.clone(), stop.clone());
        std::thread::spawn(move || {
            demo::run_writer(
                &home,
                &WriterOptions {
                    rate_per_sec: Some(100),
                    max_transactions: None,
                    seed: 2,
                },
                &stop,
            )
        })
    };
    // The syncer and the backups take turns: each backup is asked for
    // while a synchronization runs (or has just ended) and waits for it;
    // the next synchronization starts once that backup is made.
    let (backup_made, next_sync) = std::sync::mpsc::channel::<()>();
    let syncs_done = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let syncer = {
        let (home, stop, syncs_done) = (home.clone(), stop.clone(), syncs_done.clone());
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(Ordering::SeqCst) {
                let opts = demo::SyncOptions {
                    duration: std::time::Duration::from_millis(300),
                    step_interval: std::time::Duration::from_millis(30),
                    seed: runs,
                };
                demo::run_sync(&home, &opts, &AtomicBool::new(false)).unwrap();
                runs += 1;
                syncs_done.store(runs, Ordering::SeqCst);
                if next_sync.recv().is_err() {
                    break;
                }
            }
            runs
        })
    };
    let data = home.join("data");
    let mut backups = Vec::new();
    for i in 0..3 {
        // This round's synchronization has begun (or already ended).
        wait_for("the syncer's turn", || {
            carevault_core::hostlock::sync_running(&home).unwrap()
                || syncs_done.load(Ordering::SeqCst) > i
        });
        let mut req = request(&home, &t.path().join("docs"), Some(PASS));
        req.wait_sync = Some(HANG_GUARD);
        backups.push(create(&home, &req).unwrap());
        backup_made.send(()).unwrap();
    }
    wait_for("the writer's first visits", || writer_visits(&data) > 10);
    stop.store(true, Ordering::SeqCst);
    drop(backup_made);
    let stats = writer.join().unwrap().unwrap();
    let syncs = syncer.join().unwrap();
    assert!(
        syncs >= 3 && stats.transactions > 10,
        "syncs {syncs}, writes {}",
        stats.transactions
    );
    println!(
        "writer: {} transactions at 100/s, longest wait for the write barrier {:.2} ms",
        stats.transactions, stats.longest_wait_ms
    );
    for (i, b) in backups.iter().enumerate() {
        let target = t.path().join(format!("r{i}"));
        restore_into(&target, &b.path, Some(&pass(PASS)), false).unwrap();
        for db in ["clinical.db", "sync.db", "users.db"] {
            assert_eq!(integrity(&target.join("data").join(db)), "ok");
        }
        let c = demo::check_consistency(&target.join("data")).unwrap();
        assert!(c.problems.is_empty(), "backup {i}: {:?}", c.problems);
    }
}
