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
use carevault_core::fsutil::TEMP_PREFIX;
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
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

fn is_candidate(name: &str) -> bool {
    !name.starts_with(TEMP_PREFIX)
        && !name.starts_with('.')
        && name.to_ascii_lowercase().ends_with(".bin")
}

/// Reads one file's readable details; `None` when it is not a backup.
pub fn examine(path: &Path) -> Option<Listed> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    carevault_core::catalog::examine(path, size)
}

/// The backups in the given media folders, newest first.
pub fn scan(dirs: &[(Medium, PathBuf)]) -> Vec<Found> {
    let mut out = Vec::new();
    for (medium, dir) in dirs {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for de in rd.flatten() {
            let name = de.file_name().to_string_lossy().into_owned();
            if !is_candidate(&name) || !de.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            if let Some(listed) = examine(&de.path()) {
                out.push(Found {
                    listed,
                    location: medium.to_string(),
                });
            }
        }
    }
    let created = |f: &Found| {
        f.listed
            .metadata
            .as_ref()
            .map(|m| m.sealed.created_at.clone())
    };
    out.sort_by(|a, b| {
        created(b)
            .cmp(&created(a))
            .then_with(|| a.listed.path.cmp(&b.listed.path))
    });
    out
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
    scan(&media_dirs(home)?)
        .into_iter()
        .find(|f| f.key() == id)
        .ok_or_else(|| {
            ApiError::not_found(
                "there is no backup with this ID",
                "reload the Backup Explorer to see the backups there are now",
            )
        })
}

/// The listing entry of a backup (docs/API.md), plus the core's `listed`
/// fields (`metadata`, `problem`).
pub fn entry(home: &Path, f: &Found) -> Value {
    let l = &f.listed;
    let s = l.metadata.as_ref().map(|m| &m.sealed);
    let last = s.and_then(|s| catalog::last_verification(home, &s.id));
    json!({
        "id": f.key(),
        "label": s.map_or_else(|| f.file_name(), |s| s.label.clone()),
        "created_at": s.map(|s| s.created_at.clone()),
        "size": l.size,
        "encrypted": s.map(|s| s.encrypted),
        "created_by": s.map(|s| s.created_by.clone()),
        "location": f.location,
        "saved_to": s.map(|s| s.location.clone()),
        "automatic": s.is_some_and(|s| s.automatic),
        "status": l.status,
        "problem": l.problem,
        "path": l.path,
        "file_name": f.file_name(),
        "last_verification": last,
        "metadata": l.metadata,
    })
}

/// The details of a backup: the listing entry and the rest of its readable
/// metadata.
pub fn details(home: &Path, f: &Found) -> Value {
    let mut v = entry(home, f);
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
