//! `POST /api/backups/{id}/passphrase` ("Change passphrase"): the core's
//! rekey, as a job, for the roles that may create backups. The old
//! passphrase or the facility's recovery key opens the backup; its
//! attempts are throttled like every passphrase.

use super::start_exclusive;
use super::{
    key_error, passphrase_attempt, passphrase_result, permit, secret, unlock_for, KeyBody,
};
use crate::errors::{blocking, ApiError};
use crate::jobs::{JobKind, Owner};
use crate::json::JsonBody;
use crate::language;
use crate::lookup::{find, UPLOAD};
use crate::session::Who;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use carevault_core::auth::Create;
use carevault_core::i18n::t;
use carevault_core::profile::Profile;
use carevault_core::rekey;
use serde::Deserialize;
use serde_json::{json, Value};

/// The body (no `Debug`: it holds secrets).
#[derive(Deserialize)]
pub struct NewPassphrase {
    passphrase: Option<String>,
    recovery_key: Option<String>,
    new_passphrase: Option<String>,
}

/// `POST /api/backups/{id}/passphrase`: `202 {"job_id"}`.
pub async fn change(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewPassphrase>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let permit = permit::<Create>(&who).await?;
    let new = secret(b.new_passphrase).ok_or_else(|| {
        ApiError::bad_request(
            t!("web-no-new-passphrase"),
            t!("web-no-new-passphrase-advice"),
        )
    })?;
    // The core's one rule for a new passphrase, before any work (the
    // rekey checks it again).
    carevault_core::passphrase::check_new_secret(&new, &[permit.user()])?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let home = s.home.clone();
        let f = find(&s, Some(&who.key), &id)?;
        if f.location == UPLOAD {
            return Err(ApiError::bad_request(
                t!("web-rekey-upload"),
                t!("web-rekey-upload-advice"),
            ));
        }
        let sealed = f.listed.metadata.as_ref().map(|m| &m.sealed);
        if sealed.is_some_and(|m| m.automatic) {
            return Err(ApiError::bad_request(
                t!("web-rekey-automatic"),
                t!("web-rekey-automatic-advice"),
            ));
        }
        let key = KeyBody {
            passphrase: b.passphrase,
            recovery_key: b.recovery_key,
        };
        let Some(unlock) = unlock_for(&home, f.path(), key)? else {
            return Err(ApiError::bad_request(
                t!("web-rekey-unencrypted"),
                t!("web-rekey-unencrypted-advice"),
            ));
        };
        let enc = Profile::load(&home)?.encryption;
        let _starting = start_exclusive(&s)?;
        let slot = s.jobs.heavy_slot(Some(permit.user()))?;
        let backup = f.key();
        passphrase_attempt(&s, &backup, Some(&unlock))?;
        let path = f.path().to_path_buf();
        let st = s.clone();
        let owner = Owner::User(permit.user().to_string());
        let job = s.jobs.start(JobKind::Rekey, owner, lang, move |p| {
            let _turn = slot.turn();
            let r = rekey::rekey_reporting(
                &permit,
                &path,
                &unlock,
                &new,
                enc.work_factor,
                enc.max_work_factor,
                p,
            );
            passphrase_result(&st, &backup, Some(&unlock), &r);
            r.map_err(|e| key_error(e, &path))?;
            Ok(json!({ "id": backup, "changed": true }))
        });
        Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job.id }))))
    })
    .await
}
