//! Backups taken while the demo app writer commits changes: every restored
//! database passes integrity_check, holds whole transactions only, and the
//! databases agree with each other.

mod common;
use carevault_core::demo::{self, DemoOptions, WriterOptions};
use carevault_core::restore::{restore, RestoreOutcome, RestoreRequest};
use carevault_core::NoProgress;
use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[test]
fn backups_under_a_concurrent_writer_restore_consistent_data() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("clinic");
    demo::init(
        &home,
        &DemoOptions {
            patients: 1500,
            photos: 2,
            seed: 3,
        },
    )
    .unwrap();
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
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut backups = Vec::new();
    for i in 0..3 {
        backups.push(make_backup(
            &home,
            &t.path().join("docs"),
            (i % 2 == 0).then_some(PASS),
        ));
        std::thread::sleep(std::time::Duration::from_millis(150));
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
        let RestoreOutcome::Restored(report) = restore(
            &RestoreRequest {
                home: &target,
                file: &b.path,
                unlock,
                max_log_n: 18,
                dry_run: false,
            },
            &NoProgress,
        )
        .unwrap() else {
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
