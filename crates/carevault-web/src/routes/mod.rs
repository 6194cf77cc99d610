//! The routes of docs/API.md, and what they share: permits, unlocking a
//! backup, the restore job.

mod backups;
mod first_run;
mod first_run_offsite;
mod import;
mod jobs;
mod keyed;
mod login;
mod offsite;
mod preview;
mod rekey;
mod safety;
mod status;
mod strings;
mod usb;

use crate::errors::{blocking, ApiError};
use crate::jobs::{JobError, JobProgress};
use crate::session::Who;
use crate::{assets, language, security, throttle, upload, AppState, Limits};
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use carevault_core::auth::{self, Action, Permit, Restore};
use carevault_core::i18n::t;
use carevault_core::profile::Profile;
use carevault_core::restore::{self, RestoreRequest};
use carevault_core::{Error, Kind, SecretString, Unlock};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::path::Path;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// Every route, behind the Host/Origin guard and the protective headers;
/// every route but the upload answers within `request_timeout` (`408`);
/// an upload's body may not stall longer than that between two pieces.
pub fn router(state: AppState, limits: &Limits) -> Router {
    let timed = Router::new()
        .route("/", get(assets::index))
        .route("/index.html", get(assets::index))
        .route("/app.js", get(assets::app_js))
        .route("/app.css", get(assets::app_css))
        .route("/icons.svg", get(assets::icons))
        .route("/api/session", get(login::session))
        .route("/api/strings", get(strings::strings))
        .route("/api/login", post(login::login))
        .route("/api/logout", post(login::logout))
        .route("/api/first-run/admin", post(first_run::admin))
        .route("/api/first-run/candidates", get(first_run::candidates))
        .route("/api/first-run/restore", post(first_run::restore))
        .route("/api/first-run/import", post(import::first_run))
        .route("/api/imports", post(import::logged_in))
        .route("/api/first-run/offsite/list", post(first_run_offsite::list))
        .route("/api/first-run/offsite/get", post(first_run_offsite::get))
        .route("/api/backups", get(backups::list).post(backups::create))
        .route(
            "/api/backups/{id}",
            get(backups::details).delete(backups::delete),
        )
        .route("/api/backups/{id}/contents", post(backups::contents))
        .route("/api/backups/{id}/verify", post(backups::verify))
        .route("/api/backups/{id}/restore", post(backups::restore))
        .route("/api/backups/{id}/restore-preview", post(preview::preview))
        .route("/api/backups/{id}/passphrase", post(rekey::change))
        .route("/api/backups/{id}/copy-to-usb", post(usb::copy))
        .route("/api/safety-copies", get(safety::list))
        .route(
            "/api/safety-copies/{name}",
            axum::routing::delete(safety::remove),
        )
        .route("/api/safety-copies/{name}/restore", post(safety::put_back))
        .route("/api/jobs/{id}", get(jobs::get))
        .route("/api/jobs/{id}/events", get(jobs::events))
        .route("/api/offsite/push", post(offsite::push_now))
        .route("/api/sync", get(status::sync))
        .route("/api/status", get(status::status))
        .route_layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    let uploads = Router::new()
        .route("/api/uploads", post(upload::post))
        .layer(RequestBodyTimeoutLayer::new(limits.request_timeout));
    let seconds = limits.request_timeout.as_secs();
    let app = timed
        .merge(uploads)
        .fallback(not_found)
        .layer(middleware::map_response(move |r: Response| async move {
            timed_out(r, seconds)
        }))
        .layer(middleware::from_fn(security::guard))
        // Outermost: the guard's refusals are in the request's language too.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            language::scope,
        ))
        .with_state(state);
    security::headers(app)
}

/// The timeout layer's bare 408, with the API's error body.
fn timed_out(r: Response, seconds: u64) -> Response {
    if r.status() != StatusCode::REQUEST_TIMEOUT || r.headers().contains_key(header::CONTENT_TYPE) {
        return r;
    }
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "busy",
        t!("web-timed-out", seconds = seconds),
        t!("web-timed-out-advice"),
    )
    .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found(t!("web-no-route"), t!("web-no-route-advice"))
}

/// The core's permit for action `A`, for the session's user; a refusal is
/// audited by the core and answered 403.
pub async fn permit<A: Action + Send + 'static>(who: &Who) -> Result<Permit<A>, ApiError> {
    let user = who.user.clone();
    blocking(move || Ok(auth::authorize::<A>(&user)?)).await
}

/// A passphrase from a request body: wrapped at once, never logged.
pub fn secret(p: Option<String>) -> Option<SecretString> {
    p.filter(|p| !p.is_empty()).map(SecretString::from)
}

/// How a request unlocks a backup: a passphrase, or a recovery key (the
/// text of the identity file, `AGE-SECRET-KEY-1...`, pasted or read from
/// the chosen file by the page). No `Debug`: it holds secrets.
#[derive(Deserialize, Default)]
pub struct KeyBody {
    pub passphrase: Option<String>,
    pub recovery_key: Option<String>,
}

/// A recovery key from a request body, parsed by the core; the text is
/// wrapped at once (zeroed when dropped) and never logged.
fn recovery_key(text: Option<String>) -> Result<Option<Unlock>, ApiError> {
    let Some(text) = text.map(SecretString::from) else {
        return Ok(None);
    };
    if text.expose_secret().trim().is_empty() {
        return Ok(None);
    }
    let id = carevault_core::parse_identity_file(text.expose_secret()).map_err(|_| {
        ApiError::bad_request(
            t!("web-not-a-recovery-key"),
            t!("web-not-a-recovery-key-advice"),
        )
    })?;
    Ok(Some(Unlock::RecoveryKey(id)))
}

/// How to unlock `file`: nothing for an unencrypted backup; the passphrase
/// or recovery key given; else, for this device's automatic backups, the
/// device secret.
pub fn unlock_for(home: &Path, file: &Path, key: KeyBody) -> Result<Option<Unlock>, ApiError> {
    let passphrase = secret(key.passphrase);
    let recovery = recovery_key(key.recovery_key)?;
    if passphrase.is_some() && recovery.is_some() {
        return Err(ApiError::bad_request(
            t!("web-two-keys"),
            t!("web-two-keys-advice"),
        ));
    }
    let given = passphrase.map(Unlock::Passphrase).or(recovery);
    // The core's rule (unlocking::unlock_for); the web cannot prompt, so a
    // key that is needed and not given is a 400.
    let need = || {
        Err(carevault_core::Error::new(
            carevault_core::Kind::Usage,
            t!("web-key-needed"),
            t!("web-key-needed-advice"),
        ))
    };
    carevault_core::unlocking::unlock_for(home, file, || Ok(given), need).map_err(|e| {
        if e.kind() == carevault_core::Kind::Usage {
            ApiError::bad_request(e.message_text().clone(), e.advice_text().clone())
        } else {
            ApiError::from(e).policy()
        }
    })
}

/// True when `file`'s readable metadata lists a recovery key slot.
pub fn has_recovery_slot(file: &Path) -> bool {
    crate::lookup::examine(file)
        .and_then(|l| l.metadata)
        .is_some_and(|m| {
            m.key_slots
                .iter()
                .any(|k| k.kind == carevault_core::format::metadata::SlotKind::Recovery)
        })
}

/// A core error of a key attempt on `file`, for the web: a wrong key of a
/// backup without a recovery slot is advised only about its passphrase (no
/// recovery key would open it).
pub fn key_error(e: Error, file: &Path) -> ApiError {
    let api = ApiError::from(e);
    if api.kind == Kind::WrongKey.code() && !has_recovery_slot(file) {
        return api.with_advice(t!("web-advice-passphrase-only"));
    }
    api
}

/// The body of a restore job (first run or logged in): restore, then end
/// the sessions of users the restored data no longer has, and remove the
/// file if it was an upload.
pub fn run_restore(
    state: &AppState,
    permit: &Permit<Restore>,
    file: &Path,
    backup_key: &str,
    expect_id: Option<&str>,
    unlock: Option<&Unlock>,
    progress: &JobProgress,
) -> Result<serde_json::Value, JobError> {
    let home = permit.home();
    let profile = Profile::load(home)?;
    let req = RestoreRequest {
        file,
        unlock,
        max_log_n: profile.encryption.max_work_factor,
        dry_run: false,
        expect_id,
    };
    let result = restore::restore(permit, &req, progress);
    passphrase_result(state, backup_key, unlock, &result);
    let outcome = result.map_err(|e| key_error(e, file))?;
    state.sessions.keep_current();
    if let Some(id) = state.uploads.id_of(file) {
        state.uploads.remove(&id);
    }
    state.uploads.sweep(&state.sessions);
    // A difference from the manifest is refused by the core before the
    // swap (restore::checks::refuse_differences): a finished restore's
    // checks all passed.
    serde_json::to_value(&outcome).map_err(|e| {
        ApiError::internal(t!("web-restore-report-failed", error = e.to_string())).into()
    })
}

/// Starts a passphrase or recovery-key attempt on backup `key`: 429 while
/// that backup had too many wrong ones. Attempts with no key (an
/// unencrypted backup) are not counted.
pub fn passphrase_attempt(
    state: &AppState,
    key: &str,
    unlock: Option<&Unlock>,
) -> Result<(), ApiError> {
    if unlock.is_none() {
        return Ok(());
    }
    state
        .passphrases
        .begin(&key.to_string(), None)
        .map_err(|t| {
            let s = t.seconds();
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "busy",
                t!("web-too-many-passphrases"),
                t!("web-too-many-passphrases-advice", when = throttle::when(s)),
            );
            e.retry_after = Some(s);
            e
        })
}

/// Records how a passphrase attempt on backup `key` ended.
pub fn passphrase_result<T>(
    state: &AppState,
    key: &str,
    unlock: Option<&Unlock>,
    result: &Result<T, Error>,
) {
    if unlock.is_none() {
        return;
    }
    match result {
        Err(e) if e.kind() == Kind::WrongKey => state.passphrases.failed(&key.to_string()),
        Ok(_) => state.passphrases.succeeded(&key.to_string()),
        Err(_) => {}
    }
}

/// The server's start lock: held while a request checks the home is idle
/// and starts its operation, so that two requests cannot both find it idle.
pub fn starting(state: &AppState) -> std::sync::MutexGuard<'_, ()> {
    state
        .starting
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`starting`], then [`ensure_idle`]: for an operation that needs the
/// home to itself.
pub fn start_exclusive(state: &AppState) -> Result<std::sync::MutexGuard<'_, ()>, ApiError> {
    let guard = starting(state);
    ensure_idle(state)?;
    Ok(guard)
}

/// 409 unless no backup or restore runs (here, or in another process).
pub fn ensure_idle(state: &AppState) -> Result<(), ApiError> {
    let busy = || ApiError::from(carevault_core::backup::busy_error());
    if state.jobs.exclusive_running() || carevault_core::ops::sync::operation_running(&state.home)?
    {
        return Err(busy());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_408_gets_the_api_error_body() {
        let bare = StatusCode::REQUEST_TIMEOUT.into_response();
        let r = timed_out(bare, 60);
        assert_eq!(r.status(), StatusCode::REQUEST_TIMEOUT);
        assert!(r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let ok = timed_out(StatusCode::OK.into_response(), 60);
        assert!(!ok.headers().contains_key(header::CONTENT_TYPE));
    }
}
