//! The staging folder, the atomic swap, and crash recovery.

use crate::error::{Error, Result};
use crate::format::metadata::Sealed;
use crate::fsutil::sync_dir;
use crate::hostlock::HostLock;
use crate::i18n::{t, Text};
use crate::layout;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const STAGING_PREFIX: &str = ".carevault-staging-";
const JOURNAL: &str = "journal.json";
/// Present once the restore of a staging folder is audited (see
/// [`mark_recorded`]).
const RECORDED: &str = "recorded";

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

/// Reads a staging folder's journal, field by field: a field that does not
/// parse (a journal of another version, a damaged one) is absent, and never
/// hides `staged_inode`, which says whether the swap happened (and so
/// whether the folder holds the only copy of the replaced data).
fn read_journal(dir: &Path) -> Journal {
    use std::io::Read;
    let mut text = Vec::new();
    let read = std::fs::File::open(dir.join(JOURNAL))
        .and_then(|f| f.take(MAX_JOURNAL_BYTES).read_to_end(&mut text));
    let Ok(v) = read
        .ok()
        .and_then(|_| serde_json::from_slice::<serde_json::Value>(&text).ok())
        .ok_or(())
    else {
        return Journal::default();
    };
    let field = |name: &str| v.get(name).cloned();
    Journal {
        backup_id: field("backup_id").and_then(|x| x.as_str().map(str::to_string)),
        staged_inode: field("staged_inode").and_then(|x| x.as_u64()),
        restored_by: field("restored_by").and_then(|x| x.as_str().map(str::to_string)),
        backup: field("backup").and_then(|x| serde_json::from_value(x).ok()),
    }
}

/// A journal is a few hundred bytes; more is not one of ours.
const MAX_JOURNAL_BYTES: u64 = 64 * 1024;

/// A restore that was killed after its swap put `journal`'s backup live:
/// record it as the restore the data comes from, and audit it, as the
/// restore itself would have (a journal without those details: the
/// record of an older restore is removed, since it no longer holds).
fn record_interrupted(home: &Path, dir: &Path, folder_id: &str, journal: &Journal) {
    if dir.join(RECORDED).exists() {
        return;
    }
    // The journal must agree with itself and with its folder's name, and
    // name a user as a login would: otherwise nothing is claimed.
    let consistent = |b: &Sealed| {
        b.id == folder_id
            && journal.backup_id.as_deref() == Some(folder_id)
            && crate::format::metadata::valid_id(folder_id)
    };
    match (&journal.backup, &journal.restored_by) {
        (Some(backup), Some(user))
            if consistent(backup) && crate::auth::check_username(user).is_ok() =>
        {
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
    mark_recorded(dir);
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
                .map_err(|e| Error::io(t!("ops-doing-removing-old-staging"), &dir, e))?;
        }
        crate::fault::create_dir(&dir)
            .map_err(|e| Error::io(t!("ops-doing-creating-staging"), &dir, e))?;
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
            .map_err(|e| Error::io(t!("ops-doing-reading-staged-data"), &staged, e))?
            .ino();
        let journal = self.dir.join(JOURNAL);
        let record = Journal {
            backup_id: Some(id.to_string()),
            staged_inode: Some(staged_inode),
            restored_by: Some(user.to_string()),
            backup: Some(backup.clone()),
        };
        let mut text = serde_json::to_vec(&record)
            .map_err(|e| Error::internal(t!("ops-journal-write-failed", error = e.to_string())))?;
        text.push(b'\n');
        write_synced(&journal, &text)?;
        sync_dir(&self.dir)?;
        let barrier = HostLock::WriteBarrier.exclusive(home).map_err(|e| {
            Error::io(
                t!("ops-doing-taking-write-barrier"),
                crate::hostlock::locks_dir(home),
                e,
            )
        })?;
        let had_data = target.exists();
        if had_data {
            exchange(&staged, &target)?;
        } else {
            crate::fault::rename(&staged, &target)
                .map_err(|e| Error::io(t!("ops-doing-moving-restored-data"), &target, e))?;
        }
        // From here on the new data is live and the staging folder holds the
        // old data: it must never be removed as a failed staging folder.
        self.keep = true;
        drop(barrier);
        crate::stop_point::stop_point(crate::stop_point::RESTORE_SWAPPED);
        let kept = self.after_swap(home, id, had_data);
        // From here on this restore returns to its caller, which audits it
        // and records where the data came from: recovery must not do it
        // again, even if the staging folder outlives this (see `recover`).
        mark_recorded(&self.dir);
        if kept.is_err() {
            // The data is the backup's now, but the caller reports a
            // failure and records nothing: the mark of an older restore
            // no longer holds.
            let _ = crate::restored_from::clear(home);
        }
        if kept.is_ok() {
            let _ = std::fs::remove_dir_all(&self.dir);
            let _ = sync_dir(home);
        }
        kept
    }

    /// What follows the swap: flush the home, file the replaced data.
    fn after_swap(&self, home: &Path, id: &str, had_data: bool) -> Result<Option<PathBuf>> {
        sync_dir(home).map_err(|e| {
            Error::new(
                e.kind(),
                t!("ops-restore-flush-failed", problem = e.message_text()),
                t!("ops-restore-flush-failed-advice"),
            )
        })?;
        let kept = if had_data {
            let filed = file_safety_copy(home, &self.dir, id).map_err(|e| {
                Error::new(
                    e.kind(),
                    t!(
                        "ops-restore-safety-copy-not-filed",
                        problem = e.message_text(),
                        dir = self.dir.display()
                    ),
                    t!("ops-restore-safety-copy-not-filed-advice"),
                )
            })?;
            Some(filed)
        } else {
            None
        };
        Ok(kept)
    }
}

/// Marks a staging folder whose restore is (or will be) audited by the
/// restore itself or has been by a recovery.
fn mark_recorded(dir: &Path) {
    let _ = std::fs::write(dir.join(RECORDED), b"");
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
        .map_err(|e| Error::io(t!("ops-doing-writing-restore-journal"), path, e))?;
    let mut f = std::fs::File::create(path)
        .map_err(|e| Error::io(t!("ops-doing-writing-restore-journal"), path, e))?;
    crate::fault::check(crate::fault::Op::Write, path)
        .and_then(|_| f.write_all(bytes))
        .and_then(|_| crate::fault::sync_file(&f, path))
        .map_err(|e| Error::io(t!("ops-doing-writing-restore-journal"), path, e))
}

/// Atomically exchanges two folders (Linux `renameat2(RENAME_EXCHANGE)`).
pub(crate) fn exchange(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    crate::fault::check(crate::fault::Op::Rename, b)
        .map_err(|e| Error::io(t!("ops-doing-swapping-restored-data"), b, e))?;
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| {
        Error::io(
            t!("ops-doing-swapping-restored-data"),
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
        .map_err(|e| Error::io(t!("ops-doing-creating-safety-folder"), &root, e))?;
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
            Err(e) => return Err(Error::io(t!("ops-doing-creating-safety-folder"), &dir, e)),
        }
    };
    crate::stop_point::stop_point(crate::stop_point::RESTORE_FILING);
    let dest = dir.join("data");
    if let Err(e) = crate::fault::rename(&old, &dest) {
        // Leave no empty safety-copy folder behind: the data is still in staging.
        let _ = std::fs::remove_dir(&dir);
        return Err(Error::io(t!("ops-doing-keeping-safety-copy"), &dest, e));
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
pub fn recover(home: &Path) -> Result<Vec<Text>> {
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
            record_interrupted(home, &dir, id, &journal);
            done.push(t!("ops-recover-completed", kept = kept.display()));
        } else if swapped {
            // Killed after filing the safety copy, before the staging
            // folder was removed.
            record_interrupted(home, &dir, id, &journal);
        } else {
            done.push(t!("ops-recover-undone", name = &name));
        }
        crate::fault::remove_dir_all(&dir)
            .map_err(|e| Error::io(t!("ops-doing-removing-stale-staging"), &dir, e))?;
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
