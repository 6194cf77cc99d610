//! The storage seam: where finished backup files live.
//!
//! A [`Store`] holds backup files by name (`<something>.bin`) and knows
//! four things: list them, read a range of one, put a finished local file in
//! (create-only and all-or-nothing) and delete one. A folder on the tablet
//! or a USB stick is a [`FolderStore`]; object storage (the offsite crate) is
//! another implementation; [`MemoryStore`] is for tests. Nothing above this
//! module needs to know which one it has.
//!
//! What a store does not do: check that a file is a backup, decide what may
//! be deleted, or audit. Those are the operations' rules, applied the same
//! whatever the store.

mod folder;
mod memory;

pub use folder::FolderStore;
pub use memory::MemoryStore;

use crate::error::{Error, Kind, Result};
use crate::i18n::t;
use crate::Progress;
use std::io::Write;
use std::path::Path;

/// One backup file in a store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredObject {
    /// Its name in the store (a file name, or an object key below the
    /// store's prefix). Never empty, never holds `..`.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Where finished backup files live. Implementations must be safe to share
/// between threads.
pub trait Store: Send + Sync {
    /// Where this store is, in words for messages and the audit trail.
    fn location(&self) -> String;

    /// The backup files (names ending `.bin`; no temporaries), in no order.
    fn list(&self) -> Result<Vec<StoredObject>>;

    /// Reads up to `buf.len()` bytes of `name` from `offset`; returns how
    /// many were read (0 at the end).
    fn read_at(&self, name: &str, offset: u64, buf: &mut [u8]) -> Result<usize>;

    /// Puts the finished local file `from` in as `name`. Create-only: when
    /// `name` is already there, fails with [`Kind::Exists`] and changes
    /// nothing. All-or-nothing: after a failure no partial object is listed.
    /// Durable when it returns.
    fn put(&self, name: &str, from: &Path, progress: &dyn Progress) -> Result<()>;

    /// Deletes `name` (gone when it returns).
    fn delete(&self, name: &str) -> Result<()>;

    /// Copies `name` to the local file `to`, resuming a partial copy: bytes
    /// already in `to` are kept and only the rest is read. The caller checks
    /// the copy (size, hashes, the backup's own checks) before using it.
    fn fetch(&self, name: &str, size: u64, to: &Path, progress: &dyn Progress) -> Result<()> {
        fetch_by_ranges(self, name, size, to, progress)
    }
}

/// The block size of a ranged copy.
pub const FETCH_BLOCK: usize = 4 << 20;

/// [`Store::fetch`] through [`Store::read_at`], one block at a time, with a
/// data sync at the end.
pub fn fetch_by_ranges<S: Store + ?Sized>(
    store: &S,
    name: &str,
    size: u64,
    to: &Path,
    progress: &dyn Progress,
) -> Result<()> {
    let mut file = open_partial(to)?;
    let mut have = file
        .metadata()
        .map_err(|e| Error::io(t!("core-doing-reading-download-size"), to, e))?
        .len();
    let free = crate::fsutil::free_space(to.parent().unwrap_or(Path::new(".")))?;
    if size > have && free < size - have {
        return Err(Error::new(
            Kind::NoSpace,
            t!(
                "core-download-no-space",
                need = crate::units::human_size(size - have),
                have = crate::units::human_size(free)
            ),
            t!("core-download-no-space-advice"),
        )
        .at(to));
    }
    if have > size {
        return Err(Error::new(
            Kind::Usage,
            t!("core-partial-larger", have = have, size = size),
            t!("core-partial-larger-advice"),
        )
        .at(to));
    }
    progress.start(crate::Phase::Download, size);
    progress.advance(have);
    let mut buf = vec![0u8; FETCH_BLOCK];
    while have < size {
        let want = (size - have).min(FETCH_BLOCK as u64) as usize;
        let n = store.read_at(name, have, &mut buf[..want])?;
        if n == 0 {
            return Err(crate::error::truncated(t!(
                "core-stored-object-ended",
                name = name,
                have = have,
                size = size
            )));
        }
        file.write_all(&buf[..n])
            .map_err(|e| Error::io(t!("core-doing-writing-download"), to, e))?;
        have += n as u64;
        progress.advance(n as u64);
    }
    file.sync_all()
        .map_err(|e| Error::io(t!("core-doing-syncing-download"), to, e))?;
    Ok(())
}

/// Opens (or creates) the partial download `to` for appending, safely in a
/// folder others may write to: never through a link (`O_NOFOLLOW`), never a
/// FIFO or device (`O_NONBLOCK`, then a regular-file check), mode 0600, and
/// only a file of ours with one name (a hard link planted under the
/// partial's name would have the download appended to another file).
fn open_partial(to: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(crate::fsutil::PRIVATE_FILE_MODE)
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(to)
        .map_err(|e| Error::io(t!("core-doing-opening-download"), to, e))?;
    let m = f
        .metadata()
        .map_err(|e| Error::io(t!("core-doing-reading-download-details"), to, e))?;
    if !m.file_type().is_file() || m.nlink() != 1 || m.uid() != rustix::process::geteuid().as_raw()
    {
        return Err(Error::new(
            Kind::UnsafeArchive,
            t!("core-partial-name-taken"),
            t!("core-partial-name-taken-advice"),
        )
        .at(to));
    }
    f.set_permissions(std::fs::Permissions::from_mode(
        crate::fsutil::PRIVATE_FILE_MODE,
    ))
    .map_err(|e| Error::io(t!("core-doing-making-download-private"), to, e))?;
    Ok(f)
}

/// Checks a name given to a store: a plain `.bin` file name or a relative
/// key of plain parts (no empty part, no `.` or `..`, no backslash or
/// control character), at most 512 bytes.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
        && !name.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            Kind::Usage,
            t!("core-store-name-invalid", name = format!("{name:?}")),
            t!("core-store-name-invalid-advice"),
        ))
    }
}

/// An error for a name the store does not hold.
pub fn not_found(store: &dyn Store, name: &str) -> Error {
    Error::new(
        Kind::NotFound,
        t!(
            "core-store-not-found",
            store = store.location(),
            name = name
        ),
        t!("core-store-not-found-advice"),
    )
}

/// An error for a create-only put over an existing name.
pub fn exists(store: &dyn Store, name: &str) -> Error {
    Error::new(
        Kind::Exists,
        t!("core-store-exists", store = store.location(), name = name),
        t!("core-store-exists-advice"),
    )
}

#[cfg(test)]
mod tests;
