//! Test fixtures: small real app homes, backups made with a low scrypt work
//! factor (fast), and helpers to compare trees and damage files.
#![allow(dead_code)]

pub mod archive;

use carevault_core::auth::{self, Role};
use carevault_core::backup::{self, BackupOutcome, BackupRequest, Target};
use carevault_core::profile::Profile;
use carevault_core::restore::{restore, RestoreOutcome, RestoreRequest};
use carevault_core::{NoProgress, SecretString, Unlock};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const PASS: &str = "test passphrase one";
pub const NURSE_PW: &str = "nurse password";
pub const ADMIN_PW: &str = "admin password";
pub const WORK: u8 = 10;

/// A small home: two WAL databases, the app config, a photo and a document.
pub fn small_home(root: &Path) -> PathBuf {
    let home = root.join("home");
    let data = home.join("data");
    std::fs::create_dir_all(data.join("config")).unwrap();
    std::fs::create_dir_all(data.join("files/photos")).unwrap();
    std::fs::create_dir_all(data.join("files/documents")).unwrap();
    let c = Connection::open(data.join("clinical.db")).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE patients(id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE visits(id INTEGER PRIMARY KEY, patient INTEGER, note TEXT);",
    )
    .unwrap();
    for i in 0..300 {
        c.execute(
            "INSERT INTO patients(name) VALUES (?1)",
            [format!("patient {i} with a longer name")],
        )
        .unwrap();
        c.execute(
            "INSERT INTO visits(patient, note) VALUES (?1, ?2)",
            (i, "weighed and vaccinated".repeat(5)),
        )
        .unwrap();
    }
    let s = Connection::open(data.join("sync.db")).unwrap();
    s.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE outbox(id INTEGER PRIMARY KEY, entity TEXT);
         CREATE TABLE sync_log(id INTEGER PRIMARY KEY, status TEXT);
         INSERT INTO outbox(entity) VALUES ('visit'),('visit');
         INSERT INTO sync_log(status) VALUES ('ok');",
    )
    .unwrap();
    std::fs::write(
        data.join("config/app.toml"),
        "realm = \"demo.realm\"\nsync_endpoint = \"https://sync.example.org/api\"\nfacility = \"Test HC\"\ndevice_name = \"tab-1\"\n",
    )
    .unwrap();
    let photo: Vec<u8> = (0..150_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(data.join("files/photos/p1.jpg"), &photo).unwrap();
    std::fs::write(
        data.join("files/documents/note.txt"),
        "consent form\n".repeat(200),
    )
    .unwrap();
    auth::add_user(&home, "nurse", Role::ClinicNurse, NURSE_PW).unwrap();
    auth::add_user(&home, "admin", Role::SystemAdministrator, ADMIN_PW).unwrap();
    test_profile(&home);
    home
}

/// Fast scrypt, and unencrypted backups allowed in plain folders (tests
/// only): the test kit's profile.
pub fn test_profile(home: &Path) {
    carevault_testkit::clinic::write_profile(
        home,
        WORK,
        carevault_testkit::clinic::Media::PlainFoldersAllowed,
    );
}

/// Restores as the System Administrator (the nurse where the home has no
/// admin), or as a first run into a home without clinic data. These tests
/// are about the checks every restore applies to the archive; an admin may
/// restore any backup over existing data, while the policy that limits a
/// nurse to signed ones is tested in provenance.rs.
pub fn restore_into(
    home: &Path,
    file: &Path,
    unlock: Option<&Unlock>,
    dry_run: bool,
) -> carevault_core::Result<RestoreOutcome> {
    let permit = if auth::is_first_run(home) {
        auth::first_run_restore(home)?
    } else if auth::list_users(home)?
        .iter()
        .any(|u| u.username == "admin")
    {
        auth::permit(home, "admin", ADMIN_PW)?
    } else {
        auth::permit(home, "nurse", NURSE_PW)?
    };
    restore(
        &permit,
        &RestoreRequest {
            file,
            unlock,
            max_log_n: 18,
            dry_run,
            expect_id: None,
        },
        &NoProgress,
    )
}

pub fn request(home: &Path, dest: &Path, pass: Option<&str>) -> BackupRequest {
    let mut r = BackupRequest::new(
        &Profile::load(home).unwrap(),
        Target::Folder(dest.to_path_buf()),
    );
    r.passphrase = pass.map(|p| SecretString::from(p.to_string()));
    r.scrypt_log_n = WORK;
    r
}

pub fn make_backup(home: &Path, dest: &Path, pass: Option<&str>) -> BackupOutcome {
    create(home, &request(home, dest, pass)).expect("backup")
}

pub fn create(home: &Path, req: &BackupRequest) -> carevault_core::Result<BackupOutcome> {
    backup::create(&auth::permit(home, "nurse", NURSE_PW)?, req, &NoProgress)
}

pub fn viewer(home: &Path) -> auth::Permit<auth::View> {
    auth::permit(home, "nurse", NURSE_PW).unwrap()
}

pub fn pass(p: &str) -> Unlock {
    Unlock::Passphrase(SecretString::from(p.to_string()))
}

/// Every file under `dir` (relative path -> bytes), skipping SQLite side files.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if rel.ends_with("-wal") || rel.ends_with("-shm") {
                    continue;
                }
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Rows of every table of a database, as text, for content comparisons.
pub fn dump(db: &Path) -> Vec<String> {
    let c = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    tables.sort();
    let mut out = Vec::new();
    for t in tables {
        let mut st = c
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                let mut s = format!("{t}:");
                for i in 0..n {
                    s.push_str(&format!("{:?}|", r.get_ref(i).unwrap()));
                }
                Ok(s)
            })
            .unwrap();
        out.extend(rows.map(|r| r.unwrap()));
    }
    out
}

pub fn integrity(db: &Path) -> String {
    let c = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// Longer than anything a loaded machine explains: only a hang reaches it.
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// Waits until `cond` holds, looking again every 5 ms; the deadline only
/// guards against a hang (a loaded machine may take long, never that long).
pub fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(start.elapsed() < HANG_GUARD, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Visits the demo app writer has committed in the data folder `data`.
pub fn writer_visits(data: &Path) -> u64 {
    let c = Connection::open_with_flags(
        data.join("clinical.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c.query_row(
        "SELECT count(*) FROM visits WHERE writer_txn IS NOT NULL",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

/// True when some thread or process is blocked waiting for the lock file
/// `name` (`sync.lock`, `write-barrier.lock`, `operation.lock`) of `home`:
/// the kernel lists blocked `flock` waiters in /proc/locks (`->`), with the
/// lock file's inode. Tests synchronise on it instead of sleeping.
pub fn someone_waits_for(home: &Path, name: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(carevault_core::hostlock::locks_dir(home).join(name)) else {
        return false;
    };
    let inode = meta.ino().to_string();
    std::fs::read_to_string("/proc/locks")
        .expect("/proc/locks")
        .lines()
        .filter(|l| l.contains("->"))
        .any(|l| {
            l.split_whitespace()
                .any(|f| f.contains(':') && f.rsplit(':').next() == Some(inode.as_str()))
        })
}
