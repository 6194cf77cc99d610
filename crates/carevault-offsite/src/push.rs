//! Pushing local backups offsite: which are pending, and one backup's
//! upload (the file, its sidecar, a status event), recorded and audited.
//! The CLI's `carevault offsite push`, the web's "Copy offsite now" and
//! the server's scheduler all go through here.

use crate::S3Store;
use carevault_core::archive::reader::Opened;
use carevault_core::audit::{self, Event, Outcome};
use carevault_core::auth::{Permit, View};
use carevault_core::offsite_state::{self, LastError, OffsiteRecord};
use carevault_core::profile::Profile;
use carevault_core::store::FolderStore;
use carevault_core::{catalog, Error, Kind, Progress, Result};
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A finished local backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    pub path: PathBuf,
    pub id: String,
    pub size: u64,
}

/// One backup copied offsite.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub record: OffsiteRecord,
    /// What was checked before the upload.
    pub checked: &'static str,
}

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn media_dirs(home: &Path) -> Result<Vec<PathBuf>> {
    let profile = Profile::load(home)?;
    Ok(profile
        .media
        .listing_dirs(home)
        .into_iter()
        .map(|(_, d)| d)
        .collect())
}

/// The first copy of each ID among readable backups without a conflict.
fn finished(listed: Vec<catalog::Listed>) -> Vec<Local> {
    let mut out: Vec<Local> = Vec::new();
    for l in listed {
        if let (Some(m), false) = (&l.metadata, l.conflict) {
            if !out.iter().any(|b| b.id == m.sealed.id) {
                out.push(Local {
                    path: l.path.clone(),
                    id: m.sealed.id.clone(),
                    size: l.size,
                });
            }
        }
    }
    out
}

/// Finished local backups on every medium, ok and without a conflicting
/// copy (the first copy of each ID).
pub fn local_backups(permit: &Permit<View>) -> Result<Vec<Local>> {
    let dirs = media_dirs(permit.home())?;
    Ok(finished(catalog::list(permit, &dirs)))
}

/// [`local_backups`] for the server's scheduler, which acts for no user:
/// the same walk of the media folders, without the trust assessment.
pub fn local_backups_unattended(home: &Path) -> Result<Vec<Local>> {
    let stores: Vec<FolderStore> = media_dirs(home)?
        .iter()
        .map(|d| FolderStore::new(d, ""))
        .collect();
    Ok(finished(catalog::scan_stores(&stores)))
}

fn not_offsite(home: &Path, local: Vec<Local>, ids: &[String]) -> Result<Vec<Local>> {
    for want in ids {
        if !local.iter().any(|b| b.id == *want) {
            return Err(Error::new(
                Kind::NotFound,
                format!("there is no local backup with ID {want:?}"),
                "run `carevault list` to see the backups and their IDs",
            ));
        }
    }
    let done = offsite_state::records(home)?;
    Ok(local
        .into_iter()
        .filter(|b| (ids.is_empty() || ids.contains(&b.id)) && !done.contains_key(&b.id))
        .collect())
}

/// The local backups not offsite yet: all of them (`ids` empty), or the
/// ones named (each must exist locally).
pub fn pending(permit: &Permit<View>, ids: &[String]) -> Result<Vec<Local>> {
    not_offsite(permit.home(), local_backups(permit)?, ids)
}

/// Every local backup not offsite yet, for the scheduler.
pub fn pending_unattended(home: &Path) -> Result<Vec<Local>> {
    not_offsite(home, local_backups_unattended(home)?, &[])
}

/// The SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = carevault_core::fsutil::open_regular_following(path)
        .map_err(|e| Error::io("reading the backup", path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io("reading the backup", path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The sidecar: the backup's readable metadata (no patient data), its
/// file name, size and SHA-256.
fn sidecar(name: &str, size: u64, sha256: &str, opened: &Opened) -> Vec<u8> {
    let v = json!({
        "file": name,
        "size": size,
        "sha256": sha256,
        "signed_by": opened.signed.as_ref().map(|s| s.key_id.clone()),
        "metadata": opened.metadata,
    });
    let mut b = serde_json::to_vec_pretty(&v).expect("json");
    b.push(b'\n');
    b
}

/// Uploads one backup, its sidecar and a status event; then records it.
pub fn push_one(
    home: &Path,
    store: &S3Store,
    path: &Path,
    progress: &dyn Progress,
) -> Result<Pushed> {
    // What can be checked without the passphrase: the container, the
    // readable metadata against the sealed payload name, the key slots'
    // checksums, and the device signature when the backup is signed.
    let opened = Opened::open(path)?;
    let checked = if opened.signed.is_some() {
        "container, readable metadata, key slots, device signature"
    } else {
        "container, readable metadata, key slots"
    };
    let verified_at = now();
    let id = opened.metadata.sealed.id.clone();
    let name = carevault_core::backup::file_name(&id);
    let size = opened.file_len;
    let sha256 = sha256_file(path)?;
    let info = store.put_checked(&name, path, progress)?;
    store.put_bytes(
        &format!("backups/{name}.json"),
        &sidecar(&name, size, &sha256, &opened),
    )?;
    let uploaded_at = now();
    let head = audit::head(home)?;
    let event = json!({
        "event": "offsite-copy",
        "backup": id,
        "file": name,
        "size": size,
        "sha256": sha256,
        "etag": info.etag,
        "made": opened.metadata.sealed.created_at,
        "verified": verified_at,
        "checked": checked,
        "uploaded": uploaded_at,
        "audit_head": head.as_ref().map(|(seq, hash)| json!({"seq": seq, "hash": hash})),
    });
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.3fZ")
        .to_string();
    store.put_bytes(
        &format!("events/{stamp}-{id}.json"),
        serde_json::to_string_pretty(&event)
            .expect("json")
            .as_bytes(),
    )?;
    let record = OffsiteRecord {
        id,
        key: store.key(&name),
        size,
        etag: info.etag,
        at: uploaded_at,
    };
    offsite_state::mark(home, &record)?;
    Ok(Pushed { record, checked })
}

/// [`push_one`] for `user`, audited (`offsite push`, success or failure);
/// a failure is also kept as the push state's last error.
pub fn push_audited(
    home: &Path,
    user: &str,
    store: &S3Store,
    backup: &Local,
    progress: &dyn Progress,
) -> Result<Pushed> {
    let key = store.key(&carevault_core::backup::file_name(&backup.id));
    match push_one(home, store, &backup.path, progress) {
        Ok(p) => {
            audit::append(
                home,
                &Event::new(user, "offsite push", Outcome::Success)
                    .backup(&backup.id)
                    .medium("Offsite")
                    .reason(&p.record.key),
            )?;
            Ok(p)
        }
        Err(e) => {
            audit::append(
                home,
                &Event::new(user, "offsite push", Outcome::Failure)
                    .backup(&backup.id)
                    .medium("Offsite")
                    .reason(&format!("{key}: {}", e.message())),
            )?;
            record_error(home, &e)?;
            Err(e)
        }
    }
}

/// Keeps `e` as the push state's last error.
pub fn record_error(home: &Path, e: &Error) -> Result<()> {
    offsite_state::update_push_state(home, |s| {
        s.last_error = Some(LastError {
            at: now(),
            code: e.kind().code().into(),
            message: e.message().into(),
        })
    })
}

/// Records that a push copied everything it was asked to.
pub fn record_success(home: &Path) -> Result<()> {
    offsite_state::update_push_state(home, |s| s.last_success = Some(now()))
}
