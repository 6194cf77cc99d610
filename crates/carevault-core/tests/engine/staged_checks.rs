//! The checks a restore makes of every staged database are those of
//! `PRAGMA integrity_check`, even though they run split into jobs (one
//! `quick_check` per file, one `integrity_check(TABLE)` per table) on
//! worker threads: a database that only the index-content half catches,
//! and one that only the whole-file half catches, are both refused, and
//! the data in place is left as it was.

use crate::common::*;
use carevault_core::Kind;
use rusqlite::Connection;
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

/// Backs `home` up, restores into a fresh home, and returns the error.
fn restore_fails(home: &Path, root: &Path) -> carevault_core::Error {
    let out = make_backup(home, &root.join("out"), None);
    let target = root.join("target");
    let err = restore_into(&target, &out.path, None, false).unwrap_err();
    assert_eq!(err.kind(), Kind::CheckFailed, "{err}");
    assert!(
        !target.join("data").exists(),
        "a refused restore left data behind"
    );
    let left: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".carevault"))
        .collect();
    assert!(left.is_empty(), "staging left behind: {left:?}");
    err
}

#[test]
fn an_index_that_disagrees_with_its_table_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let db = home.join("data/clinical.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE stock(a TEXT, b TEXT); CREATE INDEX stock_a ON stock(a);")
            .unwrap();
        for i in 0..500 {
            c.execute(
                "INSERT INTO stock VALUES (?1, ?2)",
                (format!("x{i:05}"), format!("y{i:05}")),
            )
            .unwrap();
        }
        // Point the index at the other column: its entries stay sorted (so
        // the b-tree checks pass) but no longer match the rows.
        c.execute_batch(
            "PRAGMA writable_schema=ON;
             UPDATE sqlite_schema SET sql='CREATE INDEX stock_a ON stock(b)'
               WHERE name='stock_a';
             PRAGMA writable_schema=OFF;",
        )
        .unwrap();
    }
    assert_eq!(pragma(&db, "PRAGMA quick_check"), "ok");
    assert_ne!(pragma(&db, "PRAGMA integrity_check"), "ok");

    let err = restore_fails(&home, t.path());
    let msg = err.to_string();
    assert!(
        msg.contains("clinical.db") && msg.contains("stock_a"),
        "{msg}"
    );
}

#[test]
fn a_page_no_table_uses_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let db = home.join("data/sync.db");
    // One more page at the end of the file, counted in the header's page
    // count (bytes 28-31), that no b-tree and no freelist holds.
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(
        !home.join("data/sync.db-wal").exists() || {
            std::fs::metadata(home.join("data/sync.db-wal"))
                .unwrap()
                .len()
                == 0
        }
    );
    let page = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    let pages = (bytes.len() / page) as u32 + 1;
    bytes.resize(bytes.len() + page, 0);
    bytes[28..32].copy_from_slice(&pages.to_be_bytes());
    std::fs::write(&db, &bytes).unwrap();
    for table in ["outbox", "sync_log"] {
        assert_eq!(
            pragma(&db, &format!("PRAGMA integrity_check({table})")),
            "ok"
        );
    }
    assert_ne!(pragma(&db, "PRAGMA quick_check"), "ok");

    let err = restore_fails(&home, t.path());
    let msg = err.to_string();
    assert!(
        msg.contains("sync.db") && msg.contains("never used"),
        "{msg}"
    );
}

#[test]
fn a_refused_database_leaves_the_data_in_place_untouched() {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let db = home.join("data/clinical.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE stock(a TEXT, b TEXT); CREATE INDEX stock_a ON stock(a);
             INSERT INTO stock VALUES ('x1', 'y1'), ('x2', 'y2');
             PRAGMA writable_schema=ON;
             UPDATE sqlite_schema SET sql='CREATE INDEX stock_a ON stock(b)'
               WHERE name='stock_a';
             PRAGMA writable_schema=OFF;",
        )
        .unwrap();
    }
    let out = make_backup(&home, &t.path().join("out"), None);
    // Restore over the live home: it must stay exactly as it was.
    let before = tree(&home.join("data"));
    let err = restore_into(&home, &out.path, None, false).unwrap_err();
    assert_eq!(err.kind(), Kind::CheckFailed, "{err}");
    assert_eq!(tree(&home.join("data")), before);
    assert!(
        !home.join("safety-copies").exists() || {
            std::fs::read_dir(home.join("safety-copies"))
                .unwrap()
                .count()
                == 0
        }
    );
}
