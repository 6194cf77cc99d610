//! `POST /api/offsite/push`: "Copy offsite now" (docs/API.md).

use super::permit;
use crate::errors::{blocking, ApiError};
use crate::jobs::{JobKind, Owner};
use crate::json::JsonBody;
use crate::language;
use crate::session::Who;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carevault_core::auth::{Create, View};
use carevault_core::i18n::t;
use carevault_core::profile::Profile;
use carevault_offsite::push;
use serde::Deserialize;
use serde_json::{json, Value};

/// The body: the backups to copy (none named: every pending one).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    #[serde(default)]
    ids: Vec<String>,
}

/// `202 {"job_id", "pending"}`: a job that copies the backups offsite, one
/// after the other, audited per backup; 404 for an ID with no local
/// backup, 409 while a synchronization or a copy offsite runs, 400 when
/// `[offsite]` is not configured.
pub async fn push_now(
    State(state): State<AppState>,
    who: Who,
    JsonBody(b): JsonBody<PushBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let create = permit::<Create>(&who).await?;
    let view = permit::<View>(&who).await?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let home = s.home.clone();
        if Profile::load(&home)?.offsite.is_none() {
            return Err(ApiError::bad_request(
                t!("web-offsite-not-configured"),
                t!("web-offsite-not-configured-advice"),
            ));
        }
        let sync = carevault_core::ops::sync::running(&home)?;
        if sync {
            return Err(ApiError::busy(
                t!("web-sync-running-offsite"),
                t!("web-sync-running-offsite-advice"),
            ));
        }
        if s.jobs.running(JobKind::Offsite) {
            return Err(ApiError::busy(
                t!("web-offsite-running"),
                t!("web-offsite-running-advice"),
            ));
        }
        let todo = push::pending(&view, &b.ids)?;
        let n = todo.len();
        let user = create.user().to_string();
        let st = s.clone();
        let job = s.jobs.start(
            JobKind::Offsite,
            Owner::User(user.clone()),
            lang,
            move |p| {
                // After a scheduled push that runs now, if any.
                let _pushing = st
                    .offsite_pushing
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(crate::offsite::on_own_thread(|| {
                    crate::offsite::push_all(&home, &user, &todo, p)
                })?)
            },
        );
        Ok((
            StatusCode::ACCEPTED,
            Json(json!({"job_id": job.id, "pending": n})),
        ))
    })
    .await
}
