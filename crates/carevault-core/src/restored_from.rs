//! Which backup the current clinic data was restored from: recorded in
//! `private/restored-from.json` (never replaced by a restore) after each
//! successful restore, removed when a safety copy is put back (the data is
//! then no longer that backup's). The Backup Explorer marks that backup.

use crate::i18n::t;
use crate::{fsutil, layout, Error, Kind, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredFrom {
    /// The backup's ID.
    pub id: String,
    /// Its label.
    pub label: String,
    /// When the backup was made (UTC, RFC 3339).
    pub created_at: String,
    /// When it was restored (UTC, RFC 3339).
    pub restored_at: String,
    /// Who restored it.
    pub restored_by: String,
}

/// The record's file.
pub fn path(home: &Path) -> PathBuf {
    layout::private_dir(home).join("restored-from.json")
}

/// Records `from` (atomically, durably).
pub fn record(home: &Path, from: &RestoredFrom) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(from)
        .map_err(|e| Error::internal(t!("ops-internal-recording-restored", err = e.to_string())))?;
    fsutil::write_private(&path(home), &bytes)
}

/// Records that `backup` was just restored by `user`.
pub fn record_restore(
    home: &Path,
    user: &str,
    backup: &crate::format::metadata::Sealed,
) -> Result<()> {
    record(
        home,
        &RestoredFrom {
            id: backup.id.clone(),
            label: backup.label.clone(),
            created_at: backup.created_at.to_string(),
            restored_at: jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            restored_by: user.to_string(),
        },
    )
}

/// Forgets the record (the data no longer comes from that backup).
pub fn clear(home: &Path) -> Result<()> {
    let p = path(home);
    match std::fs::remove_file(&p) {
        Ok(()) => fsutil::sync_dir(&layout::private_dir(home)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(t!("ops-doing-removing-restore-record"), &p, e)),
    }
}

/// The backup the current data was restored from; `None` when none was
/// recorded. A damaged record is an error (hostile input: never trusted).
pub fn current(home: &Path) -> Result<Option<RestoredFrom>> {
    let p = path(home);
    let Some(bytes) = fsutil::read_small(&p, 64 * 1024)
        .map_err(|e| Error::io(t!("ops-doing-reading-restore-record"), &p, e))?
    else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::new(
            Kind::Corrupted,
            t!("ops-restored-from-damaged", err = e.to_string()),
            t!("ops-restored-from-damaged-advice"),
        )
        .at(&p)
    })
}
