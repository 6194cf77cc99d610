//! `POST /api/backups/{id}/copy-to-usb` ("Copy to USB"): the core's copy of
//! an existing backup to the External medium, as a job, for the roles that
//! may create backups. The job's result says `safe_to_remove` only once the
//! copy was fsynced, read back and found equal to the backup.

use super::permit;
use crate::errors::{blocking, ApiError};
use crate::jobs::{JobKind, Owner};
use crate::language;
use crate::lookup::{find, UPLOAD};
use crate::session::Who;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use carevault_core::auth::Create;
use carevault_core::i18n::t;
use carevault_core::usb_copy;
use serde_json::{json, Value};

/// `POST /api/backups/{id}/copy-to-usb`: `202 {"job_id"}` of a `copy` job
/// (result `{"path","size","sha256","safe_to_remove"}`).
pub async fn copy(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let permit = permit::<Create>(&who).await?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let f = find(&s, Some(&who.key), &id)?;
        if f.location == UPLOAD {
            return Err(ApiError::bad_request(
                t!("web-usb-upload"),
                t!("web-usb-upload-advice"),
            ));
        }
        let path = f.path().to_path_buf();
        let owner = Owner::User(permit.user().to_string());
        let job = s.jobs.start(JobKind::Copy, owner, lang, move |p| {
            let out = usb_copy::copy_to_usb(&permit, &path, p)?;
            serde_json::to_value(&out).map_err(|e| {
                ApiError::internal(t!("web-report-failed", error = e.to_string())).into()
            })
        });
        Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job.id }))))
    })
    .await
}
