//! The demo app's database schema and how its connections are opened.
//!
//! Tables are created first and indexed after the bulk load (faster); the
//! indexes are those a real app would have: by uuid, by patient, and by
//! writer transaction id.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::DemoError;

pub(crate) const CLINICAL_DB: &str = "clinical.db";
pub(crate) const SYNC_DB: &str = "sync.db";
pub(crate) const USERS_DB: &str = "users.db";
pub(crate) const ALL_DBS: [&str; 3] = [CLINICAL_DB, SYNC_DB, USERS_DB];

/// `PRAGMA user_version` of the demo schema.
pub(crate) const SCHEMA_VERSION: i64 = 1;

pub(crate) const CLINICAL_TABLES: &str = "
CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    date_of_birth TEXT NOT NULL,
    village TEXT NOT NULL,
    phone TEXT,
    guardian_name TEXT,
    national_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    patient_uuid TEXT NOT NULL REFERENCES patients(uuid),
    visit_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    weight_kg REAL,
    height_cm REAL,
    temperature_c REAL,
    notes TEXT,
    recorded_by TEXT NOT NULL,
    writer_txn TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE immunization_sessions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    session_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('static', 'outreach')),
    location TEXT NOT NULL,
    vaccinator TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE immunizations (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    patient_uuid TEXT NOT NULL REFERENCES patients(uuid),
    vaccine TEXT NOT NULL,
    dose_number INTEGER NOT NULL,
    given_on TEXT NOT NULL,
    lot_number TEXT NOT NULL,
    session_uuid TEXT REFERENCES immunization_sessions(uuid),
    visit_uuid TEXT REFERENCES visits(uuid),
    recorded_by TEXT NOT NULL,
    writer_txn TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE stock (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    item TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('vaccine', 'supply')),
    lot_number TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    unit TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_writer_txn TEXT
);
";

pub(crate) const CLINICAL_INDEXES: &str = "
CREATE UNIQUE INDEX patients_uuid ON patients(uuid);
CREATE INDEX patients_name ON patients(family_name, given_name);
CREATE UNIQUE INDEX visits_uuid ON visits(uuid);
CREATE INDEX visits_patient ON visits(patient_uuid, visit_date);
CREATE INDEX visits_writer_txn ON visits(writer_txn) WHERE writer_txn IS NOT NULL;
CREATE UNIQUE INDEX immunization_sessions_uuid ON immunization_sessions(uuid);
CREATE UNIQUE INDEX immunizations_uuid ON immunizations(uuid);
CREATE INDEX immunizations_patient ON immunizations(patient_uuid, vaccine);
CREATE INDEX immunizations_writer_txn ON immunizations(writer_txn) WHERE writer_txn IS NOT NULL;
CREATE UNIQUE INDEX stock_uuid ON stock(uuid);
CREATE INDEX stock_item ON stock(item, quantity);
";

/// `status` is 'pending' until a sync pushes the entry, then 'sent' (a sync
/// marks entries, it never deletes those of writer transactions: that is
/// what lets [`super::check_consistency`] see whole transactions).
pub(crate) const SYNC_SCHEMA: &str = "
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('patient', 'visit', 'immunization', 'stock')),
    entity_uuid TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    payload TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE TABLE sync_log (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    pushed INTEGER NOT NULL DEFAULT 0,
    pulled INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'partial')),
    error TEXT
);
";

pub(crate) const SYNC_INDEXES: &str = "
CREATE INDEX outbox_txn ON outbox(txn_id);
CREATE INDEX outbox_entity ON outbox(entity, entity_uuid);
CREATE INDEX outbox_pending ON outbox(status, id);
CREATE INDEX sync_log_started ON sync_log(started_at);
";

pub(crate) const USERS_SCHEMA: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
";

/// A new database for a bulk load: no journal, no fsync (the whole load is
/// thrown away on failure), a large page cache, foreign keys unchecked (the
/// unique indexes they need come after the load). [`finish_bulk`] makes it
/// a normal WAL database.
pub(crate) fn create_bulk(path: &Path) -> Result<Connection, DemoError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-create-the-database"),
        path,
    ))?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536; \
         PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;",
    )
    .map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-set-up-the-bulk-load"),
        path,
    ))?;
    Ok(conn)
}

/// Ends a bulk load: records the schema version, switches to WAL, closes,
/// and fsyncs the file (the load ran with `synchronous = OFF`).
pub(crate) fn finish_bulk(conn: Connection, path: &Path) -> Result<(), DemoError> {
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-set-the-schema-version"),
            path,
        ))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-switch-to-wal-mode"),
            path,
        ))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DemoError::Sqlite {
            action: Box::new(carevault_i18n::t!("cli-demo-doing-switch-to-wal-mode")),
            path: path.to_path_buf(),
            source: rusqlite::Error::InvalidQuery,
        });
    }
    conn.close().map_err(|(_, e)| {
        DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-close-the-database"),
            path,
        )(e)
    })?;
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(DemoError::io(
            carevault_i18n::t!("cli-demo-doing-fsync"),
            path,
        ))
}

/// A connection of the app writer: existing database only (a missing file
/// is an error, never a new empty database), WAL, bounded WAL size, a busy
/// timeout so a backup's brief lock does not fail the write.
pub(crate) fn open_app(path: &Path) -> Result<Connection, rusqlite::Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 8388608;")?;
    Ok(conn)
}

/// A read-only connection to `path`, with `attach` (name, path) databases
/// attached read-only too (so one query can join them).
pub(crate) fn open_read_only(
    path: &Path,
    attach: &[(&str, PathBuf)],
) -> Result<Connection, DemoError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(DemoError::sql(
        carevault_i18n::t!("cli-demo-doing-open-read-only"),
        path,
    ))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-set-the-busy-timeout"),
            path,
        ))?;
    for (name, other) in attach {
        conn.execute(
            &format!("ATTACH DATABASE ?1 AS {name}"),
            [file_uri_ro(other)],
        )
        .map_err(DemoError::sql(
            carevault_i18n::t!("cli-demo-doing-attach-read-only"),
            other,
        ))?;
    }
    Ok(conn)
}

/// `file:` URI opening `path` read-only (percent-encoding what a URI needs).
fn file_uri_ro(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(*b))
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?mode=ro");
    uri
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_escapes() {
        let uri = super::file_uri_ro(std::path::Path::new("/tmp/a b?#%/c.db"));
        assert_eq!(uri, "file:/tmp/a%20b%3F%23%25/c.db?mode=ro");
    }
}
