//! Checks on restored data: database integrity, rows against the manifest,
//! and the restore report's figures.

use crate::appconfig::AppConfig;
use crate::error::{Error, Kind, Result};
use crate::format::manifest::Manifest;
use crate::i18n::{t, Text};
use crate::restore::dbcheck::DbResult;
use crate::snapshot::count_rows;
use rusqlite::OpenFlags;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One line of a restore report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// What was checked, in English (`--json` and API `name`).
    pub name: String,
    /// What was checked, for a person in their language.
    #[serde(skip)]
    pub title: Text,
    /// What the manifest says.
    pub expected: String,
    /// What the restored data holds.
    pub actual: String,
    /// Whether they agree.
    pub ok: bool,
}

/// An SQLite error while checking staged data: a full disk or an I/O
/// failure is said as such (with its own kind), not blamed on the backup.
fn sql_failed(err: rusqlite::Error, what: Text) -> Error {
    use rusqlite::ErrorCode;
    match err.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => Error::new(
            Kind::NoSpace,
            t!("ops-check-disk-full", what = what),
            t!("ops-check-disk-full-advice"),
        ),
        Some(ErrorCode::SystemIoFailure)
        | Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::ReadOnly) => Error::new(
            Kind::Io,
            t!("ops-check-io", what = what, err = err.to_string()),
            t!("ops-check-io-advice"),
        ),
        _ => failed(t!(
            "ops-check-sql-failed",
            what = what,
            err = err.to_string()
        )),
    }
}

fn failed(what: Text) -> Error {
    Error::new(
        Kind::CheckFailed,
        t!("ops-check-failed", what = what),
        t!("ops-check-failed-advice"),
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
    for e in manifest.entries.iter().filter(|e| e.kind.is_database()) {
        let r = results.remove(&e.path).unwrap_or_default();
        if let Some((err, what)) = r.error {
            return Err(sql_failed(err, what));
        }
        if let Some(problem) = r.problem {
            return Err(failed(t!(
                "ops-check-integrity-says",
                path = &e.path,
                problem = problem
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
            return Err(failed(t!("ops-check-not-carevault-form", path = &e.path)));
        }
        let listed: Vec<&String> = e.row_counts.keys().collect();
        let found: Option<Vec<&String>> = r.tables.as_ref().map(|t| t.iter().collect());
        if found.as_ref() != Some(&listed) || r.rows != e.row_counts {
            return Err(failed(t!("ops-check-row-counts-differ", path = &e.path)));
        }
        if let Some(mode) = e.journal_mode.as_deref().filter(|m| *m == "wal") {
            let path = root.join(&e.path);
            let conn = crate::untrusted_db::open(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
                .map_err(|err| sql_failed(err, t!("ops-check-db-cannot-open", path = &e.path)))?;
            conn.query_row(&format!("PRAGMA journal_mode={mode}"), [], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|err| sql_failed(err, t!("ops-check-journal-mode-not-set", path = &e.path)))?;
        }
        out.push(Check {
            name: format!("integrity of {}", e.path),
            title: t!("ops-check-name-integrity", path = &e.path),
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
    // Each difference, joined with "; " (as a message, so that the list is
    // rendered in the reader's language).
    let diffs = report
        .iter()
        .filter(|c| !c.ok)
        .map(|c| {
            t!(
                "ops-check-difference",
                name = &c.title,
                expected = &c.expected,
                actual = &c.actual
            )
        })
        .reduce(|list, next| t!("ops-check-difference-list", list = list, next = next));
    let Some(diffs) = diffs else {
        return Ok(());
    };
    Err(Error::new(
        Kind::CheckFailed,
        t!("ops-check-differs-from-manifest", diffs = diffs),
        t!("ops-check-failed-advice"),
    ))
}

/// The report lines: key tables and settings of the data under `root`
/// (the staged data, just before it goes live) against the manifest.
pub fn report(home: &Path, manifest: &Manifest) -> Result<Vec<Check>> {
    let data = crate::layout::data_dir(home);
    let mut actual: std::collections::BTreeMap<String, u64> = Default::default();
    for e in manifest.entries.iter().filter(|e| e.kind.is_database()) {
        let path = home.join(&e.path);
        let conn =
            crate::untrusted_db::open(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|err| {
                failed(t!(
                    "ops-check-cannot-open-for-checks",
                    path = &e.path,
                    err = err.to_string()
                ))
            })?;
        for (t, n) in count_rows(&conn)
            .map_err(|err| sql_failed(err, t!("ops-check-path", path = &e.path)))?
        {
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
            // The clinic app's own name for the table.
            title: t!("ops-check-name-table", label = label),
            expected: expected.map_or("-".into(), |n| n.to_string()),
            actual: got.map_or("-".into(), |n| n.to_string()),
            ok: expected == got,
        });
    }
    let cfg = AppConfig::read(&data)?;
    for (label, title, expected, got) in [
        (
            "realm",
            t!("ops-check-name-realm"),
            &manifest.settings.realm,
            &cfg.realm,
        ),
        (
            "sync endpoint",
            t!("ops-check-name-sync-endpoint"),
            &manifest.settings.sync_endpoint,
            &cfg.sync_endpoint,
        ),
    ] {
        out.push(Check {
            name: label.into(),
            title,
            expected: expected.clone(),
            actual: got.clone(),
            ok: expected == got,
        });
    }
    Ok(out)
}
