//! "Import and restore" of an uploaded SanteDB `.bin` (docs/IMPORT.md, "In
//! the web app"): the import writes a carevault backup on the Private
//! medium (signed with this tablet's key, encrypted with a new
//! passphrase), which is then verified and restored as any backup.
//!
//! - `POST /api/first-run/import` (no clinic data, no login): one job that
//!   imports, verifies and restores. The SanteDB file's passphrase is the
//!   gate, as a backup's passphrase is for a first-run restore.
//! - `POST /api/imports` (System Administrator, over existing data): a job
//!   that imports and verifies; the page then shows the restore preview's
//!   facts and restores the new backup with `POST /api/backups/{id}/restore`
//!   (safety copy and all), as any restore.
//!
//! A failure leaves no backup (the import removes its staging; a backup
//! that fails its verification is deleted) and no changed clinic data.

use super::start_exclusive;
use super::starting;
use super::{ensure_idle, permit, run_restore, secret};
use crate::errors::{blocking, ApiError};
use crate::jobs::{JobError, JobKind, JobProgress, Owner};
use crate::json::JsonBody;
use crate::language;
use crate::lookup::{entry, Found};
use crate::session::{Key, Who};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carevault_core::auth::{self, Create, Permit, Role, View};
use carevault_core::catalog::Listed;
use carevault_core::i18n::{t, Lang};
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::verify::{self, VerifyReport};
use carevault_core::{Error, Kind, Progress, Result as CoreResult, SecretString, Unlock};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// The body of both routes (no `Debug`: it holds passphrases).
#[derive(Deserialize)]
pub struct ImportBody {
    upload_id: String,
    /// The SanteDB backup's passphrase (only when it is encrypted).
    santedb_passphrase: Option<String>,
    /// The passphrase of the new carevault backup.
    new_passphrase: Option<String>,
}

fn new_passphrase(p: Option<String>) -> Result<SecretString, ApiError> {
    let new = secret(p).ok_or_else(|| {
        ApiError::bad_request(
            t!("web-import-no-new-passphrase"),
            t!("web-import-no-new-passphrase-advice"),
        )
    })?;
    // The core's one rule for a new passphrase, before any work (the
    // import checks it again, with the user's name).
    carevault_core::passphrase::check_new_secret(&new, &[])?;
    Ok(new)
}

/// The SanteDB upload `id` of `owner`, and its passphrase when it is
/// encrypted (400 when one is needed and missing).
fn source(
    s: &AppState,
    id: &str,
    owner: Option<&Key>,
    pass: Option<String>,
) -> Result<(PathBuf, Option<SecretString>), ApiError> {
    let file = s
        .uploads
        .santedb_path_of(&s.sessions, id, owner)
        .ok_or_else(|| {
            ApiError::not_found(
                t!("web-no-santedb-upload"),
                t!("web-no-santedb-upload-advice"),
            )
        })?;
    let (_, encrypted) = carevault_santedb::probe(&file).map_err(web_wording)?;
    let pass = secret(pass);
    if encrypted && pass.is_none() {
        return Err(ApiError::bad_request(
            t!("web-santedb-passphrase-needed"),
            t!("web-santedb-passphrase-needed-advice"),
        ));
    }
    Ok((file, if encrypted { pass } else { None }))
}

/// The throttle key of a SanteDB upload's passphrase attempts.
fn attempt_key(upload_id: &str) -> String {
    format!("santedb-upload:{upload_id}")
}

/// 429 while this SanteDB file had too many wrong passphrases.
fn attempt(s: &AppState, upload_id: &str, pass: Option<&SecretString>) -> Result<(), ApiError> {
    let unlock = pass.map(|p| Unlock::Passphrase(p.clone()));
    super::passphrase_attempt(s, &attempt_key(upload_id), unlock.as_ref())
}

/// The import's core error with the web's words for what to do; the kind
/// and the message (which check failed) are the import's.
fn web_wording(e: Error) -> ApiError {
    let kind = e.kind();
    let api = ApiError::from(e);
    let advice = match kind {
        Kind::WrongKey => t!("web-santedb-wrong-key-advice"),
        Kind::Truncated => t!("web-santedb-truncated-advice"),
        Kind::Corrupted | Kind::UnsafeArchive => t!("web-santedb-damaged-advice"),
        Kind::NotABackup => t!("web-santedb-not-a-backup-advice"),
        Kind::CheckFailed => t!("web-santedb-check-failed-advice"),
        _ => return api,
    };
    api.with_advice(advice)
}

/// Who verifies the new backup: a logged-in user (audited by the core), or
/// a first run (audited here, as `first-run`).
enum Verifier {
    User(Permit<View>),
    FirstRun,
}

impl Verifier {
    fn verify(
        &self,
        home: &Path,
        path: &Path,
        unlock: &Unlock,
        max_log_n: u8,
        p: &dyn Progress,
    ) -> CoreResult<VerifyReport> {
        match self {
            Verifier::User(permit) => verify::verify(permit, path, Some(unlock), max_log_n, p),
            Verifier::FirstRun => {
                carevault_core::ops::verify::first_run(home, path, unlock, max_log_n, p)
            }
        }
    }
}

/// What the import job's work needs.
struct Work {
    state: AppState,
    permit: Permit<Create>,
    verifier: Verifier,
    file: PathBuf,
    upload_id: String,
    pass: Option<SecretString>,
    new: SecretString,
    /// The language of the job's result.
    lang: Lang,
}

/// Imports into the Private medium and verifies the new backup; the
/// result (`import`, `backup`, `verify`) and the new backup's file. The
/// upload is removed once the import succeeded.
fn import_and_verify(w: &Work, p: &JobProgress) -> Result<(Value, PathBuf), JobError> {
    let home = w.permit.home();
    let profile = Profile::load(home)?;
    let to = profile.media.resolve(home, Medium::Private)?.dir;
    let req = carevault_santedb::ImportRequest {
        file: &w.file,
        passphrase: w.pass.as_ref().map(|p| p.expose_secret()),
        to,
        label: None,
        new_passphrase: Some(w.new.clone()),
        recovery_keys: profile.auto.recovery_keys.clone(),
        dry_run: false,
    };
    let r = carevault_santedb::import(&w.permit, &req, p);
    if w.pass.is_some() {
        let key = attempt_key(&w.upload_id);
        match &r {
            Err(e) if e.kind() == Kind::WrongKey => w.state.passphrases.failed(&key),
            Ok(_) => w.state.passphrases.succeeded(&key),
            Err(_) => {}
        }
    }
    let out = r.map_err(web_wording)?;
    w.state.uploads.remove(&w.upload_id);
    let b = out
        .backup
        .as_ref()
        .ok_or_else(|| ApiError::internal(t!("web-import-no-backup")))?;
    let mut import = json!(out.source);
    // The server's path of the upload says nothing to the page.
    import["file"] = json!(null);
    let unlock = Unlock::Passphrase(w.new.clone());
    let max_log_n = profile.encryption.max_work_factor;
    let report = match w.verifier.verify(home, &b.path, &unlock, max_log_n, p) {
        Ok(r) => r,
        Err(e) => {
            // No half-made backup: one that does not verify is not kept.
            let _ = std::fs::remove_file(&b.path);
            return Err(e.into());
        }
    };
    let found = Found {
        location: Medium::Private.to_string(),
        listed: Listed {
            path: b.path.clone(),
            size: b.size,
            status: carevault_core::catalog::Status::Ok,
            metadata: Some(b.metadata.clone()),
            problem: None,
            ..Listed::default()
        },
    };
    let mut backup = entry(home, &found, w.lang);
    backup["rows"] = json!(b.rows);
    backup["entries"] = json!(b.entries);
    backup["data_bytes"] = json!(b.data_bytes);
    Ok((
        json!({"import": import, "backup": backup, "verify": report}),
        b.path.clone(),
    ))
}

/// `POST /api/first-run/import`: `202 {"job_id"}`; the job imports,
/// verifies and restores.
pub async fn first_run(State(state): State<AppState>, JsonBody(b): JsonBody<ImportBody>) -> Answer {
    let new = new_passphrase(b.new_passphrase)?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let _starting = starting(&s);
        let home = s.home.clone();
        let create = auth::first_run_import(&home)?;
        let restore = auth::first_run_restore(&home)?;
        let (file, pass) = source(&s, &b.upload_id, None, b.santedb_passphrase)?;
        ensure_idle(&s)?;
        let slot = s.jobs.heavy_slot(None)?;
        attempt(&s, &b.upload_id, pass.as_ref())?;
        let work = Work {
            state: s.clone(),
            permit: create,
            verifier: Verifier::FirstRun,
            file,
            upload_id: b.upload_id,
            pass,
            new,
            lang,
        };
        let job = s
            .jobs
            .start(JobKind::Import, Owner::FirstRun, lang, move |p| {
                // Three key derivations (the import's, the verification's, the
                // restore's): one turn for all.
                let _turn = slot.turn();
                let (mut v, path) = import_and_verify(&work, p)?;
                let unlock = Unlock::Passphrase(work.new.clone());
                // The backup this job just wrote and verified, by the ID it
                // wrote (not read back from the file).
                let written = v["backup"]["id"].as_str().map(str::to_string);
                let key = written
                    .clone()
                    .unwrap_or_else(|| path.display().to_string());
                match run_restore(
                    &work.state,
                    &restore,
                    &path,
                    &key,
                    written.as_deref(),
                    Some(&unlock),
                    p,
                ) {
                    Ok(r) => {
                        v["restore"] = r;
                        // A SanteDB backup carries no carevault users: the one
                        // who imported it on the first run makes the first
                        // System Administrator next ("Start fresh").
                        if !auth::has_users(restore.home())? {
                            auth::allow_first_admin(restore.home())?;
                        }
                        Ok(v)
                    }
                    Err(mut e) => {
                        if auth::is_first_run(restore.home()) {
                            // Nothing was restored, and a first run cannot
                            // reach the Private medium: leave nothing behind.
                            let _ = std::fs::remove_file(&path);
                            v["backup"] = json!(null);
                        }
                        if let Some(r) = e.result.take() {
                            v["restore"] = *r;
                        }
                        e.result = Some(Box::new(v));
                        Err(e)
                    }
                }
            });
        Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job.id }))))
    })
    .await
}

/// `POST /api/imports` (System Administrator): `202 {"job_id"}`; the job
/// imports and verifies, its result names the new backup to restore.
pub async fn logged_in(
    State(state): State<AppState>,
    who: Who,
    JsonBody(b): JsonBody<ImportBody>,
) -> Answer {
    let create = permit::<Create>(&who).await?;
    if create.role() != Some(Role::SystemAdministrator) {
        blocking(move || {
            carevault_core::ops::audit::import_refused(&create)?;
            Ok(())
        })
        .await?;
        return Err(ApiError::forbidden(
            t!("web-import-admin-only"),
            t!("web-import-admin-only-advice"),
        ));
    }
    let view = permit::<View>(&who).await?;
    let new = new_passphrase(b.new_passphrase)?;
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let (file, pass) = source(&s, &b.upload_id, Some(&who.key), b.santedb_passphrase)?;
        let _starting = start_exclusive(&s)?;
        let slot = s.jobs.heavy_slot(Some(create.user()))?;
        attempt(&s, &b.upload_id, pass.as_ref())?;
        let owner = Owner::User(create.user().to_string());
        let work = Work {
            state: s.clone(),
            permit: create,
            verifier: Verifier::User(view),
            file,
            upload_id: b.upload_id,
            pass,
            new,
            lang,
        };
        let job = s.jobs.start(JobKind::Import, owner, lang, move |p| {
            let _turn = slot.turn();
            Ok(import_and_verify(&work, p)?.0)
        });
        Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job.id }))))
    })
    .await
}
