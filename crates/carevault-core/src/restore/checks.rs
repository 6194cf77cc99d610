//! Checks on restored data: database integrity, rows against the manifest,
//! and the restore report's figures.

use crate::appconfig::AppConfig;
use crate::error::{Error, Kind, Result};
use crate::format::manifest::Manifest;
use crate::restore::dbcheck::DbResult;
use crate::snapshot::count_rows;
use rusqlite::OpenFlags;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One line of a restore report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// What the manifest says.
    pub expected: String,
    /// What the restored data holds.
    pub actual: String,
    /// Whether they agree.
    pub ok: bool,
}

/// An SQLite error while checking staged data: a full disk or an I/O
/// failure is said as such (with its own kind), not blamed on the backup.
fn sql_failed(err: rusqlite::Error, what: String) -> Error {
    use rusqlite::ErrorCode;
    match err.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => Error::new(
            Kind::NoSpace,
            format!("the disk is full while checking the restored data ({what}); nothing was changed"),
            "free space on the app home's storage and run the restore again",
        ),
        Some(ErrorCode::SystemIoFailure) | Some(ErrorCode::CannotOpen) | Some(ErrorCode::ReadOnly) => Error::new(
            Kind::Io,
            format!("the system could not complete checking the restored data ({what}: {err}); nothing was changed"),
            "check that the storage is present and writable, then run the restore again",
        ),
        _ => failed(format!("{what} ({err})")),
    }
}

fn failed(what: String) -> Error {
    Error::new(
        Kind::CheckFailed,
        format!("the restored data failed its checks: {what}; nothing was changed"),
        "use another backup; keep this file for investigation",
    )
}

/// Judges the checks the worker threads made of every staged database
/// (see `dbcheck`: together those of `PRAGMA integrity_check`) and the rows
/// per table against the manifest; then puts each database back into its
/// original journal mode. Any failure aborts.
pub fn check_staged(
    root: &Path,
    manifest: &Manifest,
    mut results: BTreeMap<String, DbResult>,
) -> Result<Vec<Check>> {
    let mut out = Vec::new();
    for e in manifest.entries.iter().filter(|e| e.kind == "sqlite") {
        let r = results.remove(&e.path).unwrap_or_default();
        if let Some((err, what)) = r.error {
            return Err(sql_failed(err, what));
        }
        if let Some(problem) = r.problem {
            return Err(failed(format!(
                "{} integrity_check says: {problem}",
                e.path
            )));
        }
        // The form carevault writes (FORMAT.md): a complete database with
        // no WAL of its own, bytes 18 and 19 of its header set to 1.
        let staged = root.join(&e.path);
        let mut head = [0u8; 20];
        let form_ok = std::fs::File::open(&staged)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|_| head[18] == 1 && head[19] == 1);
        if !form_ok {
            return Err(failed(format!(
                "{} is not stored as carevault stores databases (rollback-journal mode, bytes 18 and 19 of its header set to 1)",
                e.path
            )));
        }
        let listed: Vec<&String> = e.row_counts.keys().collect();
        let found: Option<Vec<&String>> = r.tables.as_ref().map(|t| t.iter().collect());
        if found.as_ref() != Some(&listed) || r.rows != e.row_counts {
            return Err(failed(format!(
                "{} row counts differ from the manifest",
                e.path
            )));
        }
        if let Some(mode) = e.journal_mode.as_deref().filter(|m| *m == "wal") {
            let path = root.join(&e.path);
            let conn = crate::untrusted_db::open(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
                .map_err(|err| sql_failed(err, format!("{} cannot be opened", e.path)))?;
            conn.query_row(&format!("PRAGMA journal_mode={mode}"), [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|err| sql_failed(err, format!("{} journal mode cannot be set", e.path)))?;
        }
        out.push(Check {
            name: format!("integrity of {}", e.path),
            expected: "ok".into(),
            actual: "ok".into(),
            ok: true,
        });
    }
    Ok(out)
}

/// Refuses a restore whose staged data differs from the manifest in any
/// line of the report (key tables, realm, endpoint), naming each one.
pub fn refuse_differences(report: &[Check]) -> Result<()> {
    let diffs: Vec<String> = report
        .iter()
        .filter(|c| !c.ok)
        .map(|c| {
            format!(
                "{}: the backup's manifest says {}, its data holds {}",
                c.name, c.expected, c.actual
            )
        })
        .collect();
    if diffs.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        Kind::CheckFailed,
        format!(
            "the backup's data differs from its own manifest ({}); nothing was changed",
            diffs.join("; ")
        ),
        "use another backup; keep this file for investigation",
    ))
}

/// The report lines: key tables and settings of the data under `root`
/// (the staged data, just before it goes live) against the manifest.
pub fn report(home: &Path, manifest: &Manifest) -> Result<Vec<Check>> {
    let data = crate::layout::data_dir(home);
    let mut actual: std::collections::BTreeMap<String, u64> = Default::default();
    for e in manifest.entries.iter().filter(|e| e.kind == "sqlite") {
        let path = home.join(&e.path);
        let conn =
            crate::untrusted_db::open(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|err| {
                failed(format!(
                    "{} cannot be opened for its checks ({err})",
                    e.path
                ))
            })?;
        for (t, n) in count_rows(&conn).map_err(|err| sql_failed(err, e.path.clone()))? {
            *actual.entry(t).or_default() += n;
        }
    }
    let mut out = Vec::new();
    for key in crate::clinic_app::current().key_tables() {
        let (label, table) = (key.label, key.table);
        let expected = manifest.rows(table);
        let got = actual.get(table).copied();
        out.push(Check {
            name: label.into(),
            expected: expected.map_or("-".into(), |n| n.to_string()),
            actual: got.map_or("-".into(), |n| n.to_string()),
            ok: expected == got,
        });
    }
    let cfg = AppConfig::read(&data)?;
    for (label, expected, got) in [
        ("realm", &manifest.settings.realm, &cfg.realm),
        (
            "sync endpoint",
            &manifest.settings.sync_endpoint,
            &cfg.sync_endpoint,
        ),
    ] {
        out.push(Check {
            name: label.into(),
            expected: expected.clone(),
            actual: got.clone(),
            ok: expected == got,
        });
    }
    Ok(out)
}
