//! Verifying a backup: every byte read, every check applied, nothing written.

use crate::archive::keys::Unlock;
use crate::archive::reader::{Discard, Opened};
use crate::audit::{self, Event, Outcome};
use crate::auth::{Permit, View};
use crate::format::manifest::AppSettings;
use crate::format::metadata::Metadata;
use crate::{Progress, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The result of a successful verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The file verified.
    pub path: PathBuf,
    /// Its readable metadata (checked against the sealed copy).
    pub metadata: Metadata,
    /// File size.
    pub size: u64,
    /// Data entries checked.
    pub entries: usize,
    /// Bytes of clinic data checked.
    pub data_bytes: u64,
    /// Rows of the key tables recorded in the manifest.
    pub rows: BTreeMap<String, u64>,
    /// Realm and endpoint recorded in the manifest.
    pub settings: AppSettings,
}

/// Reads and checks the whole backup at `path`; audited, and the result is
/// remembered for `show`.
pub fn verify(
    permit: &Permit<View>,
    path: &Path,
    unlock: Option<&Unlock>,
    max_log_n: u8,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let home = permit.home();
    crate::restore::recover_if_idle(home);
    let result = verify_file(path, unlock, max_log_n, progress);
    let id = crate::catalog::id_of(path);
    let event = match &result {
        Ok(_) => Event::new(permit.user(), "verify", Outcome::Success),
        Err(e) => Event::new(permit.user(), "verify", Outcome::Failure).reason(e.message()),
    };
    let event = match &id {
        Some(id) => event.backup(id),
        None => event,
    };
    audit::append(home, &event)?;
    if let Some(id) = id {
        crate::catalog::remember_verification(home, &id, &result)?;
    }
    result
}

/// Reads and checks the whole backup at `path` (no permission, no audit:
/// for tests and tools that hold the file itself).
pub fn verify_file(
    path: &Path,
    unlock: Option<&Unlock>,
    max_log_n: u8,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let mut opened = Opened::open(path)?;
    let key = opened.unlock(unlock, max_log_n)?;
    let (manifest, copy) = opened.manifest(key.as_ref())?;
    opened.stream(key.as_ref(), &manifest, &copy, &mut Discard, progress)?;
    Ok(VerifyReport {
        path: path.to_path_buf(),
        metadata: opened.metadata.clone(),
        size: opened.file_len,
        entries: manifest.entries.len(),
        data_bytes: manifest.total_size(),
        rows: crate::backup::key_rows(&manifest),
        settings: manifest.settings.clone(),
    })
}
