//! What this tablet knows about its offsite copies, kept in
//! `private/offsite/`:
//!
//! - `copied.json`: the backups the offsite store holds whole and checked,
//!   `{"<backup id>": {"key", "size", "etag", "at"}}`. A backup is added
//!   only after its object, sidecar and status event are all in the store.
//! - `state.json`: the last success and the last error of a push, for
//!   `carevault offsite status`.
//!
//! Both are replaced atomically ([`crate::fsutil::write_private`]) under a
//! lock, so concurrent pushes never lose each other's records. No network
//! here: the client is in the `carevault-offsite` crate.

use crate::error::{Error, Kind, Result};
use crate::i18n::t;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The backup has been copied offsite: where, and what the store said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsiteRecord {
    /// Backup ID.
    #[serde(skip)]
    pub id: String,
    /// The object's key in the bucket.
    pub key: String,
    /// Its size in bytes (checked against the local file).
    pub size: u64,
    /// The ETag the store returned (checked against the local MD5s).
    pub etag: String,
    /// When it was recorded (UTC, RFC 3339).
    pub at: String,
    /// When the backup itself was made (UTC, RFC 3339): what the weekly
    /// reminder counts, so that an old backup pushed today is not taken for
    /// a fresh copy.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// The last outcome of pushes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushState {
    /// When a push last copied everything it was asked to (UTC, RFC 3339).
    pub last_success: Option<String>,
    /// When a push last failed, and why.
    pub last_error: Option<LastError>,
}

/// A failed push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastError {
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The error's kind (`unreachable`, `exists`, ...).
    pub code: String,
    /// The message.
    pub message: String,
}

/// `private/offsite/` of `home`.
pub fn dir(home: &Path) -> PathBuf {
    crate::layout::private_dir(home).join("offsite")
}

fn copied_path(home: &Path) -> PathBuf {
    dir(home).join("copied.json")
}

fn state_path(home: &Path) -> PathBuf {
    dir(home).join("state.json")
}

/// Largest state file read (a record is ~200 bytes).
const MAX_STATE_BYTES: u64 = 64 << 20;

fn read_json<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T> {
    match crate::fsutil::read_small(path, MAX_STATE_BYTES) {
        Ok(None) => Ok(T::default()),
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(
                Kind::Corrupted,
                t!("ops-offsite-state-unreadable", err = e.to_string()),
                t!("ops-offsite-state-unreadable-advice"),
            )
            .at(path)
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(Error::io(t!("ops-doing-reading-offsite-state"), path, e)),
    }
}

fn locked<T>(home: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let d = dir(home);
    crate::fsutil::private_dir(&d)?;
    let lock_path = d.join("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        // Never through a link planted under the lock's name; 0600.
        .mode(0o600)
        .custom_flags(libc_nofollow())
        .open(&lock_path)
        .map_err(|e| Error::io(t!("ops-doing-opening-offsite-lock"), &lock_path, e))?;
    lock.lock()
        .map_err(|e| Error::io(t!("ops-doing-locking-offsite-state"), &lock_path, e))?;
    f()
}

/// Every backup recorded as offsite, by ID.
pub fn records(home: &Path) -> Result<BTreeMap<String, OffsiteRecord>> {
    let mut map: BTreeMap<String, OffsiteRecord> = read_json(&copied_path(home))?;
    for (id, r) in map.iter_mut() {
        r.id = id.clone();
    }
    Ok(map)
}

/// Records `record` as offsite (replacing an older record of the same ID).
pub fn mark(home: &Path, record: &OffsiteRecord) -> Result<()> {
    locked(home, || {
        let mut map = records(home)?;
        map.insert(record.id.clone(), record.clone());
        let bytes = serde_json::to_vec_pretty(&map).expect("records serialise");
        crate::fsutil::write_private(&copied_path(home), &bytes)
    })
}

/// True when backup `id` is recorded as offsite. An unreadable state file
/// counts as "not offsite" (the safe answer for retention).
pub fn is_offsite(home: &Path, id: &str) -> bool {
    records(home).is_ok_and(|m| m.contains_key(id))
}

/// The last success and error of pushes.
pub fn push_state(home: &Path) -> Result<PushState> {
    read_json(&state_path(home))
}

/// Changes the push state with `f`.
pub fn update_push_state(home: &Path, f: impl FnOnce(&mut PushState)) -> Result<()> {
    locked(home, || {
        let mut s = push_state(home)?;
        f(&mut s);
        let bytes = serde_json::to_vec_pretty(&s).expect("state serialises");
        crate::fsutil::write_private(&state_path(home), &bytes)
    })
}

/// `O_NOFOLLOW`, for opening lock files.
fn libc_nofollow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_then_is_offsite_and_records_survive_reload() {
        let t = tempfile::tempdir().unwrap();
        assert!(!is_offsite(t.path(), "b1"));
        let r = OffsiteRecord {
            id: "b1".into(),
            key: "tablets/f/d/backups/b1.bin".into(),
            size: 10,
            etag: "\"abc\"".into(),
            at: "2026-01-01T00:00:00Z".into(),
            created_at: Some("2025-12-31T00:00:00Z".into()),
        };
        mark(t.path(), &r).unwrap();
        assert!(is_offsite(t.path(), "b1"));
        assert_eq!(records(t.path()).unwrap()["b1"], r);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(copied_path(t.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn damaged_state_is_not_offsite() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir(t.path())).unwrap();
        std::fs::write(copied_path(t.path()), b"{not json").unwrap();
        assert!(!is_offsite(t.path(), "b1"));
        assert_eq!(records(t.path()).unwrap_err().kind(), Kind::Corrupted);
    }
}
