//! carevault-web: the Backup Explorer, a small local web app and the JSON
//! API of `docs/API.md`, over carevault-core.
//!
//! How the pieces fit:
//! - [`serve`] runs the server on a listener until a shutdown future ends
//!   (the CLI's `carevault serve`, and the tests on port 0).
//! - [`serve_fleet`] serves the read-only fleet page of `carevault fleet
//!   serve` (`fleet_server`: its own routes, no home, no users).
//! - `routes/` holds one module per group of routes; every decision about
//!   who may do what is the core's (`auth::authorize::<A>`), never ours.
//! - `server` (the connection loop: header-read timeout, connection cap),
//!   `session` (cookie sessions, re-checked against the user store on every
//!   request), `security` (Host and Origin checks, response headers),
//!   `throttle` (login and passphrase rate limits), `jobs` (long operations
//!   run on blocking threads, one key derivation at a time, their progress
//!   and server-sent events), `upload` (streamed uploads, their quotas and
//!   lifetime), `lookup` (finding backups on the media), `errors` (core
//!   error kinds to HTTP statuses), `assets` (the embedded web app),
//!   `schedule` (automatic backups and offsite pushes; [`Scheduler`], the
//!   tests' handle on its checks), `offsite` (the
//!   Offsite column, pushes, their backoff and priority), `clock` (the
//!   time they all use).
//!
//! The core calls are blocking (SQLite, file I/O, scrypt, argon2): every one
//! runs in `tokio::task::spawn_blocking`.

mod assets;
mod clock;
mod errors;
mod fleet_server;
mod jobs;
mod json;
mod language;
mod lookup;
mod offsite;
mod routes;
mod schedule;
mod security;
mod server;
mod session;
mod throttle;
mod upload;

pub use clock::Clock;
pub use fleet_server::{serve_fleet, FleetConfig, FleetPage};
pub use schedule::Scheduler;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Default largest upload: 8 GiB.
pub const DEFAULT_MAX_UPLOAD: u64 = 8 * 1024 * 1024 * 1024;

/// Default time between two checks of the automatic-backup schedule.
pub const DEFAULT_AUTO_CHECK: Duration = Duration::from_secs(5 * 60);

/// The limits of the server against slow, many or greedy clients
/// (docs/API.md, "Limits").
#[derive(Debug, Clone)]
pub struct Limits {
    /// A connection that has not sent a whole request head (request line
    /// and headers) this long after it opened, or after its last answer,
    /// is closed.
    pub header_timeout: Duration,
    /// A request (other than an upload) that has no answer this long after
    /// its head arrived gets `408`; an upload whose body stalls this long
    /// between two pieces is cut off.
    pub request_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Bytes all uploads of one session may hold at once.
    pub upload_per_session: u64,
    /// Bytes all uploads may hold at once.
    pub upload_total: u64,
    /// An upload is removed this long after it arrived.
    pub upload_keep: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_connections: 64,
            upload_per_session: DEFAULT_MAX_UPLOAD,
            upload_total: 2 * DEFAULT_MAX_UPLOAD,
            upload_keep: Duration::from_secs(3600),
        }
    }
}

/// What the server serves and how.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The app home (holds `data/`, `private/`, `carevault.toml`).
    pub home: PathBuf,
    /// Largest upload accepted, in bytes (413 beyond).
    pub max_upload: u64,
    /// How often to check whether an automatic backup is due (the profile's
    /// `[auto] interval_hours` decides whether one is; a home without any
    /// automatic backup gets its first one interval after the start);
    /// `None` = never (and [`Scheduler::check_now`] then never returns).
    pub auto_interval: Option<Duration>,
    /// Timeouts, connection cap, upload quotas.
    pub limits: Limits,
    /// The clock of sessions, rate limits and uploads (tests move a
    /// manual one forward).
    pub clock: Clock,
    /// The automatic-backup schedule's handle. A test seam: a test keeps a
    /// clone to run a check now and await its end
    /// ([`Scheduler::check_now`]); the server itself never calls it.
    pub scheduler: Scheduler,
}

impl ServerConfig {
    /// A configuration for `home` with the defaults: 8 GiB uploads, the
    /// automatic-backup schedule checked every 5 minutes, [`Limits`]'s
    /// defaults, the system clock.
    pub fn new(home: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            home: home.into(),
            max_upload: DEFAULT_MAX_UPLOAD,
            auto_interval: Some(DEFAULT_AUTO_CHECK),
            limits: Limits::default(),
            clock: Clock::system(),
            scheduler: Scheduler::default(),
        }
    }
}

/// State shared by every request.
pub(crate) struct Inner {
    pub home: PathBuf,
    pub sessions: session::Sessions,
    pub uploads: upload::Uploads,
    /// Logins, keyed on the account name.
    pub logins: throttle::Throttle<String>,
    /// Passphrase attempts, keyed on the backup.
    pub passphrases: throttle::Throttle<String>,
    /// Password checks (argon2, 19 MiB each) at once.
    pub login_slots: tokio::sync::Semaphore,
    pub jobs: jobs::Registry,
    /// Serialises the start of operations that must not overlap ("Start
    /// fresh", a first-run restore, a backup or restore job).
    pub starting: std::sync::Mutex<()>,
    /// Turns true when the server shuts down (ends event streams).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// The server's clock, and its reading when the server started.
    pub clock: Clock,
    pub started: Duration,
    /// The automatic-backup schedule's checks (how many ended).
    pub scheduler: Scheduler,
    /// The scheduler's offsite backoff (while the store cannot be reached).
    pub offsite_backoff: std::sync::Mutex<offsite::Backoff>,
    /// Held by the push that runs ("Copy offsite now" or the scheduler's):
    /// one at a time, so no backup is uploaded twice at once.
    pub offsite_pushing: std::sync::Mutex<()>,
}

pub(crate) type AppState = Arc<Inner>;

/// Password checks that may run at once.
const LOGIN_SLOTS: usize = 2;

/// Serves the Backup Explorer on `listener` until `shutdown` completes,
/// then finishes the requests in flight and returns. Running jobs (a
/// backup, a restore) go on to their end on their own threads.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let home = std::path::absolute(&config.home)?;
    upload::prepare_dir(&home, config.limits.upload_keep)?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let clock = config.clock.clone();
    let limits = config.limits.clone();
    let state: AppState = Arc::new(Inner {
        uploads: upload::Uploads::new(
            home.clone(),
            upload::UploadLimits {
                max_upload: config.max_upload,
                per_session: limits.upload_per_session,
                total: limits.upload_total,
                keep: limits.upload_keep,
            },
            clock.clone(),
        ),
        home,
        sessions: session::Sessions::new(clock.clone()),
        logins: throttle::Throttle::new(throttle::LOGIN, clock.clone()),
        passphrases: throttle::Throttle::new(throttle::PASSPHRASE, clock.clone()),
        login_slots: tokio::sync::Semaphore::new(LOGIN_SLOTS),
        jobs: jobs::Registry::default(),
        starting: std::sync::Mutex::new(()),
        shutdown: rx.clone(),
        started: clock.now(),
        clock: clock.clone(),
        scheduler: config.scheduler.clone(),
        offsite_backoff: std::sync::Mutex::new(offsite::Backoff::default()),
        offsite_pushing: std::sync::Mutex::new(()),
    });
    let schedule = config
        .auto_interval
        .map(|every| tokio::spawn(schedule::run(state.clone(), every)));
    let sweeper = tokio::spawn(upload::sweep_every_minute(state.clone()));
    let app = routes::router(state, &limits);
    let signal = async move {
        shutdown.await;
        let _ = tx.send(true);
    };
    let result = server::run(listener, app, &limits, signal, rx).await;
    if let Some(task) = schedule {
        task.abort();
    }
    sweeper.abort();
    result
}
