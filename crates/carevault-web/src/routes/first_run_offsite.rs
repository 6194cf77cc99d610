//! "Restore from offsite" on the first-run screen: an administrator enters
//! the store's endpoint, bucket, prefix and read credentials; the server
//! lists that prefix's backups (with their sidecars), then downloads one
//! into the Public folder (Documents) as a job, checked as `carevault
//! offsite get` checks it, and the page restores it as any backup found
//! there (`POST /api/first-run/restore`).
//!
//! The credentials come with each request and live only for it (the page
//! keeps them while it is open); they are written to disk only when the
//! administrator asks (`save`), to `private/offsite-credentials` (0600).

use crate::errors::{blocking, ApiError};
use crate::jobs::{JobKind, Owner};
use crate::json::JsonBody;
use crate::language;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carevault_core::i18n::t;
use carevault_core::media::Medium;
use carevault_core::profile::OffsiteSettings;
use carevault_core::{auth, Error, Kind};
use carevault_offsite::{fetch, Clock, Config, Credentials, RetryPolicy, S3Store};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;

/// What the administrator entered (no `Debug`: it holds the secret key).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entered {
    endpoint: String,
    bucket: String,
    region: Option<String>,
    prefix: String,
    access_key: String,
    secret_key: String,
    /// Keep the credentials in `private/offsite-credentials` (0600).
    #[serde(default)]
    save: bool,
}

/// `Entered` and the backup to download.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetBody {
    #[serde(flatten)]
    store: Entered,
    id: String,
}

fn config_of(home: &Path, e: &Entered) -> carevault_core::Result<Config> {
    let settings = OffsiteSettings {
        endpoint: e.endpoint.trim().to_string(),
        bucket: e.bucket.trim().to_string(),
        region: e
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or("us-east-1")
            .to_string(),
        prefix: e.prefix.trim().to_string(),
        path_style: true,
        part_size_mib: 8,
        bandwidth_kib_per_s: 0,
    };
    settings.validate()?;
    if settings.prefix.contains('{') {
        return Err(Error::new(
            Kind::Usage,
            t!("web-offsite-prefix-template"),
            t!("web-offsite-prefix-template-advice"),
        ));
    }
    let prefix = settings.prefix_for("", "")?;
    if e.access_key.trim().is_empty() || e.secret_key.trim().is_empty() {
        return Err(Error::new(
            Kind::Usage,
            t!("web-offsite-keys-needed"),
            t!("web-offsite-keys-needed-advice"),
        ));
    }
    Ok(Config {
        settings,
        prefix,
        credentials: Credentials {
            access_key: e.access_key.trim().to_string(),
            secret_key: e.secret_key.trim().to_string(),
        },
        journal_dir: carevault_core::offsite_state::dir(home).join("journal"),
        clock: Clock::system(),
        retry: RetryPolicy::default(),
    })
}

fn ensure_first_run(home: &Path) -> Result<(), ApiError> {
    if auth::is_first_run(home) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            t!("web-not-first-run"),
            t!("web-not-first-run-offsite-advice"),
        ))
    }
}

fn save_credentials(home: &Path, e: &Entered) -> carevault_core::Result<()> {
    let text = format!(
        "access_key = {}\nsecret_key = {}\n",
        e.access_key.trim(),
        e.secret_key.trim()
    );
    carevault_core::ops::files::write_private(
        &carevault_core::layout::private_dir(home).join("offsite-credentials"),
        text.as_bytes(),
    )
}

/// `POST /api/first-run/offsite/list`: `{"prefix", "backups": [{name, size,
/// id, label, created_at, sidecar}], "saved"}`.
pub async fn list(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<Entered>,
) -> Result<Json<Value>, ApiError> {
    let home = state.home.clone();
    blocking(move || {
        ensure_first_run(&home)?;
        let store = S3Store::new(&config_of(&home, &b)?)?;
        let backups = fetch::list_backups(&store)?;
        // Saved only once they have worked.
        if b.save {
            save_credentials(&home, &b)?;
        }
        Ok(Json(json!({
            "prefix": store.prefix(),
            "backups": backups,
            "saved": b.save,
        })))
    })
    .await
}

/// `POST /api/first-run/offsite/get`: `202 {"job_id"}` of a `download` job
/// whose result is `{"path", "size", "id"}`: the checked file in the
/// Public folder, to restore with `POST /api/first-run/restore`.
pub async fn get(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<GetBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let s = state.clone();
    let lang = language::current();
    blocking(move || {
        let home = s.home.clone();
        ensure_first_run(&home)?;
        let permit = auth::first_run_restore(&home)?;
        let cfg = config_of(&home, &b.store)?;
        let to = crate::lookup::media_dirs(&home)?
            .into_iter()
            .find(|(m, _)| *m == Medium::Public)
            .map(|(_, d)| d)
            .ok_or_else(|| ApiError::internal(t!("web-no-public-folder")))?;
        let id = b.id;
        let save = b.store.save;
        let entered = b.store;
        let job = s
            .jobs
            .start(JobKind::Download, Owner::FirstRun, lang, move |p| {
                let store = S3Store::new(&cfg)?;
                let got = fetch::get_checked(&store, &id, &to, p)?;
                carevault_core::ops::audit::offsite_fetched(
                    &home,
                    permit.user(),
                    got.id.as_deref().unwrap_or(&id),
                    &got.key,
                )?;
                if save {
                    save_credentials(&home, &entered)?;
                }
                Ok(json!({"path": got.path, "size": got.size, "id": got.id}))
            });
        Ok((StatusCode::ACCEPTED, Json(json!({"job_id": job.id}))))
    })
    .await
}
