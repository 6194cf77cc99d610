//! What carevault knows of the clinic app whose data it keeps: the tables
//! whose row counts reports show and restore checks, the table of
//! patients, and the app's synchronization queue. Everything else about
//! the data is generic (every SQLite database below `data/` is copied
//! through the SQLite backup API and checked; every other file is copied
//! as bytes).
//!
//! The app the user guide describes is [`GuideApp`], the default. A host
//! that embeds carevault for another app implements [`ClinicApp`] and
//! [`install`]s it once at start, before any backup or restore
//! (docs/EMBEDDING.md shows a whole example, `tests/embedding.rs`).
//!
//! One app per process, set once, rather than a parameter threaded through
//! every operation: a tablet runs one clinic app, and a second one
//! installed later would make the same backup read differently.

use serde::Serialize;
use std::path::Path;
use std::sync::OnceLock;

/// A table whose rows reports count and restore checks against the
/// backup's manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTable {
    /// The SQL table name (row counts are summed over every database that
    /// has it).
    pub table: &'static str,
    /// How reports name it (English; see [`KeyTable::label_text`]).
    pub label: &'static str,
}

impl KeyTable {
    /// How reports name it, in the reader's language: the guide app's
    /// tables have messages; another app's label is shown as it gave it.
    pub fn label_text(&self) -> crate::i18n::Text {
        use crate::i18n::t;
        match (self.table, self.label) {
            ("patients", "patients") => t!("core-table-patients"),
            ("visits", "visits") => t!("core-table-visits"),
            ("immunizations", "immunizations") => t!("core-table-immunizations"),
            ("outbox", "outbox") => t!("core-table-outbox"),
            ("sync_log", "sync log") => t!("core-table-sync-log"),
            (_, label) => t!("core-table-other", label = label),
        }
    }
}

/// One synchronization run of the app, as its sync log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRun {
    /// When it started, as the app wrote it.
    pub started_at: Option<String>,
    /// When it ended.
    pub ended_at: Option<String>,
    /// Records sent.
    pub pushed: Option<i64>,
    /// Records received.
    pub pulled: Option<i64>,
    /// The app's own word for the outcome.
    pub status: Option<String>,
}

/// What the app's synchronization queue says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    /// Records not yet synchronized (a restore loses them).
    pub pending: u64,
    /// The last runs, newest first (at most 10).
    pub recent: Vec<SyncRun>,
}

/// The clinic app whose data carevault backs up.
pub trait ClinicApp: Send + Sync {
    /// The tables reports count and restore checks, in report order.
    fn key_tables(&self) -> &[KeyTable];
    /// The table of patients ("patients now / in the backup").
    fn patients_table(&self) -> &str;
    /// Records of the live data under `data_dir` not yet synchronized;
    /// `None` when the app keeps no queue there or it cannot be read.
    fn unsynced_records(&self, data_dir: &Path) -> Option<u64>;
    /// The queue and the recent runs; `None` when the data has no queue,
    /// `Some(Err(why))` when it exists and cannot be read.
    fn sync_summary(&self, data_dir: &Path) -> Option<Result<SyncSummary, String>>;
}

/// The app the user guide describes: `data/clinical.db` (patients, visits,
/// immunizations) and `data/sync.db` (`outbox` with a `status` of
/// `pending` or `sent`, and `sync_log`).
#[derive(Debug, Clone, Copy, Default)]
pub struct GuideApp;

const GUIDE_TABLES: [KeyTable; 5] = [
    KeyTable {
        table: "patients",
        label: "patients",
    },
    KeyTable {
        table: "visits",
        label: "visits",
    },
    KeyTable {
        table: "immunizations",
        label: "immunizations",
    },
    KeyTable {
        table: "outbox",
        label: "outbox",
    },
    KeyTable {
        table: "sync_log",
        label: "sync log",
    },
];

impl GuideApp {
    fn sync_db(data_dir: &Path) -> std::path::PathBuf {
        data_dir.join("sync.db")
    }

    fn pending(c: &rusqlite::Connection) -> rusqlite::Result<u64> {
        if !crate::untrusted_db::is_table(c, "outbox")? {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                Some(crate::i18n::t!("core-no-outbox-table").text()),
            ));
        }
        c.query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as u64)
    }

    fn read_summary(path: &Path) -> rusqlite::Result<SyncSummary> {
        // Read only, but not `immutable`: the app may be writing it now.
        let c = crate::untrusted_db::open(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(2))?;
        let pending = Self::pending(&c)?;
        if !crate::untrusted_db::is_table(&c, "sync_log")? {
            return Ok(SyncSummary {
                pending,
                recent: vec![],
            });
        }
        // Texts cut to 200 characters: a row of this data could be huge.
        let mut st = c.prepare(
            "SELECT substr(started_at, 1, 200), substr(ended_at, 1, 200), pushed, pulled, \
             substr(status, 1, 200) FROM sync_log ORDER BY id DESC LIMIT 10",
        )?;
        let recent = st
            .query_map([], |r| {
                Ok(SyncRun {
                    started_at: r.get(0)?,
                    ended_at: r.get(1)?,
                    pushed: r.get(2)?,
                    pulled: r.get(3)?,
                    status: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(SyncSummary { pending, recent })
    }
}

impl ClinicApp for GuideApp {
    fn key_tables(&self) -> &[KeyTable] {
        &GUIDE_TABLES
    }

    fn patients_table(&self) -> &str {
        "patients"
    }

    fn unsynced_records(&self, data_dir: &Path) -> Option<u64> {
        let path = Self::sync_db(data_dir);
        if !path.is_file() {
            return None;
        }
        let c = crate::restore::changes::open_live_read_only(&path).ok()?;
        Self::pending(&c).ok()
    }

    fn sync_summary(&self, data_dir: &Path) -> Option<Result<SyncSummary, String>> {
        let path = Self::sync_db(data_dir);
        if !path.is_file() {
            return None;
        }
        Some(Self::read_summary(&path).map_err(|e| e.to_string()))
    }
}

static APP: OnceLock<Box<dyn ClinicApp>> = OnceLock::new();

/// Makes `app` the clinic app of this process. Call it once at start,
/// before any operation; it fails (giving `app` back) once an app is
/// installed or the default was already used.
pub fn install(app: Box<dyn ClinicApp>) -> Result<(), Box<dyn ClinicApp>> {
    APP.set(app)
}

/// The clinic app of this process: the one [`install`]ed, else
/// [`GuideApp`].
pub fn current() -> &'static dyn ClinicApp {
    APP.get_or_init(|| Box::new(GuideApp)).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_app_reads_its_sync_queue_and_its_absence() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(GuideApp.unsynced_records(t.path()), None);
        assert!(GuideApp.sync_summary(t.path()).is_none());
        let c = rusqlite::Connection::open(t.path().join("sync.db")).unwrap();
        c.execute_batch(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY, status TEXT);
             INSERT INTO outbox (status) VALUES ('pending'), ('sent'), ('pending');
             CREATE TABLE sync_log (id INTEGER PRIMARY KEY, started_at TEXT, ended_at TEXT,
                                    pushed INTEGER, pulled INTEGER, status TEXT);
             INSERT INTO sync_log (started_at, status) VALUES ('a', 'ok'), ('b', 'failed');",
        )
        .unwrap();
        drop(c);
        assert_eq!(GuideApp.unsynced_records(t.path()), Some(2));
        let s = GuideApp.sync_summary(t.path()).unwrap().unwrap();
        assert_eq!(s.pending, 2);
        let started: Vec<_> = s.recent.iter().map(|r| r.started_at.clone()).collect();
        assert_eq!(started, [Some("b".to_string()), Some("a".to_string())]);
    }

    #[test]
    fn a_sync_queue_that_is_a_view_is_not_run() {
        let t = tempfile::tempdir().unwrap();
        let c = rusqlite::Connection::open(t.path().join("sync.db")).unwrap();
        // A view that would count forever if it were ever read.
        c.execute_batch(
            "CREATE VIEW outbox AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
             SELECT i AS id, 'pending' AS status FROM n;",
        )
        .unwrap();
        drop(c);
        assert_eq!(GuideApp.unsynced_records(t.path()), None);
        assert!(matches!(GuideApp.sync_summary(t.path()), Some(Err(_))));
    }

    #[test]
    fn an_unreadable_sync_queue_is_an_error_not_an_empty_queue() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("sync.db"), b"not a database at all, truly").unwrap();
        assert!(matches!(GuideApp.sync_summary(t.path()), Some(Err(_))));
        assert_eq!(GuideApp.unsynced_records(t.path()), None);
    }
}
