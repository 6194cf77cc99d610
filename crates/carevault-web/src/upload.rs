//! `POST /api/uploads`: a backup file sent from the browser, streamed to
//! `HOME/.carevault-uploads/` chunk by chunk (never held in memory) and
//! hashed (SHA-256) on the way, at most `max_upload` bytes, within the
//! quotas (bytes per session, bytes for the whole server; 413 beyond), and
//! checked as a backup (container and readable details) before it is kept
//! (422 and deleted otherwise). A SanteDB `.bin` (its clear header checked
//! by `carevault_santedb::probe`) is kept too, for "Import and restore"
//! only (`routes::import`): it is never offered as a carevault backup.
//!
//! An upload belongs to the session that sent it (or, in a first run, to
//! nobody in particular): only that session can use its ID. It is removed
//! after its restore, when its session ends, and an hour after it arrived
//! (the file of one that an earlier run left, which no session can use, an
//! hour after it was written). Restoring an upload over clinic data
//! needs a System Administrator (`routes::backups::restore`).

use crate::clock::Clock;
use crate::errors::{blocking, ApiError};
use crate::routes::permit;
use crate::session::{Key, MaybeWho, Sessions};
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use carevault_core::auth::{self, View};
use carevault_core::i18n::{t, Text};
use carevault_core::ops::show::BackupFile;
use carevault_core::units::human_size;
use carevault_core::Error;
use futures_util::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The uploads folder inside the app home.
pub const DIR: &str = carevault_core::provenance::policy::UPLOADS_DIR;

pub fn dir(home: &Path) -> PathBuf {
    home.join(DIR)
}

/// Creates the uploads folder (mode 0700) and removes what an earlier run
/// left: partial uploads, and uploads older than `keep`.
pub fn prepare_dir(home: &Path, keep: Duration) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let d = dir(home);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&d)?;
    remove_stale(&d, keep, |name| name.starts_with('.'));
    Ok(())
}

/// Removes the files of `d` older than `keep` (by their modification
/// time), and those `also` names. Only files and symlinks are removed (a
/// symlink as a link, never followed); nothing is opened.
fn remove_stale(d: &Path, keep: Duration, also: impl Fn(&str) -> bool) {
    let Ok(rd) = std::fs::read_dir(d) else {
        return;
    };
    for e in rd.flatten() {
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        if !(meta.is_file() || meta.file_type().is_symlink()) {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let old = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > keep);
        if old || also(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn file_of(home: &Path, id: &str) -> PathBuf {
    dir(home).join(format!("{id}.bin"))
}

/// The quotas and lifetime of uploads.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Largest single upload, in bytes.
    pub max_upload: u64,
    /// Bytes all uploads of one session may hold at once.
    pub per_session: u64,
    /// Bytes all uploads may hold at once.
    pub total: u64,
    /// An upload is removed this long after it arrived.
    pub keep: Duration,
}

struct Upload {
    owner: Option<Key>,
    bytes: u64,
    arrived: Duration,
    /// False while it is being received.
    kept: bool,
    /// A SanteDB `.bin` (for "Import and restore" only), not a carevault backup.
    santedb: bool,
}

/// The uploads of this server.
pub struct Uploads {
    home: PathBuf,
    limits: UploadLimits,
    clock: Clock,
    map: Mutex<HashMap<String, Upload>>,
}

impl Uploads {
    pub fn new(home: PathBuf, limits: UploadLimits, clock: Clock) -> Uploads {
        Uploads {
            home,
            limits,
            clock,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Removes the uploads whose hour has passed or whose session ended.
    pub fn sweep(&self, sessions: &Sessions) {
        let now = self.clock.now();
        let mut map = self.map.lock().expect("uploads");
        map.retain(|id, u| {
            let expired = now.saturating_sub(u.arrived) >= self.limits.keep;
            let orphan = u.owner.is_some_and(|k| !sessions.is_live(&k));
            let gone = u.kept && (expired || orphan);
            if gone {
                let _ = std::fs::remove_file(file_of(&self.home, id));
            }
            !gone
        });
    }

    fn begin(&self, id: &str, owner: Option<Key>) {
        self.map.lock().expect("uploads").insert(
            id.to_string(),
            Upload {
                owner,
                bytes: 0,
                arrived: self.clock.now(),
                kept: false,
                santedb: false,
            },
        );
    }

    /// Counts `n` more bytes of upload `id`, or refuses them (413).
    fn charge(&self, id: &str, n: u64) -> Result<(), ApiError> {
        self.room(id, n, true)
    }

    /// 413 unless `n` more bytes of upload `id` fit; counts them if `count`.
    fn room(&self, id: &str, n: u64, count: bool) -> Result<(), ApiError> {
        let mut map = self.map.lock().expect("uploads");
        let Some(owner) = map.get(id).map(|u| u.owner) else {
            return Err(ApiError::internal(t!("web-upload-lost")));
        };
        let total: u64 = map.values().map(|u| u.bytes).sum();
        let mine: u64 = map
            .values()
            .filter(|u| u.owner == owner)
            .map(|u| u.bytes)
            .sum();
        let this = map.get(id).map_or(0, |u| u.bytes);
        let l = self.limits;
        if this + n > l.max_upload {
            return Err(too_large(l.max_upload));
        }
        if owner.is_some() && mine + n > l.per_session {
            return Err(over_quota(t!("web-quota-session"), l.per_session));
        }
        if total + n > l.total {
            return Err(over_quota(t!("web-quota-server"), l.total));
        }
        if count {
            if let Some(u) = map.get_mut(id) {
                u.bytes += n;
            }
        }
        Ok(())
    }

    fn keep(&self, id: &str, santedb: bool) {
        if let Some(u) = self.map.lock().expect("uploads").get_mut(id) {
            u.kept = true;
            u.santedb = santedb;
            u.arrived = self.clock.now();
        }
    }

    /// Forgets upload `id` and removes its file.
    pub fn remove(&self, id: &str) {
        self.map.lock().expect("uploads").remove(id);
        let _ = std::fs::remove_file(file_of(&self.home, id));
    }

    /// The file of upload `id` if it is kept and belongs to `owner` (the
    /// caller's session; `None` in a first run).
    /// A SanteDB upload is never one: it is only for "Import and restore".
    pub fn path_of(&self, sessions: &Sessions, id: &str, owner: Option<&Key>) -> Option<PathBuf> {
        self.path_if(sessions, id, owner, false)
    }

    /// The file of SanteDB upload `id`, as [`Uploads::path_of`] for carevault ones.
    pub fn santedb_path_of(
        &self,
        sessions: &Sessions,
        id: &str,
        owner: Option<&Key>,
    ) -> Option<PathBuf> {
        self.path_if(sessions, id, owner, true)
    }

    fn path_if(
        &self,
        sessions: &Sessions,
        id: &str,
        owner: Option<&Key>,
        santedb: bool,
    ) -> Option<PathBuf> {
        if !valid_id(id) {
            return None;
        }
        self.sweep(sessions);
        let map = self.map.lock().expect("uploads");
        let u = map.get(id)?;
        (u.kept && u.santedb == santedb && u.owner.as_ref() == owner)
            .then(|| file_of(&self.home, id))
    }

    /// The upload ID of `path`, if it is an upload.
    pub fn id_of(&self, path: &Path) -> Option<String> {
        if path.parent() != Some(dir(&self.home).as_path()) {
            return None;
        }
        let name = path.file_name()?.to_str()?;
        let id = name.strip_suffix(".bin")?;
        valid_id(id).then(|| id.to_string())
    }
}

/// A file being received: removed unless kept (an error, a dropped
/// connection or a refusal all leave nothing behind, and free its quota).
struct Partial<'a> {
    uploads: &'a Uploads,
    id: String,
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial<'_> {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
            self.uploads.remove(&self.id);
        }
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "usage",
        t!("web-upload-too-large", max = human_size(max)),
        t!("web-upload-too-large-advice"),
    )
}

fn over_quota(whose: Text, quota: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "usage",
        t!("web-over-quota", whose = whose, quota = human_size(quota)),
        t!("web-over-quota-advice"),
    )
}

/// `POST /api/uploads`: first run (no login), or a user allowed to view backups.
pub async fn post(
    State(state): State<AppState>,
    MaybeWho(who): MaybeWho,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let home = state.home.clone();
    let first_run = {
        let home = home.clone();
        blocking(move || Ok(auth::is_first_run(&home))).await?
    };
    let owner = if first_run {
        None
    } else {
        let who = who.ok_or_else(ApiError::unauthorized)?;
        permit::<View>(&who).await?;
        Some(who.key)
    };
    let uploads = &state.uploads;
    uploads.sweep(&state.sessions);
    let id = {
        let mut b = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
        hex::encode(b)
    };
    let d = dir(&home);
    uploads.begin(&id, owner);
    let mut partial = Partial {
        uploads,
        id: id.clone(),
        path: d.join(format!(".{id}.partial")),
        keep: false,
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared {
        // Refuse at once what cannot fit, then count the real bytes.
        uploads.room(&id, n, false)?;
    }
    let io = |what: Text, path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| ApiError::from(Error::io(what, path, e))
    };
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial.path)
        .await
        .map_err(io(t!("web-doing-saving-upload"), &partial.path))?;
    let mut size: u64 = 0;
    let mut hash = Sha256::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request(t!("web-upload-cut"), t!("web-upload-cut-advice"))
        })?;
        uploads.charge(&id, chunk.len() as u64)?;
        size += chunk.len() as u64;
        hash.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(io(t!("web-doing-saving-upload"), &partial.path))?;
    }
    file.sync_all()
        .await
        .map_err(io(t!("web-doing-saving-upload"), &partial.path))?;
    drop(file);
    let sha256 = hex::encode(hash.finalize());
    let final_path = file_of(&home, &id);
    let checked = partial.path.clone();
    let target = final_path.clone();
    let (metadata, santedb) = blocking(move || {
        // A carevault backup, else a SanteDB `.bin` (checked by its clear
        // header; kept for "Import and restore" only).
        let (metadata, santedb) = match BackupFile::open(&checked) {
            Ok(opened) => (json!(opened.metadata()), None),
            Err(e) => match carevault_santedb::probe(&checked) {
                Ok((layout, encrypted)) => (
                    Value::Null,
                    Some(json!({"layout": layout, "encrypted": encrypted})),
                ),
                // A SanteDB magic with a damaged or cut header: say so.
                Err(s) if s.kind() != carevault_core::Kind::NotABackup => return Err(s.into()),
                Err(_) => return Err(e.into()),
            },
        };
        std::fs::rename(&checked, &target)
            .map_err(|e| Error::io(t!("web-doing-keeping-upload"), &target, e))?;
        carevault_core::ops::files::sync_dir(target.parent().expect("in the uploads folder"))?;
        Ok((metadata, santedb))
    })
    .await
    .map_err(|e| {
        let _ = std::fs::remove_file(&final_path);
        e.policy()
    })?;
    partial.keep = true;
    uploads.keep(&id, santedb.is_some());
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "upload_id": id,
            "size": size,
            "sha256": sha256,
            "expires_in_seconds": state.uploads.limits.keep.as_secs(),
            "metadata": metadata,
            "santedb": santedb,
        })),
    )
        .into_response())
}

/// Sweeps the uploads every minute until the server shuts down (requests
/// that use uploads sweep too, so this only catches the quiet times).
pub async fn sweep_every_minute(state: AppState) {
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = shutdown.changed() => return,
        }
        state.uploads.sweep(&state.sessions);
        // Files no upload of this server names (another run's) go after
        // their hour as well.
        let u = &state.uploads;
        remove_stale(&dir(&u.home), u.limits.keep, |_| false);
    }
}
