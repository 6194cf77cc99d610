//! Finding backups in folders: listing (readable metadata only, no
//! passphrase, no full read), looking one up by ID or label, deleting.

use crate::archive::reader::Opened;
use crate::audit::{self, Event, Outcome};
use crate::auth::{Action, Delete, Permit, View};
use crate::error::{Error, Kind, Result};
use crate::format::metadata::Metadata;
use crate::fsutil;
use crate::i18n::t;
use crate::store::{FolderStore, Store};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Whether a listed file could be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Its container and readable details were read and checked.
    #[default]
    Ok,
    /// Its container or readable details cannot be read (`problem` says why).
    Damaged,
}

/// One file in a listing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listed {
    /// The file.
    pub path: PathBuf,
    /// File size in bytes.
    pub size: u64,
    /// `ok`, or `damaged` when its container or metadata cannot be read.
    pub status: Status,
    /// Its readable metadata (absent when damaged).
    pub metadata: Option<Metadata>,
    /// Why it is listed as damaged.
    pub problem: Option<String>,
    /// Its checked signature (absent: unsigned or damaged).
    pub signed: Option<crate::provenance::Signed>,
    /// Who signed it and whether this tablet trusts it (filled by [`list`]).
    pub trust: Option<crate::provenance::Trust>,
    /// The medium it was found on (filled by [`list`]): Private, Public,
    /// External, or Folder for any other folder.
    pub medium: Option<String>,
    /// Another file in the listing carries the same backup ID: neither is
    /// restored, verified or deleted by ID until one is removed.
    pub conflict: bool,
    /// Where the payload's data lies (offset, length; not serialised), for
    /// telling copies of one backup from files that only share its ID.
    #[serde(skip)]
    pub payload_at: Option<(u64, u64)>,
}

/// Lists the backups in `dirs` (missing folders are skipped), newest first.
pub fn list(permit: &Permit<View>, dirs: &[PathBuf]) -> Vec<Listed> {
    let home = permit.home();
    crate::restore::recover_if_idle(home);
    let mut items = scan(dirs);
    let trust = crate::provenance::trust::TrustStore::load(home).ok();
    let profile = crate::profile::Profile::load(home).ok();
    for l in &mut items {
        l.trust = trust.as_ref().map(|t| t.assess(l.signed.as_ref()));
        l.medium = Some(
            profile
                .as_ref()
                .and_then(|p| p.media.medium_of(home, &l.path))
                .map_or_else(|| "Folder".to_string(), |m| m.to_string()),
        );
    }
    items
}

/// Marks the files of a listing that share a backup ID with another.
fn mark_conflicts(items: &mut [Listed]) {
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in items.iter() {
        if let Some(m) = &l.metadata {
            *count.entry(m.sealed.id.clone()).or_default() += 1;
        }
    }
    // Copies of one backup (a "Copy to USB" while the drive is attached)
    // are one backup, not a conflict: only files that differ outside their
    // payload can be a plant. Compared only when an ID repeats.
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut differs: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, l) in items.iter().enumerate() {
        let Some(m) = &l.metadata else { continue };
        if count.get(&m.sealed.id).copied().unwrap_or(0) < 2 {
            continue;
        }
        match first.get(&m.sealed.id) {
            None => {
                first.insert(m.sealed.id.clone(), i);
            }
            Some(&f) => {
                if !same_backup(&items[f], l) {
                    differs.insert(m.sealed.id.clone());
                }
            }
        }
    }
    for l in items.iter_mut() {
        l.conflict = l
            .metadata
            .as_ref()
            .is_some_and(|m| differs.contains(&m.sealed.id));
    }
}

/// Two listed files are copies of one backup: the same size, and the same
/// bytes everywhere but in the payload's data (false on any read error).
///
/// The payload is left out because the compared bytes bind it: entry 6
/// holds its SHA-256 (and the signed origin record repeats it), and verify
/// and restore check the payload against that hash and refuse a file that
/// fails it before anything is put in place. A file that differs only
/// there is a damaged copy, not a second backup. Reading it would make every
/// listing read every duplicated backup in full (docs/FORMAT.md, "Copies
/// of one backup").
fn same_backup(a: &Listed, b: &Listed) -> bool {
    let (Some(pa), Some(pb)) = (a.payload_at, b.payload_at) else {
        return false;
    };
    if a.size != b.size || pa != pb {
        return false;
    }
    let (Ok(mut fa), Ok(mut fb)) = (
        crate::fsutil::open_regular(&a.path),
        crate::fsutil::open_regular(&b.path),
    ) else {
        return false;
    };
    match (fa.metadata(), fb.metadata()) {
        (Ok(ma), Ok(mb)) if ma.len() == a.size && mb.len() == b.size => {}
        _ => return false,
    }
    let (off, len) = pa;
    let Some(end) = off.checked_add(len).filter(|e| *e <= a.size) else {
        return false;
    };
    same_range(&mut fa, &mut fb, 0, off) && same_range(&mut fa, &mut fb, end, a.size - end)
}

/// The `len` bytes at `at` are the same in both files.
fn same_range(fa: &mut std::fs::File, fb: &mut std::fs::File, at: u64, len: u64) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    if fa.seek(SeekFrom::Start(at)).is_err() || fb.seek(SeekFrom::Start(at)).is_err() {
        return false;
    }
    let mut ba = vec![0u8; (1 << 20).min(len as usize)];
    let mut bb = vec![0u8; ba.len()];
    let mut left = len;
    while left > 0 {
        let n = (ba.len() as u64).min(left) as usize;
        if fa.read_exact(&mut ba[..n]).is_err() || fb.read_exact(&mut bb[..n]).is_err() {
            return false;
        }
        if ba[..n] != bb[..n] {
            return false;
        }
        left -= n as u64;
    }
    true
}

/// The listing itself, for the library's own use (retention, status).
pub(crate) fn scan(dirs: &[PathBuf]) -> Vec<Listed> {
    let stores: Vec<FolderStore> = dirs.iter().map(|d| FolderStore::new(d, "")).collect();
    scan_stores(&stores)
}

/// The backups in the given folder stores, newest first, each with its
/// store's name as `medium` (when the store has one), and the files that
/// share a backup ID marked. The files are opened on one thread per core
/// (each open reads a few headers, the metadata and the key slots: ~50 µs,
/// mostly system calls).
pub fn scan_stores(stores: &[FolderStore]) -> Vec<Listed> {
    let mut candidates: Vec<(PathBuf, u64, String)> = Vec::new();
    for store in stores {
        // A folder that cannot be read holds nothing we can list.
        for o in store.list().unwrap_or_default() {
            let Ok(path) = store.path_of(&o.name) else {
                continue;
            };
            candidates.push((path, o.size, store.name().to_string()));
        }
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let chunk = candidates.len().div_ceil(workers).max(16);
    // A spawned thread has no language of its own: the workers render what
    // they say (a damaged file's problem) in the caller's.
    let lang = crate::i18n::current();
    let mut out: Vec<Listed> = std::thread::scope(|s| {
        let handles: Vec<_> = candidates
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    crate::i18n::in_lang(lang, || {
                        part.iter()
                            .filter_map(|(p, n, medium)| {
                                examine(p, *n).map(|mut l| {
                                    l.medium = (!medium.is_empty()).then(|| medium.clone());
                                    l
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    out.sort_by(|a, b| {
        let ka = a.metadata.as_ref().map(|m| m.sealed.created_at.timestamp());
        let kb = b.metadata.as_ref().map(|m| m.sealed.created_at.timestamp());
        kb.cmp(&ka).then_with(|| a.path.cmp(&b.path))
    });
    mark_conflicts(&mut out);
    out
}

/// One listing line for the file at `path` (of `size` bytes): its readable
/// details, or why it is damaged; `None` for a file that is not a backup.
pub fn examine(path: &Path, size: u64) -> Option<Listed> {
    match Opened::open(path) {
        Ok(o) => Some(Listed {
            path: path.to_path_buf(),
            size,
            status: Status::Ok,
            metadata: Some(o.metadata),
            problem: None,
            signed: o.signed,
            payload_at: Some((o.layout.payload.1.offset, o.layout.payload.1.len)),
            ..Listed::default()
        }),
        Err(e) if e.kind() == Kind::NotABackup => None,
        Err(e) => Some(Listed {
            path: path.to_path_buf(),
            size,
            status: Status::Damaged,
            metadata: None,
            problem: Some(e.message().to_string()),
            ..Listed::default()
        }),
    }
}

fn id_listed(l: &Listed) -> Option<String> {
    l.metadata.as_ref().map(|m| m.sealed.id.clone())
}

/// Whether `what`, as a person typed it, names a file: it holds a `/` or
/// ends with `.bin`. Anything else is an ID, an ID prefix or a label, and a
/// file of that name in the working folder is never taken for it.
pub fn names_a_file(what: &str) -> bool {
    what.contains('/') || what.to_ascii_lowercase().ends_with(".bin")
}

/// Finds a backup by file path, ID, ID prefix, label, or the file name of a
/// backup in `dirs` (see [`names_a_file`]).
pub fn find<A: Action>(permit: &Permit<A>, dirs: &[PathBuf], what: &str) -> Result<PathBuf> {
    find_listed(permit, dirs, what).map(|(path, _)| path)
}

/// Like [`find`], with the backup ID the listing showed when `what` was
/// resolved through it (not for a path given as such): what a restore
/// passes as [`crate::restore::RestoreRequest::expect_id`].
pub fn find_listed<A: Action>(
    permit: &Permit<A>,
    dirs: &[PathBuf],
    what: &str,
) -> Result<(PathBuf, Option<String>)> {
    crate::restore::recover_if_idle(permit.home());
    let as_path = Path::new(what);
    if names_a_file(what) && as_path.is_file() {
        return Ok((as_path.to_path_buf(), None));
    }
    if what.contains('/') {
        return Err(Error::new(
            Kind::NotFound,
            t!("ops-find-no-file"),
            t!("ops-find-no-file-advice"),
        )
        .at(as_path));
    }
    let listed = scan(dirs);
    let exact: Vec<_> = listed
        .iter()
        .filter(|l| {
            l.metadata
                .as_ref()
                .is_some_and(|m| m.sealed.id == what || m.sealed.label == what)
        })
        .collect();
    let hits = if exact.is_empty() {
        listed
            .iter()
            .filter(|l| {
                l.metadata
                    .as_ref()
                    .is_some_and(|m| m.sealed.id.starts_with(what))
                    || l.path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy() == what)
            })
            .collect()
    } else {
        exact
    };
    // Two files with one ID: one of them may be a plant that copies a real
    // backup's readable details. Neither is used until one is removed.
    if let Some(c) = hits.iter().find(|l| l.conflict) {
        let id = c
            .metadata
            .as_ref()
            .map(|m| m.sealed.id.as_str())
            .unwrap_or("");
        let paths: Vec<String> = listed
            .iter()
            .filter(|l| l.metadata.as_ref().is_some_and(|m| m.sealed.id == id))
            .map(|l| l.path.display().to_string())
            .collect();
        return Err(Error::new(
            Kind::Usage,
            t!(
                "ops-find-id-conflict",
                n = paths.len(),
                id = id,
                paths = paths.join(", ")
            ),
            t!("ops-find-id-conflict-advice"),
        ));
    }
    match hits.as_slice() {
        [one] => Ok((one.path.clone(), id_listed(one))),
        // Identical copies of one backup (no conflict): the one on the
        // tablet's own media first (Private, Public, then the others).
        [one, rest @ ..]
            if rest.iter().all(|l| {
                l.metadata.as_ref().map(|m| &m.sealed.id)
                    == one.metadata.as_ref().map(|m| &m.sealed.id)
            }) && one.metadata.is_some() =>
        {
            let rank = |l: &Listed| match l.medium.as_deref() {
                Some("Private") => 0,
                Some("Public") => 1,
                _ => 2,
            };
            let best = hits.iter().min_by_key(|l| rank(l)).copied().unwrap_or(one);
            Ok((best.path.clone(), id_listed(best)))
        }
        [] => Err(Error::new(
            Kind::NotFound,
            t!("ops-find-none", what = format!("{what:?}")),
            t!("ops-find-none-advice"),
        )),
        many => Err(Error::new(
            Kind::Usage,
            t!("ops-find-many", n = many.len(), what = format!("{what:?}")),
            t!("ops-find-many-advice"),
        )),
    }
}

/// Deletes a backup file (after checking it is one), durably; audited.
pub fn delete(permit: &Permit<Delete>, path: &Path) -> Result<Listed> {
    let result = delete_inner(permit.home(), path);
    let mut event = match &result {
        Ok(_) => Event::new(permit.user(), "delete", Outcome::Success),
        Err(e) => Event::new(permit.user(), "delete", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    if let Some(id) = result
        .as_ref()
        .ok()
        .and_then(|l| l.metadata.as_ref())
        .map(|m| m.sealed.id.clone())
    {
        event = event.backup(&id);
    }
    audit::append(permit.home(), &event)?;
    result
}

fn delete_inner(home: &Path, path: &Path) -> Result<Listed> {
    let _op = crate::hostlock::HostLock::Operation
        .try_exclusive(home)
        .map_err(|e| Error::io(t!("ops-doing-taking-operation-lock"), home, e))?
        .ok_or_else(crate::backup::busy_error)?;
    crate::restore::recover(home)?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let (metadata, status) = match Opened::open(path) {
        Ok(o) => (Some(o.metadata), Status::Ok),
        Err(e) if e.kind() == Kind::NotABackup || e.kind() == Kind::NotFound => return Err(e),
        Err(_) => (None, Status::Damaged),
    };
    let (dir, name) = match (path.parent(), path.file_name().and_then(|n| n.to_str())) {
        (Some(d), Some(n)) => (d, n),
        _ => return Err(Error::internal(t!("ops-internal-path-without-name"))),
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    FolderStore::new(dir, "").delete(name)?;
    Ok(Listed {
        path: path.to_path_buf(),
        size,
        status,
        metadata,
        ..Listed::default()
    })
}

/// The ID of the backup at `path`, if it can be read.
pub fn id_of(path: &Path) -> Option<String> {
    Opened::open(path).ok().map(|o| o.metadata.sealed.id)
}

/// The last verification of a backup, as remembered for `show`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Verification {
    /// When (UTC).
    pub at: String,
    /// Whether it passed.
    pub ok: bool,
    /// The failure, in plain words.
    pub problem: Option<String>,
}

fn verifications_file(home: &Path) -> PathBuf {
    crate::layout::private_dir(home).join("verifications.json")
}

/// Records the outcome of a verification of backup `id`.
pub fn remember_verification<T>(home: &Path, id: &str, result: &Result<T>) -> Result<()> {
    let path = verifications_file(home);
    let mut all: std::collections::BTreeMap<String, Verification> =
        fsutil::read_small(&path, 64 * 1024 * 1024)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
    all.insert(
        id.to_string(),
        Verification {
            at: jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            ok: result.is_ok(),
            // A stored record: English, whoever verified (docs/PROFILE.md).
            problem: result
                .as_ref()
                .err()
                .map(|e| e.message_in(crate::i18n::Lang::En)),
        },
    );
    // O_EXCL|O_NOFOLLOW, 0600, in a 0700 folder (fsutil::write_private).
    fsutil::write_private(&path, &serde_json::to_vec_pretty(&all).expect("json"))
}

/// The last verification of backup `id`, if any.
pub fn last_verification(home: &Path, id: &str) -> Option<Verification> {
    let bytes = fsutil::read_small(&verifications_file(home), 64 * 1024 * 1024).ok()??;
    let all: std::collections::BTreeMap<String, Verification> =
        serde_json::from_slice(&bytes).ok()?;
    all.get(id).cloned()
}
