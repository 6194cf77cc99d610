//! What a restore would replace, shown before it starts (the web app's
//! confirmation): when the backup was made and by whom, how many patients
//! the tablet holds now and how many the backup holds, and how many outbox
//! records not yet synchronized the restore would lose.
//!
//! Opening the manifest needs the backup's key, so a preview also proves
//! that the passphrase or recovery key is right before the restore starts.

use crate::archive::keys::Unlock;
use crate::archive::reader::Opened;
use crate::auth::{Permit, Restore};
use crate::error::Result;
use crate::restore::changes::unsynced_outbox;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What a restore of one backup would replace.
#[derive(Debug, Clone, Serialize)]
pub struct RestorePreview {
    /// The backup's ID.
    pub id: String,
    /// Its label.
    pub label: String,
    /// When it was made (UTC, RFC 3339).
    pub created_at: crate::format::metadata::CreatedAt,
    /// Who made it.
    pub created_by: String,
    /// Whether there is clinic data now that the restore would replace
    /// (kept as a safety copy).
    pub replaces_data: bool,
    /// Patients in the clinic data now (absent without clinic data, or
    /// when no database has a `patients` table).
    pub patients_now: Option<u64>,
    /// Patients in the backup (from its manifest).
    pub patients_in_backup: Option<u64>,
    /// Outbox records of the current data not yet synchronized, which the
    /// restore would lose (absent without an outbox).
    pub unsynced_outbox: Option<u64>,
    /// Rows per key table in the backup.
    pub rows: BTreeMap<String, u64>,
}

/// Rows of `table` in the SQLite databases directly under `data_dir`
/// (read-only; a database without that table counts nothing; `None` when
/// none has it).
pub fn live_rows(data_dir: &Path, table: &str) -> Option<u64> {
    let mut total = None;
    let rd = std::fs::read_dir(data_dir).ok()?;
    for e in rd.flatten() {
        let p = e.path();
        let is_db =
            e.file_type().is_ok_and(|t| t.is_file()) && p.extension().is_some_and(|x| x == "db");
        if !is_db {
            continue;
        }
        let Ok(c) = crate::restore::changes::open_live_read_only(&p) else {
            continue;
        };
        let has: rusqlite::Result<i64> = c.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        );
        if has.unwrap_or(0) == 0 {
            continue;
        }
        // The table name was just found in the schema: quoting it is enough.
        let q = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        if let Ok(n) = c.query_row(&q, [], |r| r.get::<_, i64>(0)) {
            *total.get_or_insert(0u64) += n.max(0) as u64;
        }
    }
    total
}

/// Opens `file` with `unlock`, reads its manifest and says what a restore
/// of it over the permit's home would replace. A wrong passphrase or key is
/// a `WrongKey` error, as the restore's would be.
pub fn restore_preview(
    permit: &Permit<Restore>,
    file: &Path,
    unlock: Option<&Unlock>,
    max_log_n: u8,
) -> Result<RestorePreview> {
    let home = permit.home();
    let mut opened = Opened::open(file)?;
    let key = opened.unlock(unlock, max_log_n)?;
    let (manifest, _) = opened.manifest(key.as_ref())?;
    let s = &opened.metadata.sealed;
    let replaces = !crate::auth::is_first_run(home);
    let data = crate::layout::data_dir(home);
    Ok(RestorePreview {
        id: s.id.clone(),
        label: s.label.clone(),
        created_at: s.created_at.clone(),
        created_by: s.created_by.clone(),
        replaces_data: replaces,
        patients_now: if replaces {
            live_rows(&data, crate::clinic_app::current().patients_table())
        } else {
            None
        },
        patients_in_backup: manifest.rows(crate::clinic_app::current().patients_table()),
        unsynced_outbox: if replaces {
            unsynced_outbox(&data)
        } else {
            None
        },
        rows: crate::backup::key_rows(&manifest),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn live_rows_counts_a_table_across_databases_and_ignores_others() {
        let t = tempfile::tempdir().unwrap();
        let a = Connection::open(t.path().join("a.db")).unwrap();
        a.execute_batch(
            "CREATE TABLE patients (id INTEGER); INSERT INTO patients VALUES (1), (2);",
        )
        .unwrap();
        let b = Connection::open(t.path().join("b.db")).unwrap();
        b.execute_batch("CREATE TABLE visits (id INTEGER); INSERT INTO visits VALUES (1);")
            .unwrap();
        std::fs::write(t.path().join("notes.txt"), "not a database").unwrap();
        assert_eq!(live_rows(t.path(), "patients"), Some(2));
        assert_eq!(live_rows(t.path(), "visits"), Some(1));
        assert_eq!(live_rows(t.path(), "outbox"), None);
        assert_eq!(live_rows(&t.path().join("missing"), "patients"), None);
    }
}
