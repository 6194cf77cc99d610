//! The staging folder, the atomic swap, and crash recovery.

use crate::error::{Error, Result};
use crate::format::metadata::Sealed;
use crate::fsutil::sync_dir;
use crate::hostlock::HostLock;
use crate::layout;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const STAGING_PREFIX: &str = ".carevault-staging-";
const JOURNAL: &str = "journal.json";

/// The staging folder's journal: what the swap put live, and for whom.
/// Every field is optional: journals of older versions hold only the first
/// two.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Journal {
    backup_id: Option<String>,
    staged_inode: Option<u64>,
    restored_by: Option<String>,
    backup: Option<Sealed>,
}

fn read_journal(dir: &Path) -> Journal {
    std::fs::read_to_string(dir.join(JOURNAL))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// A restore that was killed after its swap put `journal`'s backup live:
/// record it as the restore the data comes from, and audit it, as the
/// restore itself would have (a journal without those details: the
/// record of an older restore is removed, since it no longer holds).
fn record_interrupted(home: &Path, journal: &Journal) {
    match (&journal.backup, &journal.restored_by) {
        (Some(backup), Some(user)) => {
            if crate::restored_from::record_restore(home, user, backup).is_err() {
                let _ = crate::restored_from::clear(home);
            }
            let _ = crate::audit::append(
                home,
                &crate::audit::Event::new(user, "restore", crate::audit::Outcome::Success)
                    .backup(&backup.id)
                    .reason("completed by the next command: the restore was interrupted after it swapped the data in"),
            );
        }
        _ => {
            let _ = crate::restored_from::clear(home);
        }
    }
}

/// Folder that holds safety copies of replaced data.
pub fn safety_dir(home: &Path) -> PathBuf {
    home.join("safety-copies")
}

/// A staging folder beside `data/`; removed on drop unless swapped in.
pub struct Staging {
    dir: PathBuf,
    keep: bool,
}

impl Staging {
    /// Creates `home/.carevault-staging-<id>` (fresh).
    pub fn create(home: &Path, id: &str) -> Result<Staging> {
        let dir = home.join(format!("{STAGING_PREFIX}{id}"));
        if dir.exists() {
            crate::fault::remove_dir_all(&dir)
                .map_err(|e| Error::io("removing an old staging folder", &dir, e))?;
        }
        crate::fault::create_dir(&dir)
            .map_err(|e| Error::io("creating the staging folder", &dir, e))?;
        crate::fsutil::private_dir(&dir)?;
        Ok(Staging { dir, keep: false })
    }

    /// The staging root (entries land in `root/data/...`).
    pub fn root(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staged data in; returns where the old data was kept.
    /// The journal names the backup and who restores it, so that the next
    /// command can record the restore if this one is killed after the swap.
    pub fn swap_in(mut self, home: &Path, backup: &Sealed, user: &str) -> Result<Option<PathBuf>> {
        let id = backup.id.as_str();
        crate::stop_point::stop_point(crate::stop_point::RESTORE_STAGED);
        let staged = self.dir.join("data");
        let target = layout::data_dir(home);
        let staged_inode = std::fs::metadata(&staged)
            .map_err(|e| Error::io("reading the staged data", &staged, e))?
            .ino();
        let journal = self.dir.join(JOURNAL);
        let record = Journal {
            backup_id: Some(id.to_string()),
            staged_inode: Some(staged_inode),
            restored_by: Some(user.to_string()),
            backup: Some(backup.clone()),
        };
        let mut text = serde_json::to_vec(&record)
            .map_err(|e| Error::internal(format!("writing the restore journal: {e}")))?;
        text.push(b'\n');
        write_synced(&journal, &text)?;
        sync_dir(&self.dir)?;
        let barrier = HostLock::WriteBarrier.exclusive(home).map_err(|e| {
            Error::io(
                "taking the write barrier",
                crate::hostlock::locks_dir(home),
                e,
            )
        })?;
        let had_data = target.exists();
        if had_data {
            exchange(&staged, &target)?;
        } else {
            crate::fault::rename(&staged, &target)
                .map_err(|e| Error::io("moving the restored data in place", &target, e))?;
        }
        // From here on the new data is live and the staging folder holds the
        // old data: it must never be removed as a failed staging folder.
        self.keep = true;
        drop(barrier);
        crate::stop_point::stop_point(crate::stop_point::RESTORE_SWAPPED);
        sync_dir(home).map_err(|e| {
            Error::new(
                e.kind(),
                format!("the backup was restored, but flushing the app home failed ({})", e.message()),
                "the restored data is in place; if the tablet loses power now, the next carevault command repairs the state",
            )
        })?;
        let kept = if had_data {
            let filed = file_safety_copy(home, &self.dir, id).map_err(|e| {
                Error::new(
                    e.kind(),
                    format!(
                        "the backup was restored, but the replaced data could not be moved to safety-copies ({}); it is still in {}",
                        e.message(),
                        self.dir.display()
                    ),
                    "nothing is lost: the next carevault command files it as a safety copy",
                )
            })?;
            Some(filed)
        } else {
            None
        };
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = sync_dir(home);
        Ok(kept)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    crate::fault::check(crate::fault::Op::Create, path)
        .map_err(|e| Error::io("writing the restore journal", path, e))?;
    let mut f = std::fs::File::create(path)
        .map_err(|e| Error::io("writing the restore journal", path, e))?;
    crate::fault::check(crate::fault::Op::Write, path)
        .and_then(|_| f.write_all(bytes))
        .and_then(|_| crate::fault::sync_file(&f, path))
        .map_err(|e| Error::io("writing the restore journal", path, e))
}

/// Atomically exchanges two folders (Linux `renameat2(RENAME_EXCHANGE)`).
pub(crate) fn exchange(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    crate::fault::check(crate::fault::Op::Rename, b)
        .map_err(|e| Error::io("swapping the restored data in place", b, e))?;
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| {
        Error::io(
            "swapping the restored data in place",
            b,
            std::io::Error::from_raw_os_error(e.raw_os_error()),
        )
    })
}

/// Moves `staging/data` (the replaced data) under `safety-copies/`, in a
/// new folder named after the time and the backup (never one that exists).
fn file_safety_copy(home: &Path, staging: &Path, id: &str) -> Result<PathBuf> {
    let old = staging.join("data");
    let root = safety_dir(home);
    crate::fault::create_dir_all(&root)
        .map_err(|e| Error::io("creating the safety copy folder", &root, e))?;
    crate::fsutil::private_dir(&root)?;
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
    let mut n = 0u32;
    let dir = loop {
        let name = if n == 0 {
            format!("{stamp}-before-{id}")
        } else {
            format!("{stamp}-before-{id}-{n}")
        };
        let dir = root.join(name);
        match crate::fault::create_dir(&dir) {
            Ok(()) => {
                crate::fsutil::private_dir(&dir)?;
                break dir;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(Error::io("creating the safety copy folder", &dir, e)),
        }
    };
    crate::stop_point::stop_point(crate::stop_point::RESTORE_FILING);
    let dest = dir.join("data");
    if let Err(e) = crate::fault::rename(&old, &dest) {
        // Leave no empty safety-copy folder behind: the data is still in staging.
        let _ = std::fs::remove_dir(&dir);
        return Err(Error::io(
            "keeping the replaced data as a safety copy",
            &dest,
            e,
        ));
    }
    sync_dir(&dir)?;
    sync_dir(&root)?;
    sync_dir(staging)?;
    Ok(dest)
}

/// For commands that only read (list, verify, status): repairs what an
/// interrupted restore left when no other operation is running, and
/// removes stale temporary files from the Private folder. Problems are
/// left for the next backup or restore to report.
pub fn recover_if_idle(home: &Path) {
    if let Ok(Some(_op)) = HostLock::Operation.try_exclusive(home) {
        let _ = recover(home);
        crate::fsutil::clean_stale_temps(&layout::private_backups(home));
    }
}

/// Repairs what an interrupted restore left: a staging folder that was
/// never swapped in is removed; one that was swapped in is filed as the
/// safety copy it now holds. Returns what it did, one line each.
pub fn recover(home: &Path) -> Result<Vec<String>> {
    let mut done = Vec::new();
    let Ok(rd) = std::fs::read_dir(home) else {
        return Ok(done);
    };
    for de in rd.flatten() {
        let name = de.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_prefix(STAGING_PREFIX) else {
            continue;
        };
        let dir = de.path();
        let journal = read_journal(&dir);
        let swapped = journal
            .staged_inode
            .zip(
                std::fs::metadata(layout::data_dir(home))
                    .ok()
                    .map(|m| m.ino()),
            )
            .is_some_and(|(staged, live)| staged == live);
        if swapped && dir.join("data").exists() {
            remove_empty_safety_folders(home, id);
            let kept = file_safety_copy(home, &dir, id)?;
            record_interrupted(home, &journal);
            done.push(format!(
                "an interrupted restore was completed; the data it replaced is kept in {}",
                kept.display()
            ));
        } else if swapped {
            // Killed after filing the safety copy, before the staging
            // folder was removed.
            record_interrupted(home, &journal);
        } else {
            done.push(format!(
                "an interrupted restore was undone; the data was not changed ({name} removed)"
            ));
        }
        crate::fault::remove_dir_all(&dir)
            .map_err(|e| Error::io("removing a stale staging folder", &dir, e))?;
        sync_dir(home)?;
    }
    Ok(done)
}

/// A restore killed between creating its safety-copy folder and moving the
/// data into it leaves the folder empty: remove such folders of backup `id`.
fn remove_empty_safety_folders(home: &Path, id: &str) {
    let Ok(rd) = std::fs::read_dir(safety_dir(home)) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_name()
            .to_string_lossy()
            .contains(&format!("-before-{id}"))
        {
            // remove_dir only succeeds on an empty folder: data is never touched.
            let _ = std::fs::remove_dir(e.path());
        }
    }
}
