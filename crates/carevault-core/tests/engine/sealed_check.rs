//! The backup runs `PRAGMA integrity_check` on each pinned snapshot and
//! seals the verdict in the manifest; a restore of an encrypted backup
//! relies on it (with the entry's SHA-256 and a `quick_check`) instead of
//! repeating the whole check. These tests hold the guarantee: a database a
//! restore puts in place passed integrity_check, directly or by proven
//! identity with a snapshot that did.

use crate::common::archive::{self, Backup};
use crate::common::*;
use carevault_core::archive::reader::Opened;
use carevault_core::auth;
use carevault_core::format::manifest::{EntryKind, Manifest};
use carevault_core::restore::{self, RestoreRequest};
use carevault_core::{Kind, NoProgress, Unlock};
use rusqlite::Connection;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::Path;

fn pragma(db: &Path, sql: &str) -> String {
    let c = Connection::open(db).unwrap();
    let mut st = c.prepare(sql).unwrap();
    let lines: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    lines.join("; ")
}

/// Adds to `db` a table whose index no longer matches its rows (it is
/// pointed at the other column): quick_check passes, integrity_check fails.
fn damage_index(db: &Path) {
    let c = Connection::open(db).unwrap();
    c.execute_batch("CREATE TABLE stock(a TEXT, b TEXT); CREATE INDEX stock_a ON stock(a);")
        .unwrap();
    for i in 0..500 {
        c.execute(
            "INSERT INTO stock VALUES (?1, ?2)",
            (format!("x{i:05}"), format!("y{i:05}")),
        )
        .unwrap();
    }
    c.execute_batch(
        "PRAGMA writable_schema=ON;
         UPDATE sqlite_schema SET sql='CREATE INDEX stock_a ON stock(b)' WHERE name='stock_a';
         PRAGMA writable_schema=OFF;",
    )
    .unwrap();
    drop(c);
    assert_eq!(pragma(db, "PRAGMA quick_check"), "ok");
    assert_ne!(pragma(db, "PRAGMA integrity_check"), "ok");
}

fn manifest_of(file: &Path, unlock: Option<&Unlock>) -> Manifest {
    let mut o = Opened::open(file).unwrap();
    let key = o.unlock(unlock, 18).unwrap();
    o.manifest(key.as_ref()).unwrap().0
}

/// Restores `file` as a first run into the fresh home `target`.
fn restore_fresh(
    target: &Path,
    file: &Path,
    unlock: Option<&Unlock>,
    full_check: bool,
) -> carevault_core::Result<restore::RestoreOutcome> {
    std::fs::create_dir_all(target).unwrap();
    let permit = auth::first_run_restore(target)?;
    let req = RestoreRequest {
        file,
        unlock,
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    restore::restore_checked(&permit, &req, None, None, full_check, &NoProgress)
}

/// A database made by hand with the damaged index of [`damage_index`], in
/// rollback-journal mode (the form carevault stores), and its bytes.
fn damaged_db(dir: &Path) -> Vec<u8> {
    let db = dir.join("made.db");
    Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA journal_mode=DELETE;")
        .unwrap();
    damage_index(&db);
    std::fs::read(&db).unwrap()
}

fn db_entry(bytes: &[u8], listed_sha: &[u8], verdict: &str) -> serde_json::Value {
    json!({"path": "data/clinical.db", "kind": "sqlite", "size": bytes.len(),
           "sha256": hex::encode(Sha256::digest(listed_sha)), "journal_mode": "delete",
           "row_counts": {"stock": 500}, "integrity_check": verdict})
}

#[test]
fn a_backup_seals_a_passing_integrity_check_of_each_database() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let m = manifest_of(&out.path, Some(&pass(PASS)));
    let dbs: Vec<_> = m
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Sqlite)
        .collect();
    assert!(dbs.len() >= 2, "{dbs:?}");
    for e in &dbs {
        assert_eq!(e.integrity_check.as_deref(), Some("ok"), "{}", e.path);
    }
    for e in m.entries.iter().filter(|e| e.kind == EntryKind::File) {
        assert_eq!(e.integrity_check, None, "{}", e.path);
    }
    // Relying on it, and checking in full, both restore the data.
    for full in [false, true] {
        let target = t.path().join(format!("target-{full}"));
        restore_fresh(&target, &out.path, Some(&pass(PASS)), full).unwrap();
        assert_eq!(
            integrity(&target.join("data/clinical.db")),
            "ok",
            "full {full}"
        );
        for db in ["clinical.db", "sync.db"] {
            assert_eq!(
                dump(&target.join("data").join(db)),
                dump(&home.join("data").join(db)),
                "{db}"
            );
        }
        let photo = "data/files/photos/p1.jpg";
        assert_eq!(
            std::fs::read(target.join(photo)).unwrap(),
            std::fs::read(home.join(photo)).unwrap()
        );
    }
}

#[test]
fn an_unencrypted_backup_seals_no_verdict() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("out"), None);
    let m = manifest_of(&out.path, None);
    assert!(m.entries.iter().any(|e| e.kind == EntryKind::Sqlite));
    for e in &m.entries {
        assert_eq!(e.integrity_check, None, "{}", e.path);
    }
}

#[test]
fn a_database_the_backup_found_damaged_gets_the_full_check_and_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    damage_index(&home.join("data/clinical.db"));
    let out = make_backup(&home, &t.path().join("out"), Some(PASS));
    let m = manifest_of(&out.path, Some(&pass(PASS)));
    let verdict = m
        .entry("data/clinical.db")
        .and_then(|e| e.integrity_check.clone())
        .expect("a verdict is sealed");
    assert!(verdict != "ok" && verdict.contains("stock_a"), "{verdict}");
    // quick_check passes this database: only the whole check (run because
    // the sealed verdict is not "ok") can refuse it.
    let target = t.path().join("target");
    let err = restore_fresh(&target, &out.path, Some(&pass(PASS)), false).unwrap_err();
    assert_eq!(err.kind(), Kind::CheckFailed, "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("clinical.db") && msg.contains("stock_a"),
        "{msg}"
    );
    assert!(!target.join("data").exists());
}

#[test]
fn a_damaged_database_under_a_forged_ok_verdict_is_refused_by_its_hash() {
    let t = tempfile::tempdir().unwrap();
    let bad = damaged_db(t.path());
    // The manifest vouches "ok" for the bytes of a sound database (the one
    // its writer checked), but the payload carries damaged ones.
    let mut good = bad.clone();
    good[bad.len() - 1] ^= 0x01;
    let entries = [db_entry(&bad, &good, "ok")];
    let file = t.path().join("forged.bin");
    Backup::encrypted(&entries, &archive::file(b"data/clinical.db", &bad)).write(&file);
    let target = t.path().join("target");
    let err = restore_fresh(&target, &file, Some(&pass(archive::PASSPHRASE)), false).unwrap_err();
    assert_eq!(err.kind(), Kind::Corrupted, "{err}");
    assert!(
        err.to_string()
            .contains("data/clinical.db does not match its checksum"),
        "{err}"
    );
    assert!(!target.join("data").exists());
}

#[test]
fn full_check_refuses_a_damaged_database_its_sealed_verdict_vouched_for() {
    let t = tempfile::tempdir().unwrap();
    let bad = damaged_db(t.path());
    // Made by someone holding the backup's key: hash and verdict agree
    // with each other, the verdict is false.
    let entries = [db_entry(&bad, &bad, "ok")];
    let file = t.path().join("forged.bin");
    Backup::encrypted(&entries, &archive::file(b"data/clinical.db", &bad)).write(&file);
    let target = t.path().join("target");
    let err = restore_fresh(&target, &file, Some(&pass(archive::PASSPHRASE)), true).unwrap_err();
    assert_eq!(err.kind(), Kind::CheckFailed, "{err}");
    assert!(err.to_string().contains("stock_a"), "{err}");
    assert!(!target.join("data").exists());
}

#[test]
fn an_unencrypted_backup_gets_the_full_check_whatever_it_seals() {
    let t = tempfile::tempdir().unwrap();
    let bad = damaged_db(t.path());
    // Anyone can rewrite an unencrypted manifest with its hashes.
    let entries = [db_entry(&bad, &bad, "ok")];
    let file = t.path().join("forged.bin");
    Backup::plain(&entries, &archive::file(b"data/clinical.db", &bad)).write(&file);
    let target = t.path().join("target");
    let err = restore_fresh(&target, &file, None, false).unwrap_err();
    assert_eq!(err.kind(), Kind::CheckFailed, "{err}");
    assert!(err.to_string().contains("stock_a"), "{err}");
    assert!(!target.join("data").exists());
}
