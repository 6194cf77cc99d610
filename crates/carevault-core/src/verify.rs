//! Verifying a backup: every byte read, every check applied, nothing written.

use crate::archive::keys::Unlock;
use crate::archive::reader::{Discard, Opened};
use crate::audit::{self, Event, Outcome};
use crate::auth::{Permit, View};
use crate::format::manifest::AppSettings;
use crate::format::metadata::Metadata;
use crate::i18n::t;
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
        Err(e) => Event::new(permit.user(), "verify", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    let event = match &id {
        Some(id) => event.backup(id),
        None => event,
    };
    audit::append(home, &event)?;
    // A wrong passphrase or key says nothing about the file: it is in the
    // audit trail above, and never replaces a real verification result.
    let wrong_key = matches!(&result, Err(e) if e.kind() == crate::Kind::WrongKey);
    if let (Some(id), false) = (id, wrong_key) {
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
    let key = opened.unlock_reporting(unlock, max_log_n, progress)?;
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

/// Reads a backup just written back from the file and checks every byte
/// (every chunk authenticated, every entry against its hash, the manifest
/// against the data), with the backup key the writer holds: no key
/// derivation. The passphrase slot is checked as far as that allows: it
/// must be an age file with one scrypt stanza. A failure means the file
/// cannot be restored, and the backup is not kept.
pub fn check_written(
    path: &Path,
    written: &Metadata,
    key: Option<&crate::archive::keys::BackupKey>,
    progress: &dyn Progress,
) -> Result<()> {
    let read_back = || -> Result<()> {
        let mut opened = Opened::open(path)?;
        if &opened.metadata != written {
            return Err(crate::error::corrupted(t!("core-readback-details-differ")));
        }
        for (name, bytes) in opened.slots() {
            if name == crate::format::container::PASSPHRASE_SLOT_NAME {
                let dec = age::Decryptor::new(&bytes[..])
                    .map_err(crate::archive::keys::map_decrypt_error)?;
                if !dec.is_scrypt() {
                    return Err(crate::error::corrupted(t!("core-readback-slot-not-scrypt")));
                }
            }
        }
        let (manifest, copy) = opened.manifest(key)?;
        opened.stream(key, &manifest, &copy, &mut Discard, progress)
    };
    read_back().map_err(|e| {
        let kind = match e.kind() {
            crate::Kind::Io | crate::Kind::NoSpace => e.kind(),
            _ => crate::Kind::Internal,
        };
        crate::Error::new(
            kind,
            t!("core-readback-failed", reason = e.message_text()),
            t!("core-readback-failed-advice"),
        )
        .at(path)
    })
}
