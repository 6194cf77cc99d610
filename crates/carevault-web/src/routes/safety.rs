//! `/api/safety-copies*`: the clinic data earlier restores replaced, as
//! the core's `safety` module keeps them. Listed for the roles that may
//! restore; put back and removed by a System Administrator (the core's
//! `Delete` permit, as the CLI).

use super::permit;
use super::start_exclusive;
use crate::errors::{blocking, ApiError};
use crate::session::Who;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carevault_core::auth::{Action, Delete, Restore, View};
use carevault_core::safety;
use serde_json::{json, Value};

/// `GET /api/safety-copies`: newest first, with the space they use.
pub async fn list(State(_state): State<AppState>, who: Who) -> Result<Json<Value>, ApiError> {
    permit::<Restore>(&who).await?;
    let view = permit::<View>(&who).await?;
    // Asked of the role, not as a permit: a refused permit is audited.
    let can_manage = Delete::allowed(who.user.role());
    blocking(move || {
        let copies = safety::list(&view)?;
        let total: u64 = copies.iter().map(|c| c.bytes).sum();
        Ok(Json(json!({
            "safety_copies": copies,
            "total_bytes": total,
            "can_manage": can_manage,
        })))
    })
    .await
}

/// `POST /api/safety-copies/{name}/restore`: puts it back; the data it
/// replaces becomes a safety copy in turn.
pub async fn put_back(
    State(state): State<AppState>,
    who: Who,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let permit = permit::<Delete>(&who).await?;
    let s = state.clone();
    blocking(move || {
        let _starting = start_exclusive(&s)?;
        let out = safety::put_back(&permit, &name)?;
        // The users may differ now: sessions of users it no longer has end.
        s.sessions.keep_current();
        Ok(Json(json!(out)))
    })
    .await
}

/// `DELETE /api/safety-copies/{name}`: `200` with what was removed.
pub async fn remove(
    State(state): State<AppState>,
    who: Who,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let permit = permit::<Delete>(&who).await?;
    let s = state.clone();
    blocking(move || {
        let _starting = start_exclusive(&s)?;
        Ok(Json(json!(safety::remove(&permit, &name)?)))
    })
    .await
}
