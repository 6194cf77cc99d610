//! `GET /api/sync` and `GET /api/status`.

use super::permit;
use crate::errors::{blocking, ApiError};
use crate::language;
use crate::session::Who;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use carevault_core::auth::View;
use carevault_core::i18n::t;
use carevault_core::layout;
use carevault_core::ops::sync;
use serde_json::{json, Value};

/// `GET /api/sync`: Idle or Running (since when), and the app's sync
/// database when there is one (its absence is not an error).
pub async fn sync(State(state): State<AppState>, who: Who) -> Result<Json<Value>, ApiError> {
    permit::<View>(&who).await?;
    let home = state.home.clone();
    let lang = language::current();
    blocking(move || {
        let s = sync::state(&home)?;
        let mut v = json!(s);
        let data = layout::data_dir(&home);
        let summary = carevault_core::clinic_app::current().sync_summary(&data);
        let has_db = summary.is_some();
        let (pending, log, problem) = match summary {
            Some(Ok(s)) => (s.pending, s.recent, None),
            Some(Err(e)) => (
                0,
                vec![],
                Some(t!("web-sync-db-unreadable", error = e).render(lang)),
            ),
            None => (0, vec![], None),
        };
        v["outbox_pending"] = json!(pending);
        v["recent_log"] = json!(log);
        v["sync_db"] = json!(has_db);
        v["problem"] = json!(problem);
        Ok(Json(v))
    })
    .await
}

/// `GET /api/status`: the `carevault status --json` object, plus the
/// server's automatic-backup schedule.
pub async fn status(State(state): State<AppState>, who: Who) -> Result<Json<Value>, ApiError> {
    let permit = permit::<View>(&who).await?;
    blocking(move || {
        let mut v = json!(carevault_core::status::report(&permit)?);
        v["schedule"] = json!({
            "checks": state.scheduler.checks(),
            "waiting_for_first_interval": crate::schedule::first_interval_pending(&state),
        });
        v["offsite_schedule"] = crate::offsite::status(&state);
        Ok(Json(v))
    })
    .await
}
