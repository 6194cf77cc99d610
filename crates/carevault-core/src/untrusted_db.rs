//! Opening a database that came from a backup (staged data, a safety
//! copy, restored data): anyone could have written its schema. Every
//! connection carevault opens on clinic data to check or read it goes
//! through [`open`], which turns SQLite's own defences on before the
//! first statement:
//! - `SQLITE_DBCONFIG_TRUSTED_SCHEMA` off: views, triggers and indexes
//!   in the file's schema may not call functions or virtual tables that
//!   are not marked harmless, so reading a table cannot run code the
//!   file's author put there;
//! - `SQLITE_DBCONFIG_DEFENSIVE` on: no statement can corrupt the file
//!   through `writable_schema` or the shadow tables.

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Opens `path` (a path, or a `file:` URI with `SQLITE_OPEN_URI`) with
/// `flags`, hardened as the module says.
pub fn open<P: AsRef<Path>>(path: P, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(path, flags)?;
    c.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    c.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    Ok(c)
}

/// What `name` is in the schema of `c`: `Some("table")`, `Some("view")`,
/// ... or `None`. Read a name only once it is known to be a table: a view
/// in a hostile file could be made to compute forever.
pub fn kind_of(c: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    c.query_row(
        "SELECT type FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view') LIMIT 1",
        [name],
        |r| r.get(0),
    )
    .optional()
}

/// Whether `name` is a table of `c`.
pub fn is_table(c: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(kind_of(c, name)?.as_deref() == Some("table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_a_backup_is_opened_with_an_untrusted_schema_and_defensive() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("a.db");
        Connection::open(&p)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); CREATE VIEW v AS SELECT x FROM t;")
            .unwrap();
        let c = open(&p, OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap();
        let trusted: i64 = c
            .query_row("PRAGMA trusted_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(trusted, 0);
        assert!(!c
            .db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA)
            .unwrap());
        assert!(c.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE).unwrap());
        // Defensive: the schema cannot be rewritten by hand.
        let e = c.execute_batch(
            "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'x' WHERE name = 'v';",
        );
        assert!(e.is_err(), "the schema was writable");
        // Ordinary reads still work.
        let n: i64 = c
            .query_row("SELECT count(*) FROM v", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
