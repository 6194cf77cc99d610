//! `GET /api/sync` and `GET /api/status`.

use super::permit;
use crate::errors::{blocking, ApiError};
use crate::session::Who;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use carevault_core::auth::View;
use carevault_core::hostlock::sync_state;
use carevault_core::{layout, Error};
use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Value};
use std::path::Path;

/// What `data/sync.db` says: pending outbox rows and the last 10 syncs.
fn read_sync_db(home: &Path) -> rusqlite::Result<(u64, Vec<Value>)> {
    let path = layout::data_dir(home).join("sync.db");
    let c = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(std::time::Duration::from_secs(2))?;
    let pending: i64 = c.query_row(
        "SELECT count(*) FROM outbox WHERE status = 'pending'",
        [],
        |r| r.get(0),
    )?;
    let mut st = c.prepare(
        "SELECT started_at, ended_at, pushed, pulled, status FROM sync_log ORDER BY id DESC LIMIT 10",
    )?;
    let log = st
        .query_map([], |r| {
            Ok(json!({
                "started_at": r.get::<_, Option<String>>(0)?,
                "ended_at": r.get::<_, Option<String>>(1)?,
                "pushed": r.get::<_, Option<i64>>(2)?,
                "pulled": r.get::<_, Option<i64>>(3)?,
                "status": r.get::<_, Option<String>>(4)?,
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((pending.max(0) as u64, log))
}

/// `GET /api/sync`: Idle or Running (since when), and the app's sync
/// database when there is one (its absence is not an error).
pub async fn sync(State(state): State<AppState>, who: Who) -> Result<Json<Value>, ApiError> {
    permit::<View>(&who).await?;
    let home = state.home.clone();
    blocking(move || {
        let s = sync_state(&home).map_err(|e| Error::io("reading the sync state", &home, e))?;
        let mut v = json!(s);
        let db = layout::data_dir(&home).join("sync.db");
        let (pending, log, problem) = if db.is_file() {
            match read_sync_db(&home) {
                Ok((p, l)) => (p, l, None),
                Err(e) => (
                    0,
                    vec![],
                    Some(format!("the sync database cannot be read: {e}")),
                ),
            }
        } else {
            (0, vec![], None)
        };
        v["outbox_pending"] = json!(pending);
        v["recent_log"] = json!(log);
        v["sync_db"] = json!(db.is_file());
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
