//! `POST /api/backups/{id}/restore-preview`: what a restore would replace
//! (the confirmation's facts), read with the passphrase or recovery key,
//! which it thereby checks before any restore starts.

use super::backups::upload_needs_admin;
use super::{key_error, keyed, passphrase_result, permit, KeyBody};
use crate::errors::{blocking, ApiError};
use crate::jobs::Abandon;
use crate::json::JsonBody;
use crate::lookup::UPLOAD;
use crate::session::Who;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carevault_core::auth::{Restore, Role};
use carevault_core::preview::restore_preview;
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
        let k = keyed::prepare(&s, &who, &id, b, permit.user(), |f| {
            if f.location == UPLOAD && permit.role() != Some(Role::SystemAdministrator) {
                return Err(upload_needs_admin(&permit, &f.key()));
            }
            Ok(())
        })?;
        let (f, unlock) = (&k.found, k.unlock.as_ref());
        let _turn = keyed::wait_turn(&k.slot, &abandoned)?;
        let r = restore_preview(&permit, f.path(), unlock, k.max_log_n);
        passphrase_result(&s, &f.key(), unlock, &r);
        let mut v = json!(r.map_err(|e| key_error(e, f.path()))?);
        v["location"] = json!(f.location);
        Ok(Json(v))
    })
    .await
}
