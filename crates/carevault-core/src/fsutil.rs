//! File-system steps that every operation shares: temporary files that
//! cannot be mistaken for backups, fsync of files and folders, free space.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Prefix of every temporary file carevault writes into a backup folder.
/// Listing skips these names; the next run removes stale ones.
pub const TEMP_PREFIX: &str = ".carevault-tmp-";

/// fsync a folder so that a rename or removal inside it is durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    let f = File::open(dir).map_err(|e| Error::io("opening a folder to flush it", dir, e))?;
    crate::fault::sync_file(&f, dir).map_err(|e| Error::io("flushing a folder to storage", dir, e))
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
            .map_err(|e| Error::io("creating a temporary file", &path, e))?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io("creating a temporary file", &path, e))?;
        file.lock()
            .map_err(|e| Error::io("locking a temporary file", &path, e))?;
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
                "a file with the backup's name already exists",
                "run the command again: a new backup gets a new name",
            )
            .at(target));
        }
        self.replace(target)
    }

    /// Like [`TempFile::persist`], but atomically replaces `target` if it exists.
    pub fn replace(mut self, target: &Path) -> Result<()> {
        let file = self.file.take().expect("temp file is open until persisted");
        crate::fault::sync_file(&file, &self.path)
            .map_err(|e| Error::io("flushing the backup file to storage", &self.path, e))?;
        crate::fault::rename(&self.path, target)
            .map_err(|e| Error::io("giving the backup its final name", target, e))?;
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
        if let Ok(f) = OpenOptions::new().read(true).open(&path) {
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
            "measuring free space",
            path,
            std::io::Error::from_raw_os_error(e.raw_os_error()),
        )
    })?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Human-readable size ("12.3 MB").
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
