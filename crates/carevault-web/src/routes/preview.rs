//! `POST /api/backups/{id}/restore-preview`: what a restore would replace
//! (the confirmation's facts), read with the passphrase or recovery key,
//! which it thereby checks before any restore starts.

use super::backups::upload_needs_admin;
use super::{key_error, passphrase_attempt, passphrase_result, permit, unlock_for, KeyBody};
use crate::errors::{blocking, ApiError};
use crate::jobs::Abandon;
use crate::json::JsonBody;
use crate::lookup::{find, UPLOAD};
use crate::session::Who;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carevault_core::auth::{Restore, Role};
use carevault_core::preview::restore_preview;
use carevault_core::profile::Profile;
use serde_json::{json, Value};

/// `POST /api/backups/{id}/restore-preview`: `200` with the preview.
pub async fn preview(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<KeyBody>,
) -> Result<Json<Value>, ApiError> {
    let permit = permit::<Restore>(&who).await?;
    let s = state.clone();
    let (_abandon, abandoned) = Abandon::new();
    blocking(move || {
        let home = s.home.clone();
        let f = find(&s, Some(&who.key), &id)?;
        if f.location == UPLOAD && permit.role() != Some(Role::SystemAdministrator) {
            return Err(upload_needs_admin(&s, permit.user(), &f.key()));
        }
        let unlock = unlock_for(&home, f.path(), b)?;
        let max_log_n = Profile::load(&home)?.encryption.max_work_factor;
        let slot = s.jobs.heavy_slot(Some(permit.user()))?;
        passphrase_attempt(&s, &f.key(), unlock.as_ref())?;
        let _turn = slot.turn();
        if abandoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ApiError::busy(
                "the request ended while it waited for its turn",
                "try again when the verification or restore that runs has ended",
            ));
        }
        let r = restore_preview(&permit, f.path(), unlock.as_ref(), max_log_n);
        passphrase_result(&s, &f.key(), unlock.as_ref(), &r);
        let mut v = json!(r.map_err(|e| key_error(e, f.path()))?);
        v["location"] = json!(f.location);
        Ok(Json(v))
    })
    .await
}
