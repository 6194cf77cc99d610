//! A folder of backup files: Private, Public, External or any other folder.

use super::{check_name, exists, not_found, Store, StoredObject};
use crate::error::{Error, Kind, Result};
use crate::fsutil::{self, TempFile, TEMP_PREFIX};
use crate::i18n::t;
use crate::Progress;
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The backup files directly inside one folder (not below it).
#[derive(Debug, Clone)]
pub struct FolderStore {
    dir: PathBuf,
    name: String,
}

impl FolderStore {
    /// The store of folder `dir`, called `name` in messages ("Private",
    /// "External", or the folder's path).
    pub fn new(dir: impl Into<PathBuf>, name: impl Into<String>) -> FolderStore {
        FolderStore {
            dir: dir.into(),
            name: name.into(),
        }
    }

    /// Its name in messages (empty: the folder's path is used).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `name` in the folder: only a plain file name is held
    /// here, never a path that leaves the folder.
    pub fn path_of(&self, name: &str) -> Result<PathBuf> {
        check_name(name)?;
        if name.contains('/') {
            return Err(Error::new(
                Kind::Usage,
                t!("core-store-subfolder", name = format!("{name:?}")),
                t!("core-store-subfolder-advice"),
            ));
        }
        Ok(self.dir.join(name))
    }
}

/// Whether a name in a folder can be a backup: `.bin` (any case), not a
/// temporary or hidden file.
pub fn is_backup_name(name: &str) -> bool {
    !name.starts_with(TEMP_PREFIX)
        && !name.starts_with('.')
        && name.to_ascii_lowercase().ends_with(".bin")
}

impl Store for FolderStore {
    fn location(&self) -> String {
        if self.name.is_empty() {
            self.dir.display().to_string()
        } else {
            self.name.clone()
        }
    }

    fn list(&self) -> Result<Vec<StoredObject>> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(t!("core-doing-listing-folder"), &self.dir, e)),
        };
        let mut out = Vec::new();
        for de in rd.flatten() {
            let Some(name) = de.file_name().to_str().map(str::to_string) else {
                continue;
            };
            // file_type() does not follow a link: a link is never listed.
            if !is_backup_name(&name) || !de.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let size = de.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(StoredObject { name, size });
        }
        Ok(out)
    }

    fn read_at(&self, name: &str, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let path = self.path_of(name)?;
        let file = fsutil::open_regular(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => not_found(self, name),
            _ => Error::io(t!("core-doing-opening-a-backup"), &path, e),
        })?;
        let mut done = 0;
        while done < buf.len() {
            match file.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(t!("core-doing-reading-a-backup"), &path, e)),
            }
        }
        Ok(done)
    }

    fn put(&self, name: &str, from: &Path, progress: &dyn Progress) -> Result<()> {
        let target = self.path_of(name)?;
        if target.symlink_metadata().is_ok() {
            return Err(exists(self, name));
        }
        let mut src = fsutil::open_regular_following(from)
            .map_err(|e| Error::io(t!("core-doing-opening-backup-to-copy"), from, e))?;
        let total = src.metadata().map(|m| m.len()).unwrap_or(0);
        if fsutil::free_space(&self.dir)? < total {
            return Err(Error::new(
                Kind::NoSpace,
                t!(
                    "core-store-no-space",
                    store = self.location(),
                    need = crate::units::human_size(total)
                ),
                t!("core-store-no-space-advice"),
            ));
        }
        progress.start(crate::Phase::Copy, total);
        let tag = format!("put-{}", std::process::id());
        let mut tmp = TempFile::create(&self.dir, &tag)?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = src
                .read(&mut buf)
                .map_err(|e| Error::io(t!("core-doing-reading-backup-to-copy"), from, e))?;
            if n == 0 {
                break;
            }
            tmp.file()
                .write_all(&buf[..n])
                .map_err(|e| Error::io(t!("core-doing-writing-copy"), &target, e))?;
            progress.advance(n as u64);
        }
        tmp.persist_new(&target).map_err(|e| {
            if e.kind() == Kind::Exists {
                exists(self, name)
            } else {
                e
            }
        })
    }

    fn delete(&self, name: &str) -> Result<()> {
        let path = self.path_of(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => fsutil::sync_dir(&self.dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(not_found(self, name)),
            Err(e) => Err(Error::io(t!("core-doing-deleting-backup"), &path, e)),
        }
    }
}
