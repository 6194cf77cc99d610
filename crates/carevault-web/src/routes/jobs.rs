//! `GET /api/jobs/{id}` and its server-sent events.

use super::permit;
use crate::errors::ApiError;
use crate::jobs::{Job, Owner};
use crate::session::{MaybeWho, Who};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::sse::{Event, Sse};
use axum::Json;
use carevault_core::auth::View;
use carevault_core::i18n::t;
use futures_util::Stream;
use serde_json::Value;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// Time between two events while a job runs (the contract: at most 250 ms).
const TICK: Duration = Duration::from_millis(200);

fn no_job() -> ApiError {
    ApiError::not_found(t!("web-no-job"), t!("web-no-job-advice"))
}

/// The job, if this request may see it: the user who started it (with a
/// View permit), or anyone holding the ID of a first-run restore.
async fn access(state: &AppState, id: &str, who: Option<Who>) -> Result<Arc<Job>, ApiError> {
    let job = state.jobs.get(id);
    if let Some(j) = &job {
        if j.owner == Owner::FirstRun {
            return Ok(j.clone());
        }
    }
    let who = who.ok_or_else(ApiError::unauthorized)?;
    let permit = permit::<View>(&who).await?;
    match job {
        Some(j) if j.owner == Owner::User(permit.user().to_string()) => Ok(j),
        _ => Err(no_job()),
    }
}

/// `GET /api/jobs/{id}`.
pub async fn get(
    State(state): State<AppState>,
    MaybeWho(who): MaybeWho,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(access(&state, &id, who).await?.to_json()))
}

/// `GET /api/jobs/{id}/events`: one `data: <job JSON>` event every 200 ms
/// while it runs, and a last one when it is done or failed. The stream
/// ends when the server shuts down.
pub async fn events(
    State(state): State<AppState>,
    MaybeWho(who): MaybeWho,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let job = access(&state, &id, who).await?;
    let shutdown = state.shutdown.clone();
    let stream = futures_util::stream::unfold(Some((job, shutdown, true)), |st| async move {
        let (job, mut shutdown, first) = st?;
        if !first {
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.changed() => return None,
            }
        }
        if *shutdown.borrow() {
            return None;
        }
        let finished = job.finished();
        let event = Event::default().data(job.to_json().to_string());
        let next = (!finished).then_some((job, shutdown, false));
        Some((Ok(event), next))
    });
    Ok(Sse::new(stream))
}
