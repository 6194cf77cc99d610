//! Safety copies: the clinic data each restore replaced, kept under
//! `safety-copies/` until someone removes it. They can be listed, put back
//! (the data they replace becomes a safety copy in turn, so nothing is ever
//! lost) and removed by a System Administrator.

use crate::audit::{self, Event, Outcome};
use crate::auth::{Delete, Permit, View};
use crate::error::{Error, Kind, Result};
use crate::fsutil::sync_dir;
use crate::hostlock::HostLock;
use crate::i18n::{t, Lang};
use crate::layout;
use crate::restore::safety_dir;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One safety copy.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyCopy {
    /// Its folder name under `safety-copies/` (what the commands take).
    pub name: String,
    /// Its data folder.
    pub path: PathBuf,
    /// When it was put aside (UTC, from its name), if the name says.
    pub kept_at: Option<String>,
    /// The restore that replaced it: the ID of the backup it put in place,
    /// or `return-<name>` when a safety copy was put back.
    pub replaced_by: Option<String>,
    /// Files in it.
    pub files: u64,
    /// Bytes in it.
    pub bytes: u64,
}

/// All safety copies of the home, newest first.
pub fn list(permit: &Permit<View>) -> Result<Vec<SafetyCopy>> {
    Ok(scan(permit.home()))
}

/// Safety copies of `home`, newest first (no permission: for `status`).
pub fn scan(home: &Path) -> Vec<SafetyCopy> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(safety_dir(home)) else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let data = e.path().join("data");
        // Folders only, never through a link.
        let is_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        if !is_dir(&e.path()) || !is_dir(&data) {
            continue;
        }
        let (files, bytes) = crate::restore::tree_size(&data);
        out.push(SafetyCopy {
            kept_at: kept_at(&name),
            replaced_by: name.split_once("-before-").map(|(_, id)| id.to_string()),
            name,
            path: data,
            files,
            bytes,
        });
    }
    out.sort_by(|a, b| b.name.cmp(&a.name));
    out
}

/// `20261127-081502-before-...` -> `2026-11-27T08:15:02Z`.
fn kept_at(name: &str) -> Option<String> {
    let stamp = name.get(..15)?;
    let t = jiff::civil::DateTime::strptime("%Y%m%d-%H%M%S", stamp).ok()?;
    Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The folder of the safety copy `name`, refusing anything but the plain
/// name of an existing copy (no path, no link).
fn find(home: &Path, name: &str) -> Result<PathBuf> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.chars().any(char::is_control);
    let dir = safety_dir(home).join(name);
    let is_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if !plain || !is_dir(&dir) || !is_dir(&dir.join("data")) {
        return Err(Error::new(
            Kind::NotFound,
            t!("ops-safety-no-such-copy", name = format!("{name:?}")),
            t!("ops-safety-no-such-copy-advice"),
        ));
    }
    Ok(dir)
}

/// What putting a safety copy back did.
#[derive(Debug, Clone, Serialize)]
pub struct Returned {
    /// The safety copy that is the clinic data now.
    pub restored: String,
    /// Where the data it replaced is kept (a new safety copy).
    pub kept_as: PathBuf,
}

/// Puts the safety copy `name` back as the clinic data, after checking its
/// databases; the data it replaces becomes a safety copy. One atomic swap
/// under the write barrier: a crash leaves either the old or the new data
/// live, and both are always kept.
///
/// A System Administrator's decision: a safety copy holds whatever an
/// earlier restore replaced (perhaps a backup only an administrator was
/// allowed to restore), and its provenance is not recorded, so the trust
/// policy of a restore cannot be applied to it.
pub fn put_back(permit: &Permit<Delete>, name: &str) -> Result<Returned> {
    let result = put_back_inner(permit.home(), name);
    if result.is_ok() {
        // The data is no longer the restored backup's.
        crate::restored_from::clear(permit.home())?;
    }
    let (outcome, why) = match &result {
        Ok(_) => (Outcome::Success, format!("safety copy {name}")),
        Err(e) if matches!(e.kind(), Kind::Busy | Kind::CheckFailed | Kind::NotFound) => (
            Outcome::Refused,
            format!("safety copy {name}: {}", e.message_in(Lang::En)),
        ),
        Err(e) => (
            Outcome::Failure,
            format!("safety copy {name}: {}", e.message_in(Lang::En)),
        ),
    };
    let event = Event::new(permit.user(), "safety copy restore", outcome).reason(&why);
    audit::append(permit.home(), &event)?;
    result
}

fn put_back_inner(home: &Path, name: &str) -> Result<Returned> {
    let _op = HostLock::Operation
        .try_exclusive(home)
        .map_err(|e| Error::io(t!("ops-doing-taking-operation-lock"), home, e))?
        .ok_or_else(crate::backup::busy_error)?;
    crate::restore::recover(home)?;
    let dir = find(home, name)?;
    let _sync =
        crate::hostlock::when_sync_idle(home, None, &crate::NoProgress)?.ok_or_else(|| {
            Error::new(
                Kind::Busy,
                t!("ops-safety-sync-running"),
                t!("ops-safety-sync-running-advice"),
            )
        })?;
    check_databases(&dir.join("data"))?;
    let live = layout::data_dir(home);
    let barrier = HostLock::WriteBarrier.exclusive(home).map_err(|e| {
        Error::io(
            t!("ops-doing-taking-write-barrier"),
            crate::hostlock::locks_dir(home),
            e,
        )
    })?;
    if std::fs::symlink_metadata(&live).is_ok() {
        crate::restore::exchange(&dir.join("data"), &live)?;
    } else {
        crate::fault::rename(&dir.join("data"), &live)
            .map_err(|e| Error::io(t!("ops-doing-moving-safety-copy"), &live, e))?;
    }
    drop(barrier);
    sync_dir(home)?;
    // The folder now holds the data that was live: name it for what it is.
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    let renamed = safety_dir(home).join(format!("{stamp}-before-return-{name}"));
    let kept = if dir.join("data").exists() {
        crate::fault::rename(&dir, &renamed)
            .map_err(|e| Error::io(t!("ops-doing-naming-safety-copy"), &renamed, e))?;
        sync_dir(&safety_dir(home))?;
        renamed.join("data")
    } else {
        let _ = std::fs::remove_dir(&dir);
        dir.join("data")
    };
    Ok(Returned {
        restored: name.to_string(),
        kept_as: kept,
    })
}

/// `quick_check` of every database in a safety copy: one that is damaged
/// is not put back.
fn check_databases(data: &Path) -> Result<()> {
    let mut stack = vec![data.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .map_err(|e| Error::io(t!("ops-doing-reading-safety-copy"), &d, e))?;
        for e in rd.flatten() {
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(p);
                continue;
            }
            if !t.is_file() || !is_database(&p) {
                continue;
            }
            let verdict = crate::untrusted_db::open(&p, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|c| c.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)));
            if verdict.as_deref() != Ok("ok") {
                return Err(Error::new(
                    Kind::CheckFailed,
                    t!("ops-safety-db-fails-check", path = p.display()),
                    t!("ops-safety-db-fails-check-advice"),
                ));
            }
        }
    }
    Ok(())
}

fn is_database(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(p)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| &head == b"SQLite format 3\0")
}

/// Removes the safety copy `name` (System Administrator only), audited.
pub fn remove(permit: &Permit<Delete>, name: &str) -> Result<SafetyCopy> {
    let home = permit.home();
    let result = (|| -> Result<SafetyCopy> {
        let _op = HostLock::Operation
            .try_exclusive(home)
            .map_err(|e| Error::io(t!("ops-doing-taking-operation-lock"), home, e))?
            .ok_or_else(crate::backup::busy_error)?;
        let dir = find(home, name)?;
        let copy = scan(home)
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::internal(t!("ops-internal-safety-copy-vanished")))?;
        crate::fault::remove_dir_all(&dir)
            .map_err(|e| Error::io(t!("ops-doing-removing-safety-copy"), &dir, e))?;
        sync_dir(&safety_dir(home))?;
        Ok(copy)
    })();
    let event = match &result {
        Ok(_) => Event::new(permit.user(), "safety copy remove", Outcome::Success)
            .reason(&format!("safety copy {name}")),
        Err(e) => Event::new(permit.user(), "safety copy remove", Outcome::Failure)
            .reason(&format!("safety copy {name}: {}", e.message_in(Lang::En))),
    };
    audit::append(home, &event)?;
    result
}
