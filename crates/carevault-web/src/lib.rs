//! carevault-web: the Backup Explorer, a small local web app and the JSON
//! API of `docs/API.md`, over carevault-core.
//!
//! How the pieces fit:
//! - [`serve`] runs the server on a listener until a shutdown future ends
//!   (the CLI's `carevault serve`, and the tests on port 0).
//! - `routes/` holds one module per group of routes; every decision about
//!   who may do what is the core's (`auth::authorize::<A>`), never ours.
//! - `session` (cookie sessions), `security` (Host and Origin checks, the
//!   login rate limit, response headers), `jobs` (long operations run on
//!   blocking threads, their progress and server-sent events), `upload`
//!   (streamed uploads), `lookup` (finding backups on the media),
//!   `errors` (core error kinds to HTTP statuses), `assets` (the embedded
//!   web app), `schedule` (automatic backups).
//!
//! The core calls are blocking (SQLite, file I/O, scrypt, argon2): every one
//! runs in `tokio::task::spawn_blocking`.

mod assets;
mod errors;
mod jobs;
mod json;
mod lookup;
mod routes;
mod schedule;
mod security;
mod session;
mod upload;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Default largest upload: 8 GiB.
pub const DEFAULT_MAX_UPLOAD: u64 = 8 * 1024 * 1024 * 1024;

/// Default time between two checks of the automatic-backup schedule.
pub const DEFAULT_AUTO_CHECK: Duration = Duration::from_secs(5 * 60);

/// What the server serves and how.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The app home (holds `data/`, `private/`, `carevault.toml`).
    pub home: PathBuf,
    /// Largest upload accepted, in bytes (413 beyond).
    pub max_upload: u64,
    /// How often to check whether an automatic backup is due (the profile's
    /// `[auto] interval_hours` decides whether one is); `None` = never.
    pub auto_interval: Option<Duration>,
}

impl ServerConfig {
    /// A configuration for `home` with the defaults: 8 GiB uploads, the
    /// automatic-backup schedule checked every 5 minutes.
    pub fn new(home: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            home: home.into(),
            max_upload: DEFAULT_MAX_UPLOAD,
            auto_interval: Some(DEFAULT_AUTO_CHECK),
        }
    }
}

/// State shared by every request.
pub(crate) struct Inner {
    pub home: PathBuf,
    pub max_upload: u64,
    pub sessions: session::Sessions,
    pub limiter: security::LoginLimiter,
    pub jobs: jobs::Registry,
    /// Serialises the start of operations that must not overlap ("Start
    /// fresh", a first-run restore, a backup or restore job).
    pub starting: std::sync::Mutex<()>,
    /// Turns true when the server shuts down (ends event streams).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

pub(crate) type AppState = Arc<Inner>;

/// Serves the Backup Explorer on `listener` until `shutdown` completes,
/// then finishes the requests in flight and returns. Running jobs (a
/// backup, a restore) go on to their end on their own threads.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let home = std::path::absolute(&config.home)?;
    upload::prepare_dir(&home)?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let state: AppState = Arc::new(Inner {
        home,
        max_upload: config.max_upload,
        sessions: session::Sessions::default(),
        limiter: security::LoginLimiter::default(),
        jobs: jobs::Registry::default(),
        starting: std::sync::Mutex::new(()),
        shutdown: rx,
    });
    let schedule = config
        .auto_interval
        .map(|every| tokio::spawn(schedule::run(state.clone(), every)));
    let app = routes::router(state);
    let signal = async move {
        shutdown.await;
        let _ = tx.send(true);
    };
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .await;
    if let Some(task) = schedule {
        task.abort();
    }
    result
}
