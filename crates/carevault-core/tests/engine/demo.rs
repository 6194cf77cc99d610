//! The demo clinic against real SQLite in temporary folders: generation,
//! the writer under the host contract, and the consistency check.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::{someone_waits_for, wait_for, writer_visits};
use argon2::{Argon2, PasswordVerifier};
use carevault_core::hostlock::HostLock;
use carevault_core::layout::data_dir;
use carevault_demo::{
    check_consistency, init, run_writer, DemoError, DemoOptions, DemoSummary, WriterOptions,
    DEMO_USERS,
};
use rusqlite::{Connection, OpenFlags};
use tempfile::TempDir;

const PATIENTS: u64 = 300;
const PHOTOS: u64 = 4;

/// One generated home (argon2 is slow in debug builds); tests work on copies.
fn template() -> &'static (TempDir, DemoSummary) {
    static T: OnceLock<(TempDir, DemoSummary)> = OnceLock::new();
    T.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let summary =
            init(&dir.path().join("home"), &demo(PATIENTS, PHOTOS, 7)).expect("demo init");
        (dir, summary)
    })
}

fn demo(patients: u64, photos: u64, seed: u64) -> DemoOptions {
    DemoOptions {
        patients,
        photos,
        seed,
    }
}

/// The writer as fast as it goes, until stopped.
fn flat_out(seed: u64) -> WriterOptions {
    WriterOptions {
        seed,
        ..WriterOptions::default()
    }
}

/// Some problem mentions every one of `words`.
fn reported(problems: &[String], words: &[&str]) -> bool {
    problems.iter().any(|m| words.iter().all(|w| m.contains(w)))
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
    copy_tree(&template().0.path().join("home"), &home);
    (dir, home)
}

fn ro(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only")
}

fn count(path: &Path, sql: &str) -> u64 {
    ro(path)
        .query_row(sql, [], |r| r.get::<_, i64>(0))
        .expect("count") as u64
}

fn writer_outbox(data: &Path) -> u64 {
    count(
        &data.join("sync.db"),
        "SELECT count(*) FROM outbox WHERE txn_id LIKE 'wtx-%'",
    )
}

fn files_in(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut v: Vec<(PathBuf, u64)> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.path(), e.metadata().expect("meta").len())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn init_makes_a_complete_wal_home_whose_counts_match() {
    let (tmp, s) = template();
    let home = tmp.path().join("home");
    let data = data_dir(&home);
    for db in ["clinical.db", "sync.db", "users.db"] {
        let mode: String = ro(&data.join(db))
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal", "{db}");
    }
    let clinical = data.join("clinical.db");
    assert_eq!(s.patients, PATIENTS);
    for (db, table, expected) in [
        ("clinical.db", "patients", s.patients),
        ("clinical.db", "visits", s.visits),
        ("clinical.db", "immunizations", s.immunizations),
        ("sync.db", "outbox", s.outbox),
        ("sync.db", "sync_log", s.sync_log),
        ("users.db", "users", s.users),
    ] {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(count(&data.join(db), &sql), expected, "{table}");
    }
    let per_patient = |n: u64| n as f64 / PATIENTS as f64;
    assert!((3.0..7.0).contains(&per_patient(s.visits)), "{s:?}");
    assert!((2.0..6.0).contains(&per_patient(s.immunizations)), "{s:?}");
    assert!(s.outbox > 0 && s.sync_log > 100, "{s:?}");
    assert!(count(&clinical, "SELECT count(*) FROM immunization_sessions") >= 200);
    assert!(
        count(
            &clinical,
            "SELECT count(*) FROM stock WHERE kind = 'vaccine'"
        ) > 10
    );
    for index in ["visits_patient", "immunizations_patient", "patients_uuid"] {
        let sql =
            format!("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '{index}'");
        assert_eq!(count(&clinical, &sql), 1, "{index}");
    }
    assert_eq!(
        check_consistency(&data).expect("check").problems,
        Vec::<String>::new()
    );

    let config = std::fs::read_to_string(data.join("config/app.toml")).expect("app.toml");
    let config: toml::Table = toml::from_str(&config).expect("toml");
    for key in ["realm", "sync_endpoint", "facility", "device_name"] {
        assert!(config[key].as_str().is_some_and(|v| !v.is_empty()), "{key}");
    }
    let photos = files_in(&data.join("files/photos"));
    assert_eq!(photos.len() as u64, s.photos);
    for (path, len) in &photos {
        assert!((30 * 1024..=300 * 1024).contains(len), "{path:?} {len}");
        let bytes = std::fs::read(path).expect("photo");
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        assert_eq!(&bytes[bytes.len() - 2..], &[0xFF, 0xD9]);
    }
    let documents = files_in(&data.join("files/documents"));
    assert_eq!(documents.len() as u64, s.documents);
    assert!(documents
        .iter()
        .all(|(_, len)| (1024..=21 * 1024).contains(len)));
    assert!(std::fs::read_dir(home.join("private/backups"))
        .expect("backups")
        .next()
        .is_none());

    let users = ro(&data.join("users.db"));
    for (user, role, password) in DEMO_USERS {
        let (got_role, phc): (String, String) = users
            .query_row(
                "SELECT role, password_hash FROM users WHERE username = ?1",
                [user],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("user row");
        assert_eq!(&got_role, role);
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        let verifies = |pw: &[u8]| Argon2::default().verify_password(pw, phc.as_str()).is_ok();
        assert!(
            verifies(password.as_bytes()) && !verifies(b"wrong"),
            "{user}"
        );
    }
}

#[test]
fn init_refuses_a_home_that_already_has_data() {
    let (_tmp, home) = home();
    let before = files_in(&data_dir(&home));
    let err = init(&home, &DemoOptions::default()).expect_err("second init must refuse");
    assert!(
        matches!(err, DemoError::AlreadyInitialized { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("clinical.db") && msg.contains(&data_dir(&home).display().to_string()),
        "{msg}"
    );
    assert_eq!(files_in(&data_dir(&home)), before);

    let other = home.with_file_name("other");
    std::fs::create_dir_all(data_dir(&other)).expect("mkdir");
    std::fs::write(data_dir(&other).join("notes.txt"), "keep me").expect("write");
    let err = init(&other, &DemoOptions::default()).expect_err("non-empty data must refuse");
    assert!(matches!(err, DemoError::DataNotEmpty { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
}

#[test]
fn init_is_deterministic_from_the_seed() {
    let tmp = TempDir::new().expect("temp dir");
    let dump = |name: &str, seed: u64| {
        let home = tmp.path().join(name);
        // An empty data folder is fine (it is replaced by the generated one).
        std::fs::create_dir_all(data_dir(&home)).expect("empty data folder");
        init(&home, &demo(40, 1, seed)).expect("init");
        let conn = ro(&data_dir(&home).join("clinical.db"));
        let mut st = conn
            .prepare("SELECT uuid || given_name || date_of_birth FROM patients ORDER BY id")
            .expect("prepare");
        let rows = st.query_map([], |r| r.get::<_, String>(0)).expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>()
    };
    let a = dump("a", 3);
    assert_eq!(a, dump("b", 3));
    assert_ne!(a, dump("c", 4));
}

#[test]
fn writer_transactions_are_whole_and_a_broken_copy_is_reported() {
    let (tmp, home) = home();
    let data = data_dir(&home);
    let stock = |d: &Path| {
        count(
            &d.join("clinical.db"),
            "SELECT sum(quantity) FROM stock WHERE kind = 'vaccine'",
        )
    };
    let before = stock(&data);
    let opts = WriterOptions {
        rate_per_sec: None,
        max_transactions: Some(25),
        seed: 3,
    };
    let stats = run_writer(&home, &opts, &AtomicBool::new(false)).expect("writer");
    assert_eq!(stats.transactions, 25);
    assert_eq!(stats.reopened, 0);
    assert_eq!(
        before - stock(&data),
        25,
        "one dose taken from stock per transaction"
    );
    // A second run with the same seed must not repeat ids (regression: visits.uuid collided).
    let again = WriterOptions {
        max_transactions: Some(5),
        ..opts
    };
    assert_eq!(
        run_writer(&home, &again, &AtomicBool::new(false))
            .expect("second run")
            .transactions,
        5
    );
    let report = check_consistency(&data).expect("check");
    assert_eq!(report.problems, Vec::<String>::new());
    assert_eq!(
        (report.visits_from_writer, report.outbox_from_writer),
        (30, 30)
    );
    assert_eq!(writer_outbox(&data), 90);

    let broken = |name: &str, db: &str, sql: &str| -> Vec<String> {
        let copy = tmp.path().join(name);
        copy_tree(&data, &copy);
        let sql = format!("PRAGMA foreign_keys = OFF; {sql}");
        Connection::open(copy.join(db))
            .expect("open")
            .execute_batch(&sql)
            .expect("break it");
        check_consistency(&copy).expect("check").problems
    };
    let txn: String = ro(&data.join("sync.db"))
        .query_row(
            "SELECT txn_id FROM outbox WHERE txn_id LIKE 'wtx-%' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a writer txn");
    let p = broken(
        "no-outbox",
        "sync.db",
        &format!("DELETE FROM outbox WHERE txn_id = '{txn}' AND entity = 'visit'"),
    );
    assert!(reported(&p, &[&txn, "partial"]), "{p:?}");
    let p = broken(
        "no-immunization",
        "clinical.db",
        &format!("DELETE FROM immunizations WHERE writer_txn = '{txn}'"),
    );
    assert!(reported(&p, &[&txn, "no immunization"]), "{p:?}");
    let p = broken(
        "no-visit",
        "clinical.db",
        &format!("DELETE FROM visits WHERE writer_txn = '{txn}'"),
    );
    assert!(reported(&p, &[&txn, "visit is missing"]), "{p:?}");
    let dup = "INSERT INTO visits (uuid, patient_uuid, visit_date, reason, recorded_by, writer_txn, created_at) \
               SELECT uuid || '-dup', patient_uuid, visit_date, reason, recorded_by, writer_txn, created_at \
               FROM visits WHERE writer_txn IS NOT NULL LIMIT 1";
    let p = broken("duplicate", "clinical.db", dup);
    assert!(reported(&p, &["duplicated"]), "{p:?}");
}

#[test]
fn no_writer_transaction_commits_while_the_barrier_is_held_exclusively() {
    let (_tmp, home) = home();
    let data = data_dir(&home);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| run_writer(&home, &flat_out(5), &stop));
        wait_for("the writer's first visits", || writer_visits(&data) >= 5);
        let ((visits, outbox), held_while_waiting) = {
            let _barrier = HostLock::WriteBarrier
                .exclusive(&home)
                .expect("exclusive barrier");
            let before = (writer_visits(&data), writer_outbox(&data));
            assert_eq!(
                before.1,
                3 * before.0,
                "a snapshot under the barrier sees whole transactions"
            );
            // The writer has come to its next change and waits for the
            // barrier: nothing it did meanwhile was committed.
            wait_for("the writer to wait at the barrier", || {
                someone_waits_for(&home, "write-barrier.lock")
            });
            let seen_waiting = Instant::now();
            assert_eq!(
                (writer_visits(&data), writer_outbox(&data)),
                before,
                "committed under the barrier"
            );
            (before, seen_waiting.elapsed())
        };
        wait_for("a visit after the barrier", || {
            writer_visits(&data) > visits
        });
        stop.store(true, Ordering::Relaxed);
        let stats = writer.join().expect("writer thread").expect("writer");
        // It waited at least from when it was seen waiting until the
        // barrier was let go (both measured on one clock).
        assert!(
            stats.longest_wait_ms >= held_while_waiting.as_secs_f64() * 1000.0,
            "{stats:?} vs {held_while_waiting:?}"
        );
        assert!(stats.transactions > visits && outbox > 0);
    });
    assert!(check_consistency(&data).expect("check").problems.is_empty());
}

#[test]
fn writer_waits_out_a_missing_folder_and_reopens_after_a_swap() {
    let (tmp, home) = home();
    let data = data_dir(&home);
    let old = tmp.path().join("data.old");
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| run_writer(&home, &flat_out(9), &stop));
        wait_for("the writer's first visits", || writer_visits(&data) >= 3);
        // The folder goes missing for a moment: the writer retries.
        let away = tmp.path().join("away");
        {
            let _b = HostLock::WriteBarrier.exclusive(&home).expect("barrier");
            std::fs::rename(&data, &away).expect("move away");
        }
        // The writer found the folder missing: it closed its connections
        // to the databases (now in `away`) and retries.
        wait_for("the writer to close the moved folder", || {
            !open_files_under(&away)
        });
        {
            let _b = HostLock::WriteBarrier.exclusive(&home).expect("barrier");
            std::fs::rename(&away, &data).expect("move back");
        }
        let back = writer_visits(&data);
        wait_for("a visit in the folder put back", || {
            writer_visits(&data) > back
        });
        // A restore swaps in a copy of the folder.
        let at_swap = {
            let _b = HostLock::WriteBarrier.exclusive(&home).expect("barrier");
            std::fs::rename(&data, &old).expect("move old data");
            std::fs::create_dir(&data).expect("new data");
            for db in ["clinical.db", "sync.db", "users.db"] {
                let target = data.join(db);
                ro(&old.join(db))
                    .execute("VACUUM INTO ?1", [target.to_str().expect("utf-8")])
                    .expect("copy");
            }
            writer_visits(&old)
        };
        wait_for("a visit in the swapped-in data", || {
            writer_visits(&data) > at_swap
        });
        stop.store(true, Ordering::Relaxed);
        let stats = writer.join().expect("writer thread").expect("writer");
        assert_eq!(stats.reopened, 1, "{stats:?}");
        assert_eq!(
            writer_visits(&old),
            at_swap,
            "nothing written into the replaced folder"
        );
    });
    for d in [&data, &old] {
        assert_eq!(
            check_consistency(d).expect("check").problems,
            Vec::<String>::new()
        );
    }
}

#[test]
fn writer_keeps_its_rate() {
    let (_tmp, home) = home();
    let opts = WriterOptions {
        rate_per_sec: Some(50),
        max_transactions: Some(10),
        seed: 4,
    };
    let start = Instant::now();
    let stats = run_writer(&home, &opts, &AtomicBool::new(false)).expect("writer");
    assert_eq!(stats.transactions, 10);
    assert!(
        start.elapsed() >= Duration::from_millis(170),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn check_consistency_names_a_missing_database() {
    let tmp = TempDir::new().expect("temp dir");
    let err = check_consistency(tmp.path()).expect_err("no databases");
    assert!(err.to_string().contains("clinical.db"), "{err}");
}

/// True when this process has a file under `dir` open.
fn open_files_under(dir: &Path) -> bool {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .any(|target| target.starts_with(dir))
}

/// The generation speed figure: `cargo test --release -p carevault-core
/// --test engine demo::generation_speed -- --ignored --nocapture` (CAREVAULT_DEMO_PATIENTS, default 100000).
#[test]
#[ignore = "benchmark: run in a release build"]
fn generation_speed() {
    let patients = std::env::var("CAREVAULT_DEMO_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tmp = TempDir::new().expect("temp dir");
    let home = tmp.path().join("home");
    let start = Instant::now();
    let s = init(&home, &demo(patients, 20, 1)).expect("init");
    let took = start.elapsed();
    println!("init {patients} patients: {took:.2?}\n{s:#?}");
    for (path, len) in files_in(&data_dir(&home)) {
        println!("  {:>12} {}", len, path.display());
    }
    let start = Instant::now();
    let stats = run_writer(
        &home,
        &WriterOptions {
            max_transactions: Some(2_000),
            ..WriterOptions::default()
        },
        &AtomicBool::new(false),
    )
    .expect("writer");
    println!("writer: {stats:?} in {:.2?}", start.elapsed());
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| run_writer(&home, &flat_out(2), &stop));
        std::thread::sleep(Duration::from_millis(200));
        let mut worst = Duration::ZERO;
        for _ in 0..50 {
            let t = Instant::now();
            let barrier = HostLock::WriteBarrier.exclusive(&home).expect("barrier");
            worst = worst.max(t.elapsed());
            drop(barrier);
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        let stats = writer.join().expect("writer thread").expect("writer");
        println!("exclusive barrier while the writer runs flat out: worst wait {worst:.2?} (50 tries); {stats:?}");
    });
    let start = Instant::now();
    let report = check_consistency(&data_dir(&home)).expect("check");
    println!(
        "check_consistency: {:.2?}, {} problems",
        start.elapsed(),
        report.problems.len()
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
