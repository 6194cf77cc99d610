//! The demo sync simulator: plays the app's synchronization with its
//! central server, under the host contract.
//!
//! - The whole run holds the sync lock ([`SyncSession::begin`]): no backup
//!   starts while it runs, and the run waits while a backup pins its
//!   snapshot.
//! - `sync.db`'s `sync_log` gets one entry per run: inserted at the start
//!   with `status = 'partial'` and no `ended_at` (the schema allows only
//!   `ok`, `failed` and `partial`; an entry without `ended_at` is a sync
//!   that runs, or one that was interrupted), its `pushed`/`pulled` counts
//!   kept up to date at each step, and completed at the end with
//!   `ended_at` and `status = 'ok'` (or `'failed'` and the error).
//! - Each step holds the write barrier shared, checks that `data/` and its
//!   databases are still the ones the run started on, and commits one
//!   transaction per database:
//!   - push (`sync.db`): marks the pending outbox entries of the oldest
//!     pending transactions `sent` (with `sent_at`), whole transactions
//!     only; entries are never deleted (see [`super::check_consistency`]);
//!   - pull (`clinical.db`): applies changes "from the server": new phone
//!     numbers of a few patients, now and then a patient registered at
//!     another facility. Pulled changes come from the server, so they make
//!     no outbox entries.
//! - A restore that swaps the data folder while the sync runs ends the run
//!   with an error (the entry in `sync_log` left with the old data); a
//!   sync is started again on the restored data.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::ffi::ErrorCode;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::pools::{
    civil, date, now_secs, pick, timestamp, uuid, FAMILY, GIVEN_F, GIVEN_M, TODAY, VILLAGES,
};
use super::schema::{open_app, CLINICAL_DB, SYNC_DB};
use super::txn::Ids;
use super::DemoError;
use carevault_core::hostlock::{locks_dir, HostLock, LockGuard, SyncSession};
use carevault_core::layout;

/// How long a busy database is retried before the sync gives up.
const RETRY_FOR: Duration = Duration::from_secs(30);
const RETRY_PAUSE: Duration = Duration::from_millis(50);
/// Pending outbox entries whose transactions one step pushes, at most.
const PUSH_BATCH: std::ops::RangeInclusive<u32> = 5..=40;

/// How [`run_sync`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// How long the synchronization lasts once it holds the sync lock.
    pub duration: Duration,
    /// Pause between two steps (push and pull).
    pub step_interval: Duration,
    /// Seeds the batch sizes and the pulled changes.
    pub seed: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            duration: Duration::from_secs(3),
            step_interval: Duration::from_millis(50),
            seed: 1,
        }
    }
}

/// What a [`run_sync`] run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStats {
    /// Outbox entries marked `sent`.
    pub pushed: u64,
    /// Changes from the server applied to `clinical.db`.
    pub pulled: u64,
    /// Steps (push + pull) done.
    pub steps: u64,
    /// `sync_log.id` of this run's entry in `sync.db`.
    pub log_id: i64,
}

/// Runs one synchronization on `home`: holds the sync lock for the whole
/// run, logs it in `sync_log`, and pushes and pulls in steps every
/// `step_interval` for `duration` (at least one step), or until `stop` is
/// set. Busy databases are retried (for up to 30 s); a missing or replaced
/// data folder and other failures end the run with an error.
pub fn run_sync(
    home: &Path,
    opts: &SyncOptions,
    stop: &AtomicBool,
) -> Result<SyncStats, DemoError> {
    let _session = SyncSession::begin(home).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-take-the-sync-lock-in"),
        locks_dir(home),
    ))?;
    let began = Instant::now();
    let deadline = began.checked_add(opts.duration);
    let mut s = Sync::start(home, opts.seed)?;
    let mut next_due = began;
    let outcome = loop {
        if stop.load(Ordering::Relaxed) {
            break Ok(());
        }
        let draft = s.draft();
        match s.step(&draft, stop) {
            Ok(true) => s.stats.steps += 1,
            Ok(false) => break Ok(()),
            Err(e) => break Err(e),
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break Ok(());
        }
        // After a long stall, resume the pace instead of bursting to catch up.
        let base = next_due.max(now.checked_sub(opts.step_interval).unwrap_or(now));
        let Some(due) = base.checked_add(opts.step_interval) else {
            break Ok(()); // no next step within reach of the clock
        };
        next_due = due;
        let due = deadline.map_or(next_due, |d| next_due.min(d));
        if !sleep_until(due, stop) || deadline.is_some_and(|d| Instant::now() >= d) {
            break Ok(());
        }
    };
    match outcome {
        Ok(()) => {
            s.finish()?;
            Ok(s.stats)
        }
        Err(e) => {
            s.record_failure(&e);
            Err(e)
        }
    }
}

/// Why one attempt did not happen.
enum Failure {
    /// A busy database: release the barrier, wait, try again.
    Busy(DemoError),
    /// Anything else ends the run.
    Fatal(DemoError),
}

impl From<DemoError> for Failure {
    fn from(e: DemoError) -> Self {
        Failure::Fatal(e)
    }
}

/// Maps a SQLite error: busy or locked is worth another attempt.
fn sql(action: carevault_i18n::Text, path: &Path) -> impl FnOnce(rusqlite::Error) -> Failure {
    let path = path.to_path_buf();
    move |source| {
        let busy = matches!(
            source.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        );
        let e = DemoError::Sqlite {
            action: Box::new(action),
            path,
            source,
        };
        if busy {
            Failure::Busy(e)
        } else {
            Failure::Fatal(e)
        }
    }
}

/// Runs `attempt` until it succeeds, retrying busy databases for up to
/// [`RETRY_FOR`]; `Ok(None)` when `stop` is set while retrying.
fn with_retries<T>(
    stop: Option<&AtomicBool>,
    mut attempt: impl FnMut() -> Result<T, Failure>,
) -> Result<Option<T>, DemoError> {
    let mut failing_since: Option<Instant> = None;
    loop {
        match attempt() {
            Ok(v) => return Ok(Some(v)),
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Busy(e)) => {
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= RETRY_FOR {
                    return Err(e);
                }
                if !sleep_until(Instant::now() + RETRY_PAUSE, stop.unwrap_or(&NEVER)) {
                    return Ok(None);
                }
            }
        }
    }
}

static NEVER: AtomicBool = AtomicBool::new(false);

/// Sleeps until `due`, waking often to honour `stop`; false when stopped.
fn sleep_until(due: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= due {
            return true;
        }
        std::thread::sleep((due - now).min(Duration::from_millis(20)));
    }
}

fn take_barrier(home: &Path) -> Result<LockGuard, DemoError> {
    HostLock::WriteBarrier.shared(home).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-take-the-write-barrier-in"),
        locks_dir(home),
    ))
}

/// Identity of the data folder and its two databases; a missing one is an error.
fn current_ids(data: &Path) -> Result<Ids, DemoError> {
    for db in [CLINICAL_DB, SYNC_DB] {
        let path = data.join(db);
        if !path.is_file() {
            return Err(DemoError::MissingDatabase { path });
        }
    }
    Ids::of(data).map_err(DemoError::io(
        carevault_i18n::t!("cli-demo-doing-read-the-identity-of"),
        data,
    ))
}

/// The error when a restore swapped the data folder during the run.
fn replaced(data: &Path) -> DemoError {
    DemoError::Io {
        action: Box::new(carevault_i18n::t!("cli-demo-doing-go-on-synchronizing")),
        path: data.to_path_buf(),
        source: std::io::Error::other(
            "the data folder was replaced while the sync ran (a restore swapped it in), so this sync \
             stopped; its sync_log entry stayed with the replaced data; start a new sync on the \
             restored data",
        ),
    }
}

/// Everything random about one step, drawn before taking the barrier.
struct Draft {
    push_batch: u32,
    /// (patient pick in 0..1, new phone number) per updated patient.
    phone_updates: Vec<(f64, String)>,
    new_patient: Option<NewPatient>,
    now: String,
}

/// A patient registered at another facility, pulled from the server.
struct NewPatient {
    uuid: String,
    given: &'static str,
    family: &'static str,
    sex: &'static str,
    dob: String,
    village: &'static str,
    phone: Option<String>,
    guardian: Option<String>,
    national_id: Option<String>,
    created_at: String,
}

struct Sync<'h> {
    home: &'h Path,
    data: PathBuf,
    clinical_path: PathBuf,
    sync_path: PathBuf,
    /// The data the run started on (and whose `sync_log` holds its entry).
    ids: Ids,
    clinical: Connection,
    sync: Connection,
    /// Choices: from the seed.
    rng: StdRng,
    /// Record uuids: unique per run.
    ids_rng: StdRng,
    stats: SyncStats,
}

impl<'h> Sync<'h> {
    /// Opens both databases under the barrier and inserts the `sync_log` entry.
    fn start(home: &'h Path, seed: u64) -> Result<Sync<'h>, DemoError> {
        let data = layout::data_dir(home);
        let clinical_path = data.join(CLINICAL_DB);
        let sync_path = data.join(SYNC_DB);
        let _barrier = take_barrier(home)?;
        let ids = current_ids(&data)?;
        let open = |path: &Path| {
            open_app(path).map_err(|source| DemoError::Sqlite {
                action: Box::new(carevault_i18n::t!("cli-demo-doing-open")),
                path: path.to_path_buf(),
                source,
            })
        };
        let clinical = open(&clinical_path)?;
        let sync = open(&sync_path)?;
        for (conn, path, table, what) in [
            (&sync, &sync_path, "outbox", "outbox table"),
            (&sync, &sync_path, "sync_log", "sync log table"),
            (&clinical, &clinical_path, "patients", "patients table"),
        ] {
            let found: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .map_err(DemoError::sql(
                    carevault_i18n::t!("cli-demo-doing-read-the-schema"),
                    path,
                ))?;
            if found == 0 {
                return Err(DemoError::NotDemoData {
                    path: path.clone(),
                    what,
                });
            }
        }
        let started_at = timestamp(now_secs());
        let log_id = with_retries(None, || {
            sync.execute(
                "INSERT INTO sync_log (started_at, ended_at, pushed, pulled, status, error) \
                 VALUES (?1, NULL, 0, 0, 'partial', NULL)",
                [&started_at],
            )
            .map_err(sql(
                carevault_i18n::t!("cli-demo-doing-start-the-sync-log-entry"),
                &sync_path,
            ))?;
            Ok(sync.last_insert_rowid())
        })?
        .unwrap_or_default();
        Ok(Sync {
            home,
            data,
            clinical_path,
            sync_path,
            ids,
            clinical,
            sync,
            rng: StdRng::seed_from_u64(seed),
            ids_rng: StdRng::seed_from_u64(unique_seed(seed)),
            stats: SyncStats {
                log_id,
                ..SyncStats::default()
            },
        })
    }

    fn draft(&mut self) -> Draft {
        let rng = &mut self.rng;
        let push_batch = rng.gen_range(PUSH_BATCH);
        let phone_updates = (0..rng.gen_range(0..=3))
            .map(|_| (rng.gen::<f64>(), phone(rng)))
            .collect();
        let new_patient = rng.gen_bool(0.15).then(|| {
            let sex = if rng.gen_bool(0.5) { "F" } else { "M" };
            let age_days = rng.gen_range(0..70 * 365);
            let dob = TODAY - age_days;
            let family = pick(rng, FAMILY);
            let adult = age_days >= 18 * 365;
            NewPatient {
                uuid: uuid(&mut self.ids_rng),
                given: pick(rng, if sex == "F" { GIVEN_F } else { GIVEN_M }),
                family,
                sex,
                dob: date(dob),
                village: pick(rng, VILLAGES),
                phone: rng.gen_bool(0.75).then(|| phone(rng)),
                guardian: (!adult).then(|| format!("{} {family}", pick(rng, GIVEN_F))),
                national_id: (adult && rng.gen_bool(0.8)).then(|| {
                    let letters: String = (0..4)
                        .map(|_| char::from(rng.gen_range(b'A'..=b'Z')))
                        .collect();
                    format!(
                        "C{sex}{:02}{:06}{letters}",
                        civil(dob).0 % 100,
                        rng.gen_range(0..1_000_000)
                    )
                }),
                // Registered at another facility some days ago.
                created_at: timestamp(now_secs() - rng.gen_range(3_600..30 * 86_400)),
            }
        });
        Draft {
            push_batch,
            phone_updates,
            new_patient,
            now: timestamp(now_secs()),
        }
    }

    /// Under the barrier: still the data the run started on?
    fn same_data(&self) -> Result<(), DemoError> {
        if current_ids(&self.data)? != self.ids {
            return Err(replaced(&self.data));
        }
        Ok(())
    }

    /// One step under the shared barrier: push, then pull. False when
    /// `stop` was set while waiting out a busy database.
    fn step(&mut self, d: &Draft, stop: &AtomicBool) -> Result<bool, DemoError> {
        let done = with_retries(Some(stop), || {
            let _barrier = take_barrier(self.home)?;
            self.same_data()?;
            let pushed = self.push(d).map_err(sql(
                carevault_i18n::t!("cli-demo-doing-push-outbox-entries"),
                &self.sync_path,
            ))?;
            self.stats.pushed += pushed;
            let pulled = self.pull(d).map_err(sql(
                carevault_i18n::t!("cli-demo-doing-apply-pulled-changes"),
                &self.clinical_path,
            ))?;
            self.stats.pulled += pulled;
            Ok(())
        })?;
        // Let a backup waiting for the exclusive barrier in before the next step.
        std::thread::yield_now();
        Ok(done.is_some())
    }

    /// Marks the pending entries of the oldest pending transactions `sent`
    /// (a transaction goes whole), and records the progress in `sync_log`:
    /// one transaction on sync.db.
    fn push(&mut self, d: &Draft) -> rusqlite::Result<u64> {
        let tx = self
            .sync
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let pushed = tx
            .prepare_cached(
                "UPDATE outbox SET status = 'sent', sent_at = ?1 WHERE status = 'pending' AND txn_id IN \
                 (SELECT txn_id FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?2)",
            )?
            .execute(params![d.now, d.push_batch])?;
        let pushed = pushed as u64;
        tx.prepare_cached("UPDATE sync_log SET pushed = ?1, pulled = ?2 WHERE id = ?3")?
            .execute(params![
                count(self.stats.pushed + pushed),
                count(self.stats.pulled),
                self.stats.log_id
            ])?;
        tx.commit()?;
        Ok(pushed)
    }

    /// Applies the step's changes from the server: one transaction on clinical.db.
    fn pull(&mut self, d: &Draft) -> rusqlite::Result<u64> {
        let tx = self
            .clinical
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut pulled = 0u64;
        let max_id: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM patients", [], |r| {
            r.get(0)
        })?;
        if max_id > 0 {
            for (pick, phone) in &d.phone_updates {
                let target = 1 + (pick * max_id as f64) as i64;
                let id: Option<i64> = tx
                    .prepare_cached("SELECT id FROM patients WHERE id >= ?1 ORDER BY id LIMIT 1")?
                    .query_row([target], |r| r.get(0))
                    .optional()?;
                if let Some(id) = id {
                    pulled += tx
                        .prepare_cached(
                            "UPDATE patients SET phone = ?1, updated_at = ?2 WHERE id = ?3",
                        )?
                        .execute(params![phone, d.now, id])? as u64;
                }
            }
        }
        if let Some(p) = &d.new_patient {
            pulled += tx
                .prepare_cached(
                    "INSERT INTO patients (uuid, given_name, family_name, sex, date_of_birth, village, phone, \
                     guardian_name, national_id, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    p.uuid,
                    p.given,
                    p.family,
                    p.sex,
                    p.dob,
                    p.village,
                    p.phone,
                    p.guardian,
                    p.national_id,
                    p.created_at,
                    d.now
                ])? as u64;
        }
        tx.commit()?;
        Ok(pulled)
    }

    /// Completes the `sync_log` entry: ended, counts, `ok`.
    fn finish(&mut self) -> Result<(), DemoError> {
        let ended_at = timestamp(now_secs());
        with_retries(None, || {
            let _barrier = take_barrier(self.home)?;
            self.same_data()?;
            self.complete(&ended_at, "ok", None).map_err(sql(
                carevault_i18n::t!("cli-demo-doing-complete-the-sync-log-entry"),
                &self.sync_path,
            ))
        })?;
        Ok(())
    }

    /// Best effort: marks the `sync_log` entry `failed` with the error,
    /// unless the data folder is no longer the one the run started on.
    fn record_failure(&mut self, e: &DemoError) {
        let Ok(_barrier) = take_barrier(self.home) else {
            return;
        };
        if self.same_data().is_ok() {
            let _ = self.complete(&timestamp(now_secs()), "failed", Some(&e.to_string()));
        }
    }

    fn complete(&self, ended_at: &str, status: &str, error: Option<&str>) -> rusqlite::Result<()> {
        let n = self.sync.execute(
            "UPDATE sync_log SET ended_at = ?1, pushed = ?2, pulled = ?3, status = ?4, error = ?5 WHERE id = ?6",
            params![
                ended_at,
                count(self.stats.pushed),
                count(self.stats.pulled),
                status,
                error,
                self.stats.log_id
            ],
        )?;
        if n == 0 {
            return Err(rusqlite::Error::QueryReturnedNoRows);
        }
        Ok(())
    }
}

/// A count as SQLite stores it.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A phone number as the clinic writes them.
fn phone<R: Rng>(rng: &mut R) -> String {
    format!(
        "+2567{}{:08}",
        rng.gen_range(0..10),
        rng.gen_range(0..100_000_000)
    )
}

/// A seed that differs between runs (time, process, seed), so that record
/// uuids never repeat across runs on the same data.
fn unique_seed(seed: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut rng = StdRng::seed_from_u64(seed);
    rng.gen::<u64>() ^ (nanos as u64) ^ (u64::from(std::process::id()) << 32) ^ (nanos >> 64) as u64
}
