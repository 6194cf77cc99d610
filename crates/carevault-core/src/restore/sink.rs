//! Writes restored entries into the staging folder.

use crate::archive::reader::EntrySink;
use crate::error::{Error, Result};
use crate::format::manifest::Entry;
use crate::fsutil::sync_dir;
use crate::i18n::t;
use crate::restore::dbcheck::{DbChecker, DbResult};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Sink that creates each entry as a new file under the staging root and
/// hands every database, once written, to the checker threads.
pub struct StagingSink {
    root: PathBuf,
    dirs: BTreeSet<PathBuf>,
    buf: Vec<u8>,
    checker: DbChecker,
    full_check: bool,
}

impl StagingSink {
    /// A sink writing under `root`; `full_check`: every database gets the
    /// whole integrity_check, whatever the backup sealed.
    pub fn new(root: &Path, full_check: bool) -> StagingSink {
        StagingSink {
            root: root.to_path_buf(),
            dirs: BTreeSet::new(),
            buf: vec![0u8; 256 * 1024],
            checker: DbChecker::start(),
            full_check,
        }
    }

    /// Makes the staged tree durable before the swap: one `syncfs` of the
    /// staging folder's file system writes back every staged file (one
    /// journal commit instead of one per file), then every folder created
    /// is fsynced. Then waits for the database checks and returns them.
    pub fn finish(self) -> Result<BTreeMap<String, DbResult>> {
        crate::fault::syncfs(&self.root)
            .map_err(|e| Error::io(t!("ops-doing-flushing-restored-files"), &self.root, e))?;
        for d in self.dirs.iter().rev() {
            sync_dir(d)?;
        }
        sync_dir(&self.root)?;
        self.checker.finish()
    }
}

impl EntrySink for StagingSink {
    fn entry(&mut self, entry: &Entry, data: &mut dyn Read) -> Result<()> {
        // The path was checked (relative, under data/, no '..'), and the
        // staging tree holds only folders and files this sink made.
        let path = self.root.join(&entry.path);
        let parent = path.parent().unwrap_or(&self.root).to_path_buf();
        if !self.dirs.contains(&parent) {
            crate::fault::create_dir_all(&parent)
                .map_err(|e| Error::io(t!("ops-doing-creating-staging-subfolder"), &parent, e))?;
            let mut p = parent.as_path();
            while p != self.root && self.dirs.insert(p.to_path_buf()) {
                p = p.parent().unwrap_or(&self.root);
            }
        }
        crate::fault::check(crate::fault::Op::Create, &path)
            .map_err(|e| Error::io(t!("ops-doing-creating-restored-file"), &path, e))?;
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(t!("ops-doing-creating-restored-file"), &path, e))?;
        loop {
            let n = data.read(&mut self.buf).map_err(|e| {
                crate::error::corrupted(t!(
                    "ops-damaged-entry-unreadable",
                    path = &entry.path,
                    err = crate::error::io_words(&e)
                ))
            })?;
            if n == 0 {
                break;
            }
            crate::fault::check(crate::fault::Op::Write, &path)
                .and_then(|_| f.write_all(&self.buf[..n]))
                .map_err(|e| Error::io(t!("ops-doing-writing-restored-file"), &path, e))?;
        }
        drop(f);
        if entry.kind.is_database() {
            self.checker.submit(entry, &path, self.full_check);
        }
        Ok(())
    }
}
