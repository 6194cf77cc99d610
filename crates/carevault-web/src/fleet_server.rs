//! `carevault fleet serve`: a read-only page of the fleet report on the
//! ministry's office machine (docs/FLEET.md "The fleet page"). It is not
//! the tablet's server: no clinic home, no users; the bucket's read keys
//! stay on this machine and the page shows what `carevault fleet` prints.
//!
//! The index is refreshed once by [`FleetPage::open`] and then on
//! `POST /api/fleet/refresh`, one refresh at a time: a request that comes
//! while one runs waits for it and answers its result. After each refresh
//! the report is built once per language and kept ([`Snapshot`]), so
//! `GET /api/fleet` never waits for a refresh.
//!
//! Who may reach it: the listener's address (loopback by default) and,
//! when an access token is set (required off loopback: the CLI's check),
//! `Authorization: Bearer TOKEN` on every `/api/fleet` request. The Host
//! and Origin checks and the protective headers are the Backup Explorer's
//! ([`crate::security`]).

use crate::errors::{blocking, ApiError};
use crate::{assets, language, security, server, Limits};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use carevault_core::i18n::{in_lang, t, Lang};
use carevault_core::Result;
use carevault_offsite::fleet::index::{Index, Refresh};
use carevault_offsite::fleet::report::{self, Report};
use carevault_offsite::S3Store;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use tower_http::timeout::TimeoutLayer;

/// What the fleet page serves.
pub struct FleetConfig {
    /// The store, as `s3://bucket/prefix/` (shown, and the index's key).
    pub store: String,
    /// The bucket's endpoint and read keys.
    pub offsite: carevault_offsite::Config,
    /// The index file (SQLite), made if missing.
    pub index: PathBuf,
    /// A device with no offsite copy newer than this many days is at risk.
    pub days: u32,
    /// The access token the page must send, if any.
    pub token: Option<String>,
    /// Timeouts and connection cap (the refresh route has no timeout: a
    /// big bucket's first listing takes as long as it takes).
    pub limits: Limits,
}

/// The bucket and the index: held by the refresh that runs.
struct Work {
    s3: S3Store,
    index: Index,
}

/// The report of one refresh, in every language.
struct Snapshot {
    /// Counts the refreshes that ended (1 after [`FleetPage::open`]).
    generation: u64,
    refreshed_at: i64,
    refresh: Refresh,
    reports: Vec<(Lang, Report)>,
}

/// The fleet page, its index refreshed once: [`serve_fleet`] serves it.
pub struct FleetPage {
    work: Arc<tokio::sync::Mutex<Work>>,
    snapshot: RwLock<Arc<Snapshot>>,
    store: String,
    index: PathBuf,
    days: u32,
    /// SHA-256 of the token: compared digest to digest, so the time a
    /// comparison takes says nothing about the token's bytes.
    token: Option<[u8; 32]>,
    limits: Limits,
    /// Refresh requests waiting for or running the refresh.
    refreshing: AtomicUsize,
    /// The refreshes that ended, well or not (not counting the one of
    /// [`FleetPage::open`]), and the last one's error if it failed: a
    /// request that waited behind a refresh answers its outcome.
    ended: std::sync::Mutex<Ended>,
}

#[derive(Default)]
struct Ended {
    count: u64,
    failure: Option<ApiError>,
}

/// Counts a refresh request while it lives.
struct Counted<'a>(&'a AtomicUsize);

impl<'a> Counted<'a> {
    fn new(n: &'a AtomicUsize) -> Counted<'a> {
        n.fetch_add(1, Ordering::SeqCst);
        Counted(n)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

type FleetState = Arc<FleetPage>;

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

impl FleetPage {
    /// Opens the index and refreshes it from the bucket (blocking: run it
    /// before the runtime's work, or on a blocking thread). A store that
    /// cannot be read fails here, with the `carevault fleet` error.
    pub fn open(config: FleetConfig) -> Result<FleetPage> {
        let s3 = S3Store::new(&config.offsite)?;
        let index = Index::open(
            &config.index,
            &format!("{} {}", config.offsite.settings.endpoint, config.store),
        )?;
        let mut work = Work { s3, index };
        let first = refresh(&mut work, config.days, 1)?;
        Ok(FleetPage {
            work: Arc::new(tokio::sync::Mutex::new(work)),
            snapshot: RwLock::new(Arc::new(first)),
            store: config.store,
            index: config.index,
            days: config.days,
            token: config.token.as_deref().map(digest),
            limits: config.limits,
            refreshing: AtomicUsize::new(0),
            ended: Default::default(),
        })
    }

    fn ended(&self) -> std::sync::MutexGuard<'_, Ended> {
        self.ended.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The report in `lang`, as `GET /api/fleet` answers it.
    fn document(&self, snap: &Snapshot, lang: Lang) -> Value {
        let rep = snap
            .reports
            .iter()
            .find(|(l, _)| *l == lang)
            .or(snap.reports.first())
            .map(|(_, r)| r)
            .expect("a report per language");
        let mut doc = rep.document(&self.store, &self.index, self.days, &snap.refresh);
        doc["refreshed_at"] = json!(report::time(snap.refreshed_at));
        doc["generation"] = json!(snap.generation);
        doc["refreshing"] = json!(self.refreshing.load(Ordering::SeqCst));
        doc
    }
}

/// One refresh of the index, and the report built from it in every
/// language (the at-risk reasons are sentences).
fn refresh(work: &mut Work, days: u32, generation: u64) -> Result<Snapshot> {
    let refresh = work.index.refresh(&work.s3, false)?;
    let now = jiff::Timestamp::now().as_second();
    let policy = report::Policy { days, now };
    let mut reports = Vec::new();
    for lang in Lang::ALL {
        reports.push((lang, in_lang(lang, || report::build(&work.index, policy))?));
    }
    Ok(Snapshot {
        generation,
        refreshed_at: now,
        refresh,
        reports,
    })
}

/// Serves `page` on `listener` until `shutdown` completes.
pub async fn serve_fleet(
    listener: tokio::net::TcpListener,
    page: FleetPage,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = page.limits.clone();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let app = router(Arc::new(page), &limits);
    let signal = async move {
        shutdown.await;
        let _ = tx.send(true);
    };
    server::run(listener, app, &limits, signal, rx).await
}

fn router(state: FleetState, limits: &Limits) -> Router {
    let timed = Router::new()
        .route("/", get(assets::fleet_html))
        .route("/fleet.js", get(assets::fleet_js))
        .route("/app.css", get(assets::app_css))
        .route("/icons.svg", get(assets::icons))
        .route("/api/fleet/strings", get(strings))
        .route("/api/fleet", get(fleet))
        .route_layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    let app = timed
        .route("/api/fleet/refresh", post(refresh_now))
        .fallback(|| async { ApiError::not_found(t!("web-no-route"), t!("web-no-route-advice")) })
        .layer(middleware::from_fn(security::guard))
        .layer(middleware::from_fn(language::scope_browser))
        .with_state(state);
    security::headers(app)
}

/// 401 unless the request carries the token (when one is set).
fn check_token(state: &FleetPage, headers: &HeaderMap) -> std::result::Result<(), ApiError> {
    let Some(want) = state.token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given.map(|g| digest(g.trim())) == Some(want) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "permission_denied",
        t!("web-fleet-token-needed"),
        t!("web-fleet-token-needed-advice"),
    ))
}

/// `GET /api/fleet`: the last refresh's report (docs/API.md).
async fn fleet(
    State(state): State<FleetState>,
    headers: HeaderMap,
) -> std::result::Result<Json<Value>, ApiError> {
    check_token(&state, &headers)?;
    let snap = state.snapshot();
    let lang = language::current();
    // A big fleet's document is megabytes: made off the async threads.
    let doc = blocking(move || Ok(state.document(&snap, lang))).await?;
    Ok(Json(doc))
}

/// `POST /api/fleet/refresh`: refreshes the index and answers the new
/// report; a request that comes while a refresh runs waits for it and
/// answers its outcome (its report, or its error), starting none.
async fn refresh_now(
    State(state): State<FleetState>,
    headers: HeaderMap,
) -> std::result::Result<Response, ApiError> {
    check_token(&state, &headers)?;
    let counted = state.clone();
    let _counted = Counted::new(&counted.refreshing);
    let seen = state.ended().count;
    let work = state.work.clone().lock_owned().await;
    let lang = language::current();
    let outcome = {
        let ended = state.ended();
        (ended.count != seen).then(|| ended.failure.clone())
    };
    match outcome {
        // A refresh ended while this request waited: its outcome is the
        // answer (a failure is not retried at once by every waiter).
        Some(failure) => {
            drop(work);
            if let Some(e) = failure {
                return Err(e);
            }
        }
        None => {
            let st = state.clone();
            // The lock moves to the blocking thread: a client that leaves
            // does not end the refresh, and no other starts before it ends.
            blocking(move || {
                let mut work = work;
                let generation = st.snapshot().generation + 1;
                let result = refresh(&mut work, st.days, generation).map_err(ApiError::from);
                let mut ended = st.ended();
                ended.count += 1;
                ended.failure = result.as_ref().err().cloned();
                let snap = result?;
                *st.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snap);
                Ok(())
            })
            .await?;
        }
    }
    let snap = state.snapshot();
    let doc = blocking(move || Ok(state.document(&snap, lang))).await?;
    Ok(Json(doc).into_response())
}

/// `GET /api/fleet/strings`: the fleet page's messages (`ui-fleet-` and
/// `common-` IDs), as `GET /api/strings` gives the Backup Explorer's.
async fn strings() -> Json<Value> {
    let lang = language::current();
    let mut strings = Map::new();
    for prefix in ["ui-fleet-", "common-"] {
        for id in carevault_i18n::ids(Lang::En, prefix) {
            let text = carevault_i18n::template(lang, &id)
                .or_else(|| carevault_i18n::template(Lang::En, &id))
                .unwrap_or_else(|| id.clone());
            strings.insert(id, Value::String(text));
        }
    }
    Json(json!({ "lang": lang.code(), "strings": strings }))
}
