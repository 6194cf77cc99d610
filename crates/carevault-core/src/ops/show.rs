//! Reading one backup without restoring it: its header (checked), its
//! signature, and with its key a summary of what it holds.

use crate::archive::keys::BackupKey;
use crate::archive::reader::Opened;
use crate::auth::{Permit, View};
use crate::catalog::{self, Verification};
use crate::format::manifest::AppSettings;
use crate::format::metadata::Metadata;
use crate::profile::Profile;
use crate::provenance::{Signed, Trust};
use crate::{Result, Unlock};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A backup file whose container and readable metadata have been checked;
/// its contents stay locked until [`BackupFile::unlock`].
pub struct BackupFile(Opened);

/// The key of one backup, as [`BackupFile::unlock`] found it (`None`
/// inside for an unencrypted backup). Opaque: only its file reads it.
pub struct Unlocked(Option<BackupKey>);

/// What a backup holds, from its manifest: the web's `contents` and the
/// CLI's `show --contents` alike.
#[derive(Debug, Clone, Serialize)]
pub struct Contents {
    /// How many files.
    pub entries: usize,
    /// Bytes a restore writes.
    pub data_bytes: u64,
    /// Rows of the app's key tables.
    pub rows: BTreeMap<String, u64>,
    /// Realm and endpoint at backup time.
    pub settings: AppSettings,
}

/// What `show` reports about one backup.
#[derive(Debug, Clone, Serialize)]
pub struct ShowReport {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its readable metadata.
    pub metadata: Metadata,
    /// A summary of what it holds, when asked for (needs its key).
    pub contents: Option<Contents>,
    /// The last verification this tablet remembers.
    pub last_verification: Option<Verification>,
    /// The checked signature; `None`: unsigned (format 1.0).
    pub signed: Option<Signed>,
    /// Who signed it and whether this tablet trusts that key.
    pub trust: Trust,
}

impl BackupFile {
    /// Opens `path` and checks its container and readable metadata.
    pub fn open(path: &Path) -> Result<BackupFile> {
        Opened::open(path).map(BackupFile)
    }

    /// The readable metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.0.metadata
    }

    /// The checked signature; `None`: unsigned (format 1.0).
    pub fn signed(&self) -> Option<&Signed> {
        self.0.signed.as_ref()
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.0.file_len
    }

    /// Finds the backup's key with `how` (nothing for an unencrypted
    /// backup), scrypt capped at `max_log_n`.
    pub fn unlock(&self, how: Option<&Unlock>, max_log_n: u8) -> Result<Unlocked> {
        self.0.unlock(how, max_log_n).map(Unlocked)
    }

    /// Reads the manifest (checked against the metadata and the
    /// signature) and sums up what the backup holds.
    pub fn contents(&mut self, key: &Unlocked) -> Result<Contents> {
        let (m, _) = self.0.manifest(key.0.as_ref())?;
        Ok(Contents {
            entries: m.entries.len(),
            data_bytes: m.total_size(),
            rows: crate::backup::key_rows(&m),
            settings: m.settings,
        })
    }
}

/// `show`: the backup at `path` (found by [`catalog::find`]), with its
/// contents when `unlock` is given: it is called once the file is open, so
/// a file that is not a backup asks for no passphrase.
pub fn show<F>(permit: &Permit<View>, path: &Path, unlock: Option<F>) -> Result<ShowReport>
where
    F: FnOnce() -> Result<Option<Unlock>>,
{
    let home = permit.home();
    let mut file = BackupFile::open(path)?;
    let contents = match unlock {
        Some(how) => {
            let profile = Profile::load(home)?;
            let how = how()?;
            let key = file.unlock(how.as_ref(), profile.encryption.max_work_factor)?;
            Some(file.contents(&key)?)
        }
        None => None,
    };
    let metadata = file.metadata().clone();
    let last_verification = catalog::last_verification(home, &metadata.sealed.id);
    let trust = crate::provenance::trust::assess(home, file.signed())?;
    Ok(ShowReport {
        path: path.to_path_buf(),
        size: file.size(),
        signed: file.signed().cloned(),
        metadata,
        contents,
        last_verification,
        trust,
    })
}
