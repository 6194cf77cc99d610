//! Pushing local backups offsite: which are pending, and one backup's
//! upload (the file, its sidecar, a status event), recorded and audited.
//! The CLI's `carevault offsite push`, the web's "Copy offsite now" and
//! the server's scheduler all go through here.

use crate::S3Store;
use carevault_core::archive::reader::Opened;
use carevault_core::audit::{self, Event, Outcome};
use carevault_core::auth::{Permit, View};
use carevault_core::i18n::{t, Lang, Text};
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
    /// What was checked before the upload (English: it is also written
    /// into the bucket's status event; see [`Pushed::checked_text`]).
    pub checked: &'static str,
}

impl Pushed {
    /// What was checked before the upload, in the reader's language.
    pub fn checked_text(&self) -> Text {
        t!("offsite-push-checked")
    }
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
                t!("offsite-no-local-backup", id = format!("{want:?}")),
                t!("offsite-no-local-backup-advice"),
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
        .map_err(|e| crate::fail::io(t!("offsite-doing-reading-backup"), path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| crate::fail::io(t!("offsite-doing-reading-backup"), path, e))?;
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

/// What one read of a backup's bytes gives: its SHA-256, the ETag an upload
/// with parts of `part_size` must get (the MD5 of a single part, or the
/// MD5 of the part MD5s and the count), and the part MD5s themselves
/// (each part's Content-MD5).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Digests {
    pub sha256: String,
    pub etag: String,
    pub part_md5s: Vec<[u8; 16]>,
}

/// [`Digests`] of the open file, from one read of its bytes.
pub(crate) fn digests(file: &std::fs::File, size: u64, part_size: u64) -> Result<Digests> {
    use md5::Digest as _;
    use std::os::unix::fs::FileExt;
    let mut sha = <sha2::Sha256 as sha2::Digest>::new();
    let mut md5s: Vec<[u8; 16]> = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0u64;
    while at < size {
        let mut part = md5::Md5::new();
        let end = (at + part_size).min(size);
        while at < end {
            let want = ((end - at) as usize).min(buf.len());
            let n = file
                .read_at(&mut buf[..want], at)
                .map_err(|e| crate::fail::io(t!("offsite-doing-reading-backup"), "", e))?;
            if n == 0 {
                return Err(crate::fail::incomplete(t!("offsite-backup-got-shorter")));
            }
            sha2::Digest::update(&mut sha, &buf[..n]);
            part.update(&buf[..n]);
            at += n as u64;
        }
        md5s.push(part.finalize().into());
    }
    let etag = if md5s.len() <= 1 {
        hex::encode(
            md5s.first()
                .copied()
                .unwrap_or_else(|| md5::Md5::digest(b"").into()),
        )
    } else {
        crate::multipart::multipart_etag(&md5s)
    };
    if md5s.is_empty() {
        md5s.push(md5::Md5::digest(b"").into());
    }
    Ok(Digests {
        sha256: hex::encode(sha2::Digest::finalize(sha)),
        etag,
        part_md5s: md5s,
    })
}

fn changed(what: Text) -> Error {
    Error::new(
        Kind::Tampered,
        t!("offsite-changed-while-copied", what = what),
        t!("offsite-changed-while-copied-advice"),
    )
}

/// Uploads one backup, its sidecar and a status event; then records it.
///
/// The file is opened once and every read goes to that open file (through
/// `/proc/self/fd`), so a file renamed over it meanwhile is never read.
/// Only a backup this tablet signed, whose ID is `want_id`, is copied. Its
/// SHA-256 and the ETag the upload must get come from one read; the store's
/// checked ETag must equal it, and the file must read the same after the
/// upload: the object is then the bytes that were checked.
pub fn push_one(
    home: &Path,
    store: &S3Store,
    path: &Path,
    want_id: &str,
    progress: &dyn Progress,
) -> Result<Pushed> {
    use std::os::fd::AsRawFd;
    let file = carevault_core::fsutil::open_regular_following(path)
        .map_err(|e| crate::fail::io(t!("offsite-doing-opening-backup"), path, e))?;
    let pinned = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    // What can be checked without the passphrase: the container, the
    // readable metadata against the sealed payload name, the key slots'
    // checksums, and the device signature.
    let opened = Opened::open(&pinned).map_err(|e| e.at(path))?;
    let id = opened.metadata.sealed.id.clone();
    if id != want_id {
        return Err(changed(t!(
            "offsite-changed-id",
            listed = want_id,
            now = id.as_str()
        )));
    }
    let trust = carevault_core::provenance::trust::assess(home, opened.signed.as_ref())?;
    if trust.level != carevault_core::provenance::TrustLevel::ThisDevice {
        return Err(Error::new(
            Kind::PermissionDenied,
            t!(
                "offsite-not-this-tablet",
                file = path.display(),
                trust = trust.level.describe()
            ),
            t!("offsite-not-this-tablet-advice"),
        ));
    }
    let checked = "container, readable metadata, key slots, this tablet's signature";
    let verified_at = now();
    let name = carevault_core::backup::file_name(&id);
    let size = opened.file_len;
    // The part MD5s of this read go to the upload, which would otherwise
    // read the whole file once more for them.
    let before = digests(&file, size, store.part_size())?;
    let info = store.put_checked_with(&name, &pinned, Some(&before.part_md5s), progress)?;
    let after = digests(&file, size, store.part_size())?;
    if crate::multipart::unquote(&info.etag) != before.etag || info.size != size {
        return Err(changed(t!("offsite-changed-store-other-bytes")));
    }
    if after != before {
        return Err(changed(t!("offsite-changed-after-upload")));
    }
    let sha256 = before.sha256;
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
        created_at: Some(opened.metadata.sealed.created_at.to_string()),
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
    match push_one(home, store, &backup.path, &backup.id, progress) {
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
            // The push state first: what `status` and the web show must
            // say a push failed even if writing the audit trail fails next.
            let kept = record_error(home, &e);
            audit::append(
                home,
                &Event::new(user, "offsite push", Outcome::Failure)
                    .backup(&backup.id)
                    .medium("Offsite")
                    .reason(&format!("{key}: {}", e.message_in(Lang::En))),
            )?;
            kept?;
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
            // A file of this tablet: English, as every record is.
            message: e.message_in(Lang::En),
        })
    })
}

/// Records that a push copied everything it was asked to.
pub fn record_success(home: &Path) -> Result<()> {
    offsite_state::update_push_state(home, |s| s.last_success = Some(now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The upload takes the part MD5s of push's own read instead of reading
    /// the file again: they must be the ones it would have read itself, and
    /// the ETag the one the store computes from them.
    #[test]
    fn digests_give_the_upload_the_part_md5s_it_would_read_itself() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0usize, 1, 5, 12, 15, (3 << 20) + 7] {
            let p = dir.path().join(format!("f{size}"));
            let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            let part = if size > 1 << 20 { 1 << 20 } else { 5 };
            let f = std::fs::File::open(&p).unwrap();
            let d = digests(&f, size as u64, part).unwrap();
            let read = crate::multipart::part_md5s(&p, size as u64, part).unwrap();
            assert_eq!(d.part_md5s, read, "size {size}");
            assert_eq!(
                d.part_md5s.len() as u64,
                crate::multipart::parts_of(size as u64, part),
                "size {size}"
            );
            let etag = if read.len() == 1 {
                hex::encode(read[0])
            } else {
                crate::multipart::multipart_etag(&read)
            };
            assert_eq!(d.etag, etag, "size {size}");
            assert_eq!(d.sha256, sha256_file(&p).unwrap(), "size {size}");
        }
    }
}
