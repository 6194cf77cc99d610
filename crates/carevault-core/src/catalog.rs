//! Finding backups in folders: listing (readable metadata only, no
//! passphrase, no full read), looking one up by ID or label, deleting.

use crate::archive::reader::Opened;
use crate::error::{Error, Kind, Result};
use crate::format::metadata::Metadata;
use crate::fsutil::{self, TEMP_PREFIX};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One file in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// The file.
    pub path: PathBuf,
    /// File size in bytes.
    pub size: u64,
    /// `ok`, or `damaged` when its container or metadata cannot be read.
    pub status: String,
    /// Its readable metadata (absent when damaged).
    pub metadata: Option<Metadata>,
    /// Why it is listed as damaged.
    pub problem: Option<String>,
}

fn is_candidate(name: &str) -> bool {
    !name.starts_with(TEMP_PREFIX)
        && !name.starts_with('.')
        && name.to_ascii_lowercase().ends_with(".bin")
}

/// Lists the backups in `dirs` (missing folders are skipped), newest first.
pub fn list(dirs: &[PathBuf]) -> Vec<Listed> {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for de in rd.flatten() {
            let name = de.file_name().to_string_lossy().into_owned();
            if !is_candidate(&name) || !de.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = de.path();
            let size = de.metadata().map(|m| m.len()).unwrap_or(0);
            match Opened::open(&path) {
                Ok(o) => out.push(Listed {
                    path,
                    size,
                    status: "ok".into(),
                    metadata: Some(o.metadata),
                    problem: None,
                }),
                Err(e) if e.kind() == Kind::NotABackup => {}
                Err(e) => out.push(Listed {
                    path,
                    size,
                    status: "damaged".into(),
                    metadata: None,
                    problem: Some(e.message().to_string()),
                }),
            }
        }
    }
    out.sort_by(|a, b| {
        let ka = a.metadata.as_ref().map(|m| m.sealed.created_at.clone());
        let kb = b.metadata.as_ref().map(|m| m.sealed.created_at.clone());
        kb.cmp(&ka).then_with(|| a.path.cmp(&b.path))
    });
    out
}

/// Finds a backup by file path, ID, ID prefix or label.
pub fn find(dirs: &[PathBuf], what: &str) -> Result<PathBuf> {
    let as_path = Path::new(what);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let listed = list(dirs);
    let exact: Vec<_> = listed
        .iter()
        .filter(|l| {
            l.metadata
                .as_ref()
                .is_some_and(|m| m.sealed.id == what || m.sealed.label == what)
        })
        .collect();
    let hits = if exact.is_empty() {
        listed
            .iter()
            .filter(|l| {
                l.metadata
                    .as_ref()
                    .is_some_and(|m| m.sealed.id.starts_with(what))
                    || l.path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy() == what)
            })
            .collect()
    } else {
        exact
    };
    match hits.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => Err(Error::new(
            Kind::NotFound,
            format!("no backup with ID or label {what:?} was found"),
            "run `carevault list` to see the backups and their IDs",
        )),
        many => Err(Error::new(
            Kind::Usage,
            format!("{} backups match {what:?}", many.len()),
            "give the full ID shown by `carevault list`",
        )),
    }
}

/// Deletes a backup file (after checking it is one), durably.
pub fn delete(home: &Path, path: &Path) -> Result<Listed> {
    let _op = crate::hostlock::HostLock::Operation
        .try_exclusive(home)
        .map_err(|e| Error::io("taking the operation lock", home, e))?
        .ok_or_else(crate::backup::busy_error)?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let (metadata, status) = match Opened::open(path) {
        Ok(o) => (Some(o.metadata), "deleted"),
        Err(e) if e.kind() == Kind::NotABackup || e.kind() == Kind::NotFound => return Err(e),
        Err(_) => (None, "deleted (was damaged)"),
    };
    std::fs::remove_file(path).map_err(|e| Error::io("deleting the backup", path, e))?;
    fsutil::sync_dir(path.parent().unwrap_or(Path::new(".")))?;
    Ok(Listed {
        path: path.to_path_buf(),
        size,
        status: status.into(),
        metadata,
        problem: None,
    })
}
