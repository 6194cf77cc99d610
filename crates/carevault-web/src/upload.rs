//! `POST /api/uploads`: a backup file sent from the browser, streamed to
//! `HOME/.carevault-uploads/` chunk by chunk (never held in memory), at
//! most `max_upload` bytes (413), checked as a backup before it is kept
//! (422 and deleted otherwise). An upload is named by a random ID and can
//! then be verified or restored like a backup on a medium.

use crate::errors::{blocking, ApiError};
use crate::routes::permit;
use crate::session::MaybeWho;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use carevault_core::archive::reader::Opened;
use carevault_core::auth::{self, View};
use carevault_core::Error;
use futures_util::StreamExt;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The uploads folder inside the app home.
pub const DIR: &str = ".carevault-uploads";
/// Uploads older than this are removed when the server starts.
const KEEP: Duration = Duration::from_secs(24 * 3600);

pub fn dir(home: &Path) -> PathBuf {
    home.join(DIR)
}

/// Creates the uploads folder (mode 0700) and removes what an earlier run
/// left: partial uploads, and uploads older than a day.
pub fn prepare_dir(home: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let d = dir(home);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&d)?;
    for e in std::fs::read_dir(&d)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > KEEP);
        if name.starts_with('.') || old {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(())
}

fn valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file of upload `id`, if there is one.
pub fn path_of(home: &Path, id: &str) -> Option<PathBuf> {
    if !valid_id(id) {
        return None;
    }
    let p = dir(home).join(format!("{id}.bin"));
    p.is_file().then_some(p)
}

/// Removes an upload once it is of no further use (after its restore).
pub fn discard(home: &Path, path: &Path) {
    if path.parent() == Some(dir(home).as_path()) {
        let _ = std::fs::remove_file(path);
    }
}

/// A file being received: removed unless kept (an error, a dropped
/// connection or a refusal all leave nothing behind).
struct Partial {
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "usage",
        format!(
            "the file is larger than this server accepts ({})",
            carevault_core::fsutil::human_size(max)
        ),
        "copy the backup onto the tablet's Documents folder or an SD card instead, \
         or start the server with a larger --max-upload",
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
    if !first_run {
        let who = who.ok_or_else(ApiError::unauthorized)?;
        permit::<View>(&who).await?;
    }
    let max = state.max_upload;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }
    let id = {
        let mut b = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
        hex::encode(b)
    };
    let d = dir(&home);
    let mut partial = Partial {
        path: d.join(format!(".{id}.partial")),
        keep: false,
    };
    let io = |what: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| ApiError::from(Error::io(what, path, e))
    };
    let mut file = tokio::fs::File::create(&partial.path)
        .await
        .map_err(io("saving the upload", &partial.path))?;
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request(
                "the upload was interrupted before the whole file arrived",
                "send the file again",
            )
        })?;
        size += chunk.len() as u64;
        if size > max {
            return Err(too_large(max));
        }
        file.write_all(&chunk)
            .await
            .map_err(io("saving the upload", &partial.path))?;
    }
    file.sync_all()
        .await
        .map_err(io("saving the upload", &partial.path))?;
    drop(file);
    let final_path = d.join(format!("{id}.bin"));
    let checked = partial.path.clone();
    let target = final_path.clone();
    let metadata = blocking(move || {
        let opened = Opened::open(&checked)?;
        std::fs::rename(&checked, &target)
            .map_err(|e| Error::io("keeping the upload", &target, e))?;
        carevault_core::fsutil::sync_dir(target.parent().expect("in the uploads folder"))?;
        Ok(opened.metadata)
    })
    .await
    .map_err(|e| {
        let _ = std::fs::remove_file(&final_path);
        e.policy()
    })?;
    partial.keep = true;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "upload_id": id, "size": size, "metadata": metadata })),
    )
        .into_response())
}
