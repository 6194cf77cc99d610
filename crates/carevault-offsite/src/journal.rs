//! The journal of a multipart upload: `private/offsite/journal/<id>.json`
//! (the backup's ID: its file name without `Backup-` and `.bin`), written with fsync after the
//! upload is created and after every part the store accepted, so a rerun
//! after a crash, a kill or a reboot sends only the parts that are missing.

use carevault_core::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// One accepted part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartRecord {
    /// The ETag the store returned for it.
    pub etag: String,
    /// Its MD5, hex (what was sent as Content-MD5).
    pub md5: String,
}

/// An upload in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// The object's key.
    pub key: String,
    /// The store's upload ID.
    pub upload_id: String,
    /// The local file's size.
    pub size: u64,
    /// The part size used.
    pub part_size: u64,
    /// Accepted parts by number (from 1).
    pub parts: BTreeMap<u16, PartRecord>,
}

/// Where the journal of `name` lives in `dir`.
pub fn path(dir: &Path, name: &str) -> PathBuf {
    let stem = name.strip_suffix(".bin").unwrap_or(name);
    let stem = stem.strip_prefix("Backup-").unwrap_or(stem);
    let safe = carevault_core::profile::is_safe_key_part(stem);
    let file = if safe {
        format!("{stem}.json")
    } else {
        use sha2::Digest;
        format!(
            "{}.json",
            hex::encode(sha2::Sha256::digest(name.as_bytes()))
        )
    };
    dir.join(file)
}

/// The journal of `name`, if there is a readable one. A damaged journal is
/// treated as none: the upload starts again (nothing is lost but time).
pub fn load(dir: &Path, name: &str) -> Option<Journal> {
    let bytes = carevault_core::fsutil::read_small(&path(dir, name), 4 << 20).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// Writes the journal durably (0600, fsynced, atomic).
pub fn save(dir: &Path, name: &str, j: &Journal) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(j).expect("a journal serialises");
    carevault_core::fsutil::write_private(&path(dir, name), &bytes)
}

/// Removes the journal (the upload is finished or abandoned).
pub fn remove(dir: &Path, name: &str) {
    let p = path(dir, name);
    if std::fs::remove_file(&p).is_ok() {
        let _ = carevault_core::fsutil::sync_dir(dir);
    }
}

/// Holds the upload of `name` for this process: a second push of the same
/// backup at the same time fails (Busy) rather than sharing its journal.
pub fn lock(dir: &Path, name: &str) -> Result<std::fs::File> {
    use carevault_core::error::{Error, Kind};
    use carevault_core::i18n::t;
    carevault_core::fsutil::private_dir(dir)?;
    let p = path(dir, name).with_extension("lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        // Never through a link planted under the lock's name; 0600.
        .mode(0o600)
        .custom_flags(libc_nofollow())
        .open(&p)
        .map_err(|e| crate::fail::io(t!("offsite-doing-opening-lock"), &p, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::new(
            Kind::Busy,
            t!("offsite-push-busy", name = name),
            t!("offsite-push-busy-advice"),
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(crate::fail::io(t!("offsite-doing-locking"), &p, e))
        }
    }
}

/// `O_NOFOLLOW`, for opening lock files.
fn libc_nofollow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}
