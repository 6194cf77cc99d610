//! `/api/backups*`: list, create, details, contents, verify, restore, delete.
//! Each route first gets the core's permit for its action.

use super::start_exclusive;
use super::{
    key_error, keyed, passphrase_attempt, passphrase_result, permit, run_restore, secret,
    unlock_for, KeyBody,
};
use crate::errors::{blocking, ApiError};
use crate::jobs::{Abandon, JobKind, Owner};
use crate::json::JsonBody;
use crate::language;
use crate::lookup::{self, entry, find, Found, UPLOAD};
use crate::session::Who;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use carevault_core::auth::{Create, Delete, Permit, Restore, Role, View};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::catalog::{self, Listed};
use carevault_core::i18n::t;
use carevault_core::media::Medium;
use carevault_core::ops::{self, show::BackupFile};
use carevault_core::profile::Profile;
use carevault_core::verify as core_verify;
use serde::Deserialize;
use serde_json::{json, Value};

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// The guide's weekly reminder (the core's rule), from the listing.
fn stale_warning(
    home: &std::path::Path,
    found: &[Found],
    lang: carevault_core::i18n::Lang,
) -> Option<String> {
    let now = jiff::Timestamp::now();
    carevault_core::status::reminder_text(
        found.iter().filter_map(|f| {
            let m = f.listed.metadata.as_ref()?;
            let medium = f.location.parse::<Medium>().ok()?;
            Some((
                medium,
                carevault_core::status::age_days_of(m.sealed.created_at.timestamp(), now),
            ))
        }),
        carevault_core::status::offsite_newest_age(home, now),
    )
    .map(|t| t.render(lang))
}

/// `GET /api/backups`: every medium, newest first.
pub async fn list(State(state): State<AppState>, who: Who) -> Result<Json<Value>, ApiError> {
    permit::<View>(&who).await?;
    let home = state.home.clone();
    let lang = language::current();
    blocking(move || {
        let found = lookup::scan(&lookup::media_dirs(&home)?);
        let column = crate::offsite::Column::load(&home);
        // A damaged record marks nothing (the listing still answers).
        let from = carevault_core::restored_from::current(&home).ok().flatten();
        let backups: Vec<Value> = found
            .iter()
            .map(|f| {
                let mut v = entry(&home, f, lang);
                if let (Some(c), Some(m)) = (&column, &f.listed.metadata) {
                    v["offsite"] =
                        json!(c.state_of(&m.sealed.id, &m.sealed.created_at.to_string()));
                }
                let id = v["id"].as_str().map(str::to_string);
                v["restored_from"] = json!(from
                    .as_ref()
                    .is_some_and(|r| id.as_deref() == Some(r.id.as_str())));
                v
            })
            .collect();
        Ok(Json(json!({
            "backups": backups,
            "stale_warning": stale_warning(&home, &found, lang),
            "offsite_configured": column.is_some(),
            "restored_from": from,
        })))
    })
    .await
}

/// The body of `POST /api/backups` (no `Debug`: it holds a passphrase).
#[derive(Deserialize)]
pub struct NewBackup {
    medium: String,
    encrypt: bool,
    passphrase: Option<String>,
    label: Option<String>,
    use_recovery_keys: Option<bool>,
}

/// `POST /api/backups`: `202 {"job_id", "destination"}`; 422 for a policy
/// refusal, 409 while a synchronization or another operation runs.
pub async fn create(
    State(state): State<AppState>,
    who: Who,
    JsonBody(b): JsonBody<NewBackup>,
) -> Answer {
    let permit = permit::<Create>(&who).await?;
    let medium: Medium = b.medium.parse()?;
    let passphrase = secret(b.passphrase);
    match (b.encrypt, passphrase.is_some()) {
        (true, false) => {
            return Err(ApiError::bad_request(
                t!("web-encrypt-needs-passphrase"),
                t!("web-encrypt-needs-passphrase-advice"),
            ))
        }
        (false, true) => {
            return Err(ApiError::bad_request(
                t!("web-passphrase-not-encrypted"),
                t!("web-passphrase-not-encrypted-advice"),
            ))
        }
        _ => {}
    }
    // The core's one rule for a new passphrase, before any work (the
    // backup checks it again).
    if let Some(p) = &passphrase {
        carevault_core::passphrase::check_new_secret(p, &[permit.user()])?;
    }
    carevault_core::backup::check_label(b.label.as_deref())?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let home = s.home.clone();
        let target = Target::Medium(medium);
        let dest = backup::preflight(&permit, &target, b.encrypt).map_err(|e| ApiError::from(e).policy())?;
        let sync = ops::sync::running(&home)?;
        if sync {
            return Err(ApiError::busy(
                t!("web-sync-running-backup"),
                t!("web-sync-running-backup-advice"),
            ));
        }
        let _starting = start_exclusive(&s)?;
        let profile = Profile::load(&home)?;
        let mut req = BackupRequest::new(&profile, target);
        req.label = b.label;
        if b.encrypt && b.use_recovery_keys.unwrap_or(true) {
            req.recovery_keys = profile.auto.recovery_keys.clone();
        }
        req.passphrase = passphrase;
        let h = home.clone();
        let kdf = s.jobs.kdf_turn();
        let encrypt = b.encrypt;
        let owner = Owner::User(permit.user().to_string());
        let job = s.jobs.start(JobKind::Backup, owner, lang, move |p| {
            // A passphrase is turned into a key (scrypt): wait for the turn.
            let _turn = encrypt.then(|| kdf.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            let out = backup::create(&permit, &req, p)?;
            let found = Found {
                location: out.destination.medium.to_string(),
                listed: Listed {
                    path: out.path.clone(),
                    size: out.size,
                    status: carevault_core::catalog::Status::Ok,
                    metadata: Some(out.metadata.clone()),
                    problem: None,
                    ..Listed::default()
                },
            };
            let mut v = entry(&h, &found, lang);
            v["destination"] = json!(out.destination);
            v["rows"] = json!(out.rows);
            v["entries"] = json!(out.entries);
            v["data_bytes"] = json!(out.data_bytes);
            Ok(v)
        });
        Ok((
            StatusCode::ACCEPTED,
            Json(json!({
                "job_id": job.id,
                "destination": {"medium": dest.medium, "fell_back": dest.fell_back, "note": dest.note},
            })),
        ))
    })
    .await
}

/// `GET /api/backups/{id}`.
pub async fn details(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    permit::<View>(&who).await?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let f = find(&s, Some(&who.key), &id)?;
        Ok(Json(lookup::details(&s.home, &f, lang)))
    })
    .await
}

/// `POST /api/backups/{id}/contents`: the manifest summary.
pub async fn contents(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<KeyBody>,
) -> Result<Json<Value>, ApiError> {
    let permit = permit::<View>(&who).await?;
    let s = state.clone();
    let (_abandon, abandoned) = Abandon::new();
    blocking(move || {
        let k = keyed::prepare(&s, &who, &id, b, permit.user(), |_| Ok(()))?;
        let (f, unlock) = (&k.found, k.unlock.as_ref());
        let _turn = keyed::wait_turn(&k.slot, &abandoned)?;
        let mut opened = BackupFile::open(f.path())?;
        let unlocked = opened.unlock(unlock, k.max_log_n);
        passphrase_result(&s, &f.key(), unlock, &unlocked);
        let key = unlocked.map_err(|e| key_error(e, f.path()))?;
        Ok(Json(json!(opened.contents(&key)?)))
    })
    .await
}

/// `POST /api/backups/{id}/verify`: a verify job.
pub async fn verify(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<KeyBody>,
) -> Answer {
    let permit = permit::<View>(&who).await?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let keyed::Keyed {
            found: f,
            unlock,
            max_log_n,
            slot,
        } = keyed::prepare(&s, &who, &id, b, permit.user(), |_| Ok(()))?;
        let key = f.key();
        let path = f.path().to_path_buf();
        let owner = Owner::User(permit.user().to_string());
        let st = s.clone();
        let job = s.jobs.start(JobKind::Verify, owner, lang, move |p| {
            let _turn = slot.turn();
            let r = core_verify::verify(&permit, &path, unlock.as_ref(), max_log_n, p);
            passphrase_result(&st, &key, unlock.as_ref(), &r);
            let report = r.map_err(|e| key_error(e, &path))?;
            serde_json::to_value(&report).map_err(|e| {
                ApiError::internal(t!("web-report-failed", error = e.to_string())).into()
            })
        });
        Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job.id }))))
    })
    .await
}

/// `POST /api/backups/{id}/restore`: a restore job.
pub async fn restore(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<KeyBody>,
) -> Answer {
    let permit = permit::<Restore>(&who).await?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let home = s.home.clone();
        let f = find(&s, Some(&who.key), &id)?;
        if f.location == UPLOAD && permit.role() != Some(Role::SystemAdministrator) {
            return Err(upload_needs_admin(&permit, &f.key()));
        }
        let unlock = unlock_for(&home, f.path(), b)?;
        let _starting = start_exclusive(&s)?;
        let slot = s.jobs.heavy_slot(Some(permit.user()))?;
        let key = f.key();
        passphrase_attempt(&s, &key, unlock.as_ref())?;
        let path = f.path().to_path_buf();
        // The ID the listing showed: a file replaced since is refused.
        let listed_id = f.listed.metadata.as_ref().map(|m| m.sealed.id.clone());
        let st = s.clone();
        let owner = Owner::User(permit.user().to_string());
        let job = s.jobs.start(JobKind::Restore, owner, lang, move |p| {
            let _turn = slot.turn();
            run_restore(
                &st,
                &permit,
                &path,
                &key,
                listed_id.as_deref(),
                unlock.as_ref(),
                p,
            )
        });
        Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job.id }))))
    })
    .await
}

/// The 403 for restoring an upload over clinic data without being a System
/// Administrator (audited): a file from anywhere could hold other users
/// and roles.
pub(super) fn upload_needs_admin(permit: &Permit<Restore>, id: &str) -> ApiError {
    // The refusal stands even when it cannot be recorded.
    let _ = ops::audit::upload_restore_refused(permit, id);
    ApiError::forbidden(
        t!("web-upload-restore-admin-only"),
        t!("web-upload-restore-admin-only-advice"),
    )
}

/// `DELETE /api/backups/{id}`: `204`.
pub async fn delete(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let permit = permit::<Delete>(&who).await?;
    let s = state.clone();
    blocking(move || {
        let f = find(&s, Some(&who.key), &id)?;
        let _starting = start_exclusive(&s)?;
        catalog::delete(&permit, f.path())?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
