//! First run (no clinic data in the home): "Start fresh" with a first
//! System Administrator, or restore a backup found on Public or External
//! media or uploaded. The backup's passphrase is the gate, as the core's
//! `auth::first_run_restore` says.

use super::login::{logged_in, Credentials};
use super::starting;
use super::{ensure_idle, passphrase_attempt, run_restore, unlock_for, KeyBody};
use crate::errors::{blocking, ApiError};
use crate::jobs::{JobKind, Owner};
use crate::json::JsonBody;
use crate::language;
use crate::lookup::{self, entry};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use carevault_core::i18n::{t, Lang};
use carevault_core::media::Medium;
use carevault_core::{auth, catalog};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn not_first_run() -> ApiError {
    ApiError::forbidden(t!("web-not-first-run"), t!("web-not-first-run-advice"))
}

/// `POST /api/first-run/admin` ("Start fresh").
pub async fn admin(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(c): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let s = state.clone();
    let who = blocking(move || {
        let _starting = starting(&s);
        let home = &s.home;
        if !auth::first_admin_pending(home) {
            return Err(not_first_run());
        }
        ensure_idle(&s)?;
        auth::first_user(home, &c.username, &c.password)?;
        Ok(auth::authenticate(home, &c.username, &c.password)?)
    })
    .await?;
    Ok(logged_in(&state, &headers, who, StatusCode::CREATED))
}

/// The backups on Public and External media.
fn candidates_of(home: &Path) -> Result<Vec<lookup::Found>, ApiError> {
    let dirs: Vec<_> = lookup::media_dirs(home)?
        .into_iter()
        .filter(|(m, _)| *m != Medium::Private)
        .collect();
    Ok(lookup::scan(&dirs))
}

/// `GET /api/first-run/candidates`.
pub async fn candidates(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let home = state.home.clone();
    let lang: Lang = language::current();
    blocking(move || {
        if !auth::is_first_run(&home) {
            return Err(not_first_run());
        }
        let list: Vec<Value> = candidates_of(&home)?
            .iter()
            .map(|f| entry(&home, f, lang))
            .collect();
        Ok(Json(json!({ "backups": list })))
    })
    .await
}

/// The body of `POST /api/first-run/restore`.
#[derive(Deserialize)]
pub struct FirstRunRestore {
    path: Option<String>,
    /// The backup ID the candidate list showed for `path`.
    id: Option<String>,
    upload_id: Option<String>,
    passphrase: Option<String>,
    recovery_key: Option<String>,
}

/// `POST /api/first-run/restore`: `202 {"job_id"}`.
pub async fn restore(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<FirstRunRestore>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let key = KeyBody {
        passphrase: b.passphrase,
        recovery_key: b.recovery_key,
    };
    let s = state.clone();
    let lang = language::current();
    let job_id = blocking(move || {
        let _starting = starting(&s);
        let home = s.home.clone();
        let permit = auth::first_run_restore(&home)?;
        // The ID the candidate list showed when the page chose the file
        // (else the one it holds now; none for an upload): a file replaced
        // since is refused.
        let mut listed_id: Option<String> = b.id.clone();
        let file: PathBuf = match (b.path, b.upload_id) {
            (Some(p), None) => candidates_of(&home)?
                .into_iter()
                .find(|f| f.listed.path == Path::new(&p))
                .map(|f| {
                    if listed_id.is_none() {
                        listed_id = f.listed.metadata.map(|m| m.sealed.id);
                    }
                    f.listed.path
                })
                .ok_or_else(|| {
                    ApiError::not_found(t!("web-not-a-candidate"), t!("web-not-a-candidate-advice"))
                })?,
            (None, Some(id)) => s.uploads.path_of(&s.sessions, &id, None).ok_or_else(|| {
                ApiError::not_found(t!("web-no-upload"), t!("web-no-upload-advice"))
            })?,
            _ => {
                return Err(ApiError::bad_request(
                    t!("web-path-or-upload"),
                    t!("web-path-or-upload-advice"),
                ))
            }
        };
        let unlock = unlock_for(&home, &file, key)?;
        ensure_idle(&s)?;
        let key = catalog::id_of(&file).unwrap_or_else(|| file.display().to_string());
        let slot = s.jobs.heavy_slot(None)?;
        passphrase_attempt(&s, &key, unlock.as_ref())?;
        let st = s.clone();
        let job = s
            .jobs
            .start(JobKind::Restore, Owner::FirstRun, lang, move |p| {
                let _turn = slot.turn();
                run_restore(
                    &st,
                    &permit,
                    &file,
                    &key,
                    listed_id.as_deref(),
                    unlock.as_ref(),
                    p,
                )
            });
        Ok(job.id.clone())
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job_id }))))
}
