//! File-system steps that every operation shares: temporary files that
//! cannot be mistaken for backups, fsync of files and folders, free space.

use crate::error::{Error, Result};
use crate::i18n::t;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of every file carevault creates for itself (state, keys, backups).
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of the folders that hold them.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Creates `dir` (and its parents) if needed and makes sure it is a real
/// folder (not a link) with mode 0700, whatever the umask.
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR_MODE)
        .create(dir)
        .map_err(|e| Error::io(t!("core-doing-creating-private-folder"), dir, e))?;
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| Error::io(t!("core-doing-inspecting-folder"), dir, e))?;
    if !meta.file_type().is_dir() {
        return Err(Error::new(
            crate::Kind::Io,
            t!("core-private-folder-not-folder"),
            t!("core-private-folder-not-folder-advice"),
        )
        .at(dir));
    }
    if meta.permissions().mode() & 0o777 != PRIVATE_DIR_MODE {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))
            .map_err(|e| Error::io(t!("core-doing-making-folder-private"), dir, e))?;
    }
    Ok(())
}

/// Creates a new file `path` with `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600
/// whatever the umask: it never follows a planted link, never opens an
/// existing file (or a FIFO or device) and is readable by this user only.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(libc_flags::O_NOFOLLOW)
        .open(path)?;
    // The umask may have removed bits, never added them; set the mode
    // exactly anyway, so the file is 0600 whatever the umask was.
    f.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    Ok(f)
}

/// Writes `bytes` to `path` atomically and durably: a new private
/// temporary file beside it (see [`create_private`]), fsync, rename over
/// `path`, fsync the folder. The folder is made private first.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        "{TEMP_PREFIX}{}.{:08x}",
        name.unwrap_or_default(),
        rand::random::<u32>()
    ));
    let result = create_private(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(t!("core-doing-writing-own-file"), path, e));
    }
    sync_dir(dir)
}

/// Creates `path` with `bytes` if it does not exist, never replacing it:
/// written to a new private temporary file, fsynced, then hard-linked to
/// its name (which fails if it exists). `Ok(false)`: it existed already.
pub fn create_once(path: &Path, bytes: &[u8]) -> Result<bool> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let tmp = dir.join(format!("{TEMP_PREFIX}new.{:08x}", rand::random::<u32>()));
    let linked = create_private(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|_| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(dir)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io(t!("core-doing-creating-own-file"), path, e)),
    }
}

/// Opens `path` for reading without following a final link and without
/// blocking on a FIFO or a device; refuses anything but a regular file.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc_flags::O_NOFOLLOW | libc_flags::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.file_type().is_file() {
        return Err(crate::error::io_error(
            std::io::ErrorKind::InvalidInput,
            t!("core-io-not-regular-file"),
        ));
    }
    Ok(f)
}

/// Like [`open_regular`] but following links (a path a person gave):
/// still never blocks on a FIFO or device and refuses anything but a
/// regular file.
pub fn open_regular_following(path: &Path) -> std::io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc_flags::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.file_type().is_file() {
        return Err(crate::error::io_error(
            std::io::ErrorKind::InvalidInput,
            t!("core-io-not-regular-file"),
        ));
    }
    Ok(f)
}

/// Reads a small regular file (at most `max` bytes) without following a
/// link or blocking on a FIFO; `Ok(None)` when it does not exist.
pub fn read_small(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = match open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut v = Vec::new();
    f.take(max + 1).read_to_end(&mut v)?;
    if v.len() as u64 > max {
        return Err(crate::error::io_error(
            std::io::ErrorKind::InvalidData,
            t!("core-io-file-too-large"),
        ));
    }
    Ok(Some(v))
}

mod libc_flags {
    pub const O_NOFOLLOW: i32 = rustix::fs::OFlags::NOFOLLOW.bits() as i32;
    pub const O_NONBLOCK: i32 = rustix::fs::OFlags::NONBLOCK.bits() as i32;
}

/// Prefix of every temporary file carevault writes into a backup folder.
/// Listing skips these names; the next run removes stale ones.
pub const TEMP_PREFIX: &str = ".carevault-tmp-";

/// fsync a folder so that a rename or removal inside it is durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    let f =
        File::open(dir).map_err(|e| Error::io(t!("core-doing-opening-folder-to-flush"), dir, e))?;
    crate::fault::sync_file(&f, dir)
        .map_err(|e| Error::io(t!("core-doing-flushing-folder"), dir, e))
}

/// A temporary file in the destination folder, locked while it is written
/// and removed on drop unless it was persisted under its final name.
pub struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Creates `dir/.carevault-tmp-<tag>` exclusively and locks it.
    pub fn create(dir: &Path, tag: &str) -> Result<TempFile> {
        let path = dir.join(format!("{TEMP_PREFIX}{tag}"));
        crate::fault::check(crate::fault::Op::Create, &path)
            .map_err(|e| Error::io(t!("core-doing-creating-temp-file"), &path, e))?;
        // O_EXCL|O_NOFOLLOW, mode 0600: a planted link or FIFO under the
        // temporary name is never followed or opened.
        let file = create_private(&path)
            .map_err(|e| Error::io(t!("core-doing-creating-temp-file"), &path, e))?;
        file.lock()
            .map_err(|e| Error::io(t!("core-doing-locking-temp-file"), &path, e))?;
        Ok(TempFile {
            path,
            file: Some(file),
        })
    }

    /// The open file.
    pub fn file(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("temp file is open until persisted")
    }

    /// Its current path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// fsyncs the file, renames it to `target` (which must not exist), and
    /// fsyncs the folder. On failure the temporary file is removed.
    pub fn persist(self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(Error::new(
                crate::Kind::Busy,
                t!("core-backup-name-taken"),
                t!("core-backup-name-taken-advice"),
            )
            .at(target));
        }
        self.replace(target)
    }

    /// fsyncs the file and gives it the name `target` only if no file of
    /// that name exists, atomically (`renameat2` with `RENAME_NOREPLACE`);
    /// fails with [`crate::Kind::Exists`] otherwise. Where the file system
    /// cannot rename that way, a hard link does the same (it fails when the
    /// name exists); where it has neither, the name is checked first (a
    /// narrow window, on storage carevault alone writes to).
    pub fn persist_new(mut self, target: &Path) -> Result<()> {
        let file = self.file.take().expect("temp file is open until persisted");
        crate::fault::sync_file(&file, &self.path)
            .map_err(|e| Error::io(t!("core-doing-flushing-file"), &self.path, e))?;
        let taken = || {
            Error::new(
                crate::Kind::Exists,
                t!("core-file-name-taken"),
                t!("core-file-name-taken-advice"),
            )
            .at(target)
        };
        let cwd = rustix::fs::CWD;
        match rustix::fs::renameat_with(
            cwd,
            &self.path,
            cwd,
            target,
            rustix::fs::RenameFlags::NOREPLACE,
        ) {
            Ok(()) => {}
            Err(rustix::io::Errno::EXIST) => return Err(taken()),
            Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOSYS) => {
                match std::fs::hard_link(&self.path, target) {
                    Ok(()) => {
                        let _ = std::fs::remove_file(&self.path);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(taken()),
                    Err(_) => {
                        if target.symlink_metadata().is_ok() {
                            return Err(taken());
                        }
                        crate::fault::rename(&self.path, target)
                            .map_err(|e| Error::io(t!("core-doing-naming-file"), target, e))?;
                    }
                }
            }
            Err(e) => {
                return Err(Error::io(
                    t!("core-doing-naming-file"),
                    target,
                    std::io::Error::from_raw_os_error(e.raw_os_error()),
                ))
            }
        }
        self.path = PathBuf::new();
        drop(file);
        sync_dir(target.parent().unwrap_or(Path::new(".")))
    }

    /// Like [`TempFile::persist`], but atomically replaces `target` if it exists.
    pub fn replace(mut self, target: &Path) -> Result<()> {
        let file = self.file.take().expect("temp file is open until persisted");
        crate::fault::sync_file(&file, &self.path)
            .map_err(|e| Error::io(t!("core-doing-flushing-backup"), &self.path, e))?;
        crate::fault::rename(&self.path, target)
            .map_err(|e| Error::io(t!("core-doing-naming-backup"), target, e))?;
        // The file now lives under its final name: nothing left to remove.
        self.path = PathBuf::new();
        drop(file);
        sync_dir(target.parent().unwrap_or(Path::new(".")))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Removes temporary files left in `dir` by an interrupted carevault run.
/// A temporary file still locked by a running process is left alone.
/// Only regular files are opened (without following a link, without
/// blocking): a FIFO, device or link under a temporary name is removed
/// unopened, so a plant in a shared folder cannot hang a backup.
pub fn clean_stale_temps(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in rd.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(TEMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            if entry.file_type().is_ok_and(|t| !t.is_dir()) && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
            continue;
        }
        if let Ok(f) = open_regular(&path) {
            if f.try_lock().is_ok() && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

/// Bytes available to an unprivileged writer on the file system of `path`.
pub fn free_space(path: &Path) -> Result<u64> {
    let st = rustix::fs::statvfs(path).map_err(|e| {
        Error::io(
            t!("core-doing-measuring-free-space"),
            path,
            std::io::Error::from_raw_os_error(e.raw_os_error()),
        )
    })?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}
