//! Finding backups: the files on every medium (readable metadata only), an
//! uploaded file by its upload ID, and the JSON entries the API shows.
//!
//! A backup is found by its exact ID (never by a path, a prefix or a
//! label, which a web request must not be able to steer); a damaged file,
//! whose ID cannot be read, by its file name.

use crate::errors::ApiError;
use crate::session::Key;
use crate::AppState;
use carevault_core::catalog::{self, Listed};
use carevault_core::i18n::{t, Lang};
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::store::FolderStore;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The `location` of an uploaded file.
pub const UPLOAD: &str = "Upload";

/// A backup file and where it was found.
pub struct Found {
    pub listed: Listed,
    /// Private, Public, External, or Upload.
    pub location: String,
}

impl Found {
    pub fn path(&self) -> &Path {
        &self.listed.path
    }

    pub fn file_name(&self) -> String {
        self.listed
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The ID to use in URLs: the backup ID, or the file name when damaged.
    pub fn key(&self) -> String {
        match &self.listed.metadata {
            Some(m) => m.sealed.id.clone(),
            None => self.file_name(),
        }
    }
}

/// Reads one file's readable details; `None` when it is not a backup.
pub fn examine(path: &Path) -> Option<Listed> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    carevault_core::catalog::examine(path, size)
}

/// The backups in the given media folders, newest first (the core's
/// listing: the same walk, order and conflict marks as the CLI's).
pub fn scan(dirs: &[(Medium, PathBuf)]) -> Vec<Found> {
    let stores: Vec<FolderStore> = dirs
        .iter()
        .map(|(m, d)| FolderStore::new(d, m.to_string()))
        .collect();
    catalog::scan_stores(&stores)
        .into_iter()
        .map(|listed| Found {
            location: listed.medium.clone().unwrap_or_default(),
            listed,
        })
        .collect()
}

/// Who signed the backup and whether this tablet trusts it (`None` for a
/// damaged file).
fn trust_of(home: &Path, l: &Listed) -> Option<carevault_core::provenance::Trust> {
    let m = l.metadata.as_ref()?;
    // A listing entry made without opening the file (a backup just made)
    // has no signature yet: read it from the file.
    let signed = match &l.signed {
        Some(s) => Some(s.clone()),
        None if m.sealed.format_minor >= 1 => carevault_core::ops::show::BackupFile::open(&l.path)
            .ok()?
            .signed()
            .cloned(),
        None => None,
    };
    carevault_core::provenance::trust::assess(home, signed.as_ref()).ok()
}

/// Every medium folder of the home (Private, Public, attached External).
pub fn media_dirs(home: &Path) -> Result<Vec<(Medium, PathBuf)>, ApiError> {
    Ok(Profile::load(home)?.media.listing_dirs(home))
}

/// Finds backup `id` on the media of the home, or an upload with that ID
/// that belongs to `owner` (the caller's session).
pub fn find(state: &AppState, owner: Option<&Key>, id: &str) -> Result<Found, ApiError> {
    let home = &state.home;
    if let Some(path) = state.uploads.path_of(&state.sessions, id, owner) {
        if let Some(listed) = examine(&path) {
            return Ok(Found {
                listed,
                location: UPLOAD.into(),
            });
        }
    }
    find_on_media(home, id)
}

/// A backup on the media by its ID. Never "the first match": a file
/// planted with a real backup's ID would shadow it. Two files with one ID
/// are a conflict, and neither is used by ID until one is removed.
fn find_on_media(home: &Path, id: &str) -> Result<Found, ApiError> {
    let mut hits: Vec<Found> = scan(&media_dirs(home)?)
        .into_iter()
        .filter(|f| f.key() == id)
        .collect();
    match hits.len() {
        1 => Ok(hits.remove(0)),
        // Byte-identical copies (the core marks no conflict): the one on
        // the tablet's own media first (Private, Public, then External).
        n if n > 1 && hits.iter().all(|f| !f.listed.conflict) => {
            let rank = |f: &Found| match f.location.as_str() {
                "Private" => 0,
                "Public" => 1,
                _ => 2,
            };
            let best = (0..hits.len()).min_by_key(|&i| rank(&hits[i])).unwrap_or(0);
            Ok(hits.swap_remove(best))
        }
        0 => Err(ApiError::not_found(
            t!("web-no-backup"),
            t!("web-no-backup-advice"),
        )),
        n => {
            let places: Vec<String> = hits
                .iter()
                .map(|f| format!("{} ({})", f.file_name(), f.location))
                .collect();
            Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "conflict",
                t!("web-id-conflict", count = n, files = places.join(", ")),
                t!("web-id-conflict-advice"),
            ))
        }
    }
}

/// The listing entry of a backup (docs/API.md), plus the core's `listed`
/// fields (`metadata`, `problem`); its words (`found_in`) in `lang`.
pub fn entry(home: &Path, f: &Found, lang: Lang) -> Value {
    let l = &f.listed;
    let s = l.metadata.as_ref().map(|m| &m.sealed);
    let last = s.and_then(|s| catalog::last_verification(home, &s.id));
    let found_in = if f.location == UPLOAD {
        Some(t!("web-found-in-upload").render(lang))
    } else {
        carevault_core::profile::Profile::load(home)
            .ok()
            .map(|p| p.media.found_in(home, &l.path))
    };
    json!({
        "id": f.key(),
        "label": s.map_or_else(|| f.file_name(), |s| s.label.clone()),
        "created_at": s.map(|s| &s.created_at),
        "size": l.size,
        "encrypted": s.map(|s| s.encrypted),
        "created_by": s.map(|s| s.created_by.clone()),
        "location": f.location,
        "saved_to": s.map(|s| &s.location),
        "automatic": s.is_some_and(|s| s.automatic),
        "status": l.status,
        "problem": l.problem,
        "path": l.path,
        "file_name": f.file_name(),
        "found_in": found_in,
        "last_verification": last,
        "metadata": l.metadata,
        "signature": trust_of(home, l),
        "conflict": l.conflict,
    })
}

/// The details of a backup: the listing entry and the rest of its readable
/// metadata.
pub fn details(home: &Path, f: &Found, lang: Lang) -> Value {
    let mut v = entry(home, f, lang);
    // A damaged record marks nothing.
    let from = carevault_core::restored_from::current(home).ok().flatten();
    v["restored_from"] = json!(from.is_some_and(|r| v["id"] == r.id.as_str()));
    if let Some(m) = &f.listed.metadata {
        let s = &m.sealed;
        v["facility"] = json!(s.facility);
        v["device"] = json!(s.device);
        v["app_version"] = json!(s.app_version);
        v["format_version"] = json!(s.format_version);
        v["key_slots"] = json!(m.key_slots.iter().map(|k| &k.kind).collect::<Vec<_>>());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The released 1.0 fixture, a real backup file.
    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../carevault-core/tests/vectors/good-v1-unencrypted.bin")
    }

    #[test]
    fn a_planted_file_with_a_private_backups_id_is_a_conflict_not_a_first_match() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path();
        let private = home.join("private/backups");
        let docs = home.join("Documents");
        std::fs::create_dir_all(&private).unwrap();
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(fixture(), private.join("Backup-real.bin")).unwrap();
        let id = find_id(home);
        assert_eq!(find_on_media(home, &id).ok().unwrap().location, "Private");
        // A byte-identical copy is the same backup: no conflict, and the
        // first listed (Private) is used.
        std::fs::copy(fixture(), docs.join("Backup-copy.bin")).unwrap();
        let listed = scan(&media_dirs(home).unwrap());
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|f| !f.listed.conflict));
        assert_eq!(find_on_media(home, &id).ok().unwrap().location, "Private");
        std::fs::remove_file(docs.join("Backup-copy.bin")).unwrap();
        // A planted file with the same ID and other bytes is a conflict.
        let mut bytes = std::fs::read(fixture()).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(docs.join("Backup-planted.bin"), &bytes).unwrap();
        let listed = scan(&media_dirs(home).unwrap());
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|f| f.listed.conflict));
        let e = find_on_media(home, &id).err().expect("no first match");
        assert_eq!(e.status, axum::http::StatusCode::CONFLICT);
        let message = e.message().render(Lang::En);
        assert!(message.contains("Backup-planted.bin (Public)"), "{message}");
        assert!(message.contains("Backup-real.bin (Private)"), "{message}");
        assert!(
            message.starts_with("2 files carry this backup ID"),
            "{message}"
        );
        let v = entry(home, &listed[0], Lang::En);
        assert_eq!(v["conflict"], true);
        assert_eq!(v["signature"]["level"], "unsigned");
    }

    fn find_id(home: &Path) -> String {
        scan(&media_dirs(home).unwrap())[0].key()
    }
}
