//! Jobs: backups, verifications and restores run on blocking threads and
//! report into a [`JobProgress`] (atomics: phase, bytes done, bytes total);
//! the registry answers `GET /api/jobs/{id}` and its event stream.

use crate::errors::ApiError;
use carevault_core::i18n::{t, Lang};
use carevault_core::{Phase, Progress};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Finished jobs are forgotten after this long.
const KEEP_FINISHED: Duration = Duration::from_secs(3600);

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Backup,
    Verify,
    Restore,
    /// A change of passphrase: the file is rewritten.
    Rekey,
    /// A copy of a backup to a USB drive or SD card ("Copy to USB").
    Copy,
    /// A SanteDB import (then verify; in a first run, restore too).
    Import,
    /// Copies offsite ("Copy offsite now").
    Offsite,
    /// A download from the offsite store ("Restore from offsite").
    Download,
}

impl JobKind {
    /// Backups, restores and passphrase changes take the home's operation
    /// lock: one at a time.
    pub fn exclusive(self) -> bool {
        matches!(
            self,
            JobKind::Backup | JobKind::Restore | JobKind::Rekey | JobKind::Import
        )
    }
}

/// Who may see a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The user who started it.
    User(String),
    /// A first-run restore (no users yet): whoever holds the job ID, a
    /// 128-bit random value handed only to the one who started it.
    FirstRun,
}

/// A job's phase as one number: before the core's first phase, each of
/// the core's phases ([`Phase::ALL`], shown by its snake_case code), then
/// the job's own ends.
const STARTING: u8 = 0;
const FINISHING: u8 = Phase::ALL.len() as u8 + 1;
const DONE: u8 = FINISHING + 1;
const FAILED: u8 = FINISHING + 2;

/// The API's name of phase number `i`.
fn phase_code(i: u8) -> &'static str {
    match i {
        STARTING => "starting",
        FINISHING => "finishing",
        DONE => "done",
        FAILED => "failed",
        i => Phase::ALL
            .get(usize::from(i) - 1)
            .map_or("finishing", |p| p.code()),
    }
}

/// Progress of one job, written by the core from its thread.
pub struct JobProgress {
    phase: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
    /// Milliseconds since the job started at which the current phase began.
    phase_start_ms: AtomicU64,
    started: Instant,
}

impl JobProgress {
    fn new() -> JobProgress {
        JobProgress {
            phase: AtomicU8::new(STARTING),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            phase_start_ms: AtomicU64::new(0),
            started: Instant::now(),
        }
    }
}

impl Progress for JobProgress {
    fn start(&self, phase: Phase, total: u64) {
        let i = Phase::ALL
            .iter()
            .position(|p| *p == phase)
            .map_or(FINISHING, |i| i as u8 + 1);
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.phase_start_ms
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
        self.phase.store(i, Ordering::Release);
    }

    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
}

/// How a job ended.
enum Outcome {
    Running,
    Done(Value),
    /// The error, and a result when there is one (a restore whose checks
    /// differ still has its report).
    Failed(ApiError, Option<Value>),
}

/// One job.
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub owner: Owner,
    /// The language of the request that started it: its error's and its
    /// result's sentences are in it, whoever asks.
    pub lang: Lang,
    progress: JobProgress,
    outcome: Mutex<(Outcome, Option<Instant>)>,
    /// Turns true once the outcome is set (what the tests await).
    ended: tokio::sync::watch::Sender<bool>,
}

impl Job {
    /// True once the job is done or failed.
    pub fn finished(&self) -> bool {
        !matches!(self.outcome.lock().expect("job").0, Outcome::Running)
    }

    /// Returns once the job is done or failed (its end, awaited).
    #[cfg(test)]
    pub async fn ended(&self) {
        let mut ended = self.ended.subscribe();
        // The sender is the job's own: it lives as long as `self`.
        let _ = ended.wait_for(|e| *e).await;
    }

    /// The job as `GET /api/jobs/{id}` shows it.
    pub fn to_json(&self) -> Value {
        let guard = self.outcome.lock().expect("job");
        let p = &self.progress;
        let mut phase = p.phase.load(Ordering::Acquire);
        let total = p.total.load(Ordering::Relaxed);
        let done = p.done.load(Ordering::Relaxed).min(total);
        let state = match &guard.0 {
            Outcome::Running => "running",
            Outcome::Done(_) => "done",
            Outcome::Failed(..) => "failed",
        };
        let (percent, eta) = match &guard.0 {
            Outcome::Done(_) => {
                phase = DONE;
                (100, Some(0))
            }
            Outcome::Failed(..) => {
                phase = FAILED;
                ((done * 100).checked_div(total).unwrap_or(0), None)
            }
            Outcome::Running => {
                if total > 0 && done >= total && phase != STARTING {
                    phase = FINISHING;
                }
                let percent = (done * 100).checked_div(total).unwrap_or(0).min(99);
                let since = p.started.elapsed().saturating_sub(Duration::from_millis(
                    p.phase_start_ms.load(Ordering::Relaxed),
                ));
                let eta = (done > 0 && total > done && phase != FINISHING).then(|| {
                    let rate = done as f64 / since.as_secs_f64().max(0.001);
                    ((total - done) as f64 / rate).ceil() as u64
                });
                (percent, eta)
            }
        };
        let mut v = json!({
            "id": self.id,
            "kind": self.kind,
            "state": state,
            "phase": phase_code(phase),
            "done_bytes": done,
            "total_bytes": total,
            "percent": percent,
            "eta_seconds": eta,
        });
        match &guard.0 {
            Outcome::Done(result) => v["result"] = result.clone(),
            Outcome::Failed(e, result) => {
                v["error"] = json!(e.body(self.lang));
                if let Some(r) = result {
                    v["result"] = r.clone();
                }
            }
            Outcome::Running => {}
        }
        v
    }
}

/// A job's failure; `result` is kept when there is one.
pub struct JobError {
    pub error: ApiError,
    pub result: Option<Box<Value>>,
}

impl From<ApiError> for JobError {
    fn from(error: ApiError) -> JobError {
        JobError {
            error,
            result: None,
        }
    }
}

impl From<carevault_core::Error> for JobError {
    fn from(e: carevault_core::Error) -> JobError {
        ApiError::from(e).into()
    }
}

/// Every job of this server.
#[derive(Default)]
pub struct Registry {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    /// Users with a key-deriving job (verify, contents, restore) now.
    heavy_users: Arc<Mutex<HashSet<String>>>,
    /// Held while a passphrase key is derived and used (scrypt takes up to
    /// the profile's work factor in memory: 256 MiB at 18), so the process
    /// never holds two at once; jobs wait their turn for it.
    kdf: Arc<Mutex<()>>,
}

/// A user's one place for a key-deriving job; given back when dropped.
pub struct HeavySlot {
    users: Arc<Mutex<HashSet<String>>>,
    user: Option<String>,
    kdf: Arc<Mutex<()>>,
}

impl HeavySlot {
    /// Waits for the process's one key-derivation turn and holds it.
    pub fn turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.kdf
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for HeavySlot {
    fn drop(&mut self) {
        if let Some(u) = &self.user {
            self.users.lock().expect("heavy users").remove(u);
        }
    }
}

/// Set when the request that waits for some blocking work is dropped (its
/// client left, or the request timeout answered it): work still waiting
/// for its turn then gives up instead of deriving a key for nobody.
pub struct Abandon(Arc<std::sync::atomic::AtomicBool>);

impl Abandon {
    /// The guard (held by the request) and the flag (read by the work).
    pub fn new() -> (Abandon, Arc<std::sync::atomic::AtomicBool>) {
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        (Abandon(flag.clone()), flag)
    }
}

impl Drop for Abandon {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The 409 for a user who already has a key-deriving job.
pub fn one_at_a_time() -> ApiError {
    ApiError::busy(t!("web-one-at-a-time"), t!("web-one-at-a-time-advice"))
}

fn new_id() -> String {
    let mut b = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

impl Registry {
    /// A key-deriving job's slot for `user` (`None`: a first-run restore),
    /// or 409 when that user already has one.
    pub fn heavy_slot(&self, user: Option<&str>) -> Result<HeavySlot, ApiError> {
        if let Some(u) = user {
            if !self
                .heavy_users
                .lock()
                .expect("heavy users")
                .insert(u.to_string())
            {
                return Err(one_at_a_time());
            }
        }
        Ok(HeavySlot {
            users: self.heavy_users.clone(),
            user: user.map(str::to_string),
            kdf: self.kdf.clone(),
        })
    }

    /// The process's key-derivation turn, for work that needs no per-user
    /// slot (an encrypted backup).
    pub fn kdf_turn(&self) -> Arc<Mutex<()>> {
        self.kdf.clone()
    }

    /// The job with this ID.
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.lock().expect("jobs").get(id).cloned()
    }

    /// True while a backup or restore started here runs.
    pub fn exclusive_running(&self) -> bool {
        self.jobs
            .lock()
            .expect("jobs")
            .values()
            .any(|j| j.kind.exclusive() && !j.finished())
    }

    /// True while a job of `kind` runs.
    pub fn running(&self, kind: JobKind) -> bool {
        self.jobs
            .lock()
            .expect("jobs")
            .values()
            .any(|j| j.kind == kind && !j.finished())
    }

    /// Starts `work` on a blocking thread; returns the new job at once.
    /// `lang`: the language of the request that starts it (its JSON's).
    pub fn start<F>(&self, kind: JobKind, owner: Owner, lang: Lang, work: F) -> Arc<Job>
    where
        F: FnOnce(&JobProgress) -> Result<Value, JobError> + Send + 'static,
    {
        let job = Arc::new(Job {
            id: new_id(),
            kind,
            owner,
            lang,
            progress: JobProgress::new(),
            outcome: Mutex::new((Outcome::Running, None)),
            ended: tokio::sync::watch::Sender::new(false),
        });
        {
            let mut jobs = self.jobs.lock().expect("jobs");
            jobs.retain(|_, j| {
                j.outcome
                    .lock()
                    .expect("job")
                    .1
                    .is_none_or(|t| t.elapsed() < KEEP_FINISHED)
            });
            jobs.insert(job.id.clone(), job.clone());
        }
        let j = job.clone();
        tokio::task::spawn_blocking(move || {
            // Sentences the work renders (results, warnings) are in the
            // language of the request that started it.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                carevault_core::i18n::in_lang(j.lang, || work(&j.progress))
            }))
            .unwrap_or_else(|_| Err(ApiError::internal(t!("web-job-fault")).into()));
            let outcome = match result {
                Ok(v) => Outcome::Done(v),
                Err(e) => {
                    eprintln!(
                        "carevault serve: {:?} job {} failed: {}",
                        j.kind,
                        j.id,
                        e.error.message().render(Lang::En)
                    );
                    Outcome::Failed(e.error, e.result.map(|r| *r))
                }
            };
            *j.outcome.lock().expect("job") = (outcome, Some(Instant::now()));
            j.ended.send_replace(true);
        });
        job
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How long a test awaits a job's event before it calls it hung: a
    /// guard only, never a measure.
    const HANG_GUARD: Duration = Duration::from_secs(120);

    /// Awaits the job's end (with the hang guard).
    async fn ended(job: &Job) {
        tokio::time::timeout(HANG_GUARD, job.ended())
            .await
            .expect("the job ends");
    }

    /// Awaits the work's next signal (with the hang guard).
    async fn reached<T>(rx: &mut tokio::sync::mpsc::UnboundedReceiver<T>) -> T {
        tokio::time::timeout(HANG_GUARD, rx.recv())
            .await
            .expect("the work reaches its next step")
            .expect("the work signals")
    }

    #[tokio::test]
    async fn progress_percent_and_end_states() {
        let r = Registry::default();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (at_tx, mut at_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let job = r.start(JobKind::Verify, Owner::FirstRun, Lang::En, move |p| {
            p.start(Phase::Read, 200);
            p.advance(50);
            at_tx.send(()).unwrap();
            rx.recv().unwrap();
            p.advance(150);
            Ok(json!({"ok": true}))
        });
        reached(&mut at_rx).await;
        let v = job.to_json();
        assert_eq!(v["done_bytes"], 50, "{v}");
        assert_eq!(v["state"], "running");
        assert_eq!(v["phase"], "read");
        assert_eq!(v["percent"], 25);
        assert!(!r.exclusive_running());
        tx.send(()).unwrap();
        ended(&job).await;
        assert!(job.finished());
        let v = job.to_json();
        assert_eq!(
            (v["state"].as_str(), v["percent"].as_u64()),
            (Some("done"), Some(100))
        );
        assert_eq!(v["result"]["ok"], true);
        let bad = r.start(JobKind::Backup, Owner::FirstRun, Lang::En, |_| {
            Err(one_at_a_time().into())
        });
        ended(&bad).await;
        assert!(bad.finished());
        assert_eq!(bad.to_json()["error"]["kind"], "busy");
        assert!(r.get(&bad.id).is_some());
    }

    #[tokio::test]
    async fn a_failed_jobs_error_is_in_the_language_of_its_starter() {
        let r = Registry::default();
        let job = r.start(JobKind::Verify, Owner::FirstRun, Lang::Fr, |_| {
            Err(one_at_a_time().into())
        });
        ended(&job).await;
        let v = job.to_json();
        assert_eq!(v["error"]["kind"], "busy", "{v}");
        let fr = t!("web-one-at-a-time").render(Lang::Fr);
        assert_eq!(v["error"]["message"], fr.as_str(), "{v}");
        assert_ne!(fr, t!("web-one-at-a-time").render(Lang::En));
    }

    #[tokio::test]
    async fn an_upload_reports_its_own_phase() {
        let r = Registry::default();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (at_tx, mut at_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let job = r.start(JobKind::Offsite, Owner::FirstRun, Lang::En, move |p| {
            p.start(Phase::Upload, 100);
            p.advance(10);
            at_tx.send(()).unwrap();
            rx.recv().unwrap();
            Ok(json!({}))
        });
        reached(&mut at_rx).await;
        assert_eq!(job.to_json()["done_bytes"], 10);
        assert_eq!(job.to_json()["phase"], "upload");
        assert!(r.running(JobKind::Offsite));
        assert!(
            !r.exclusive_running(),
            "a copy offsite takes no operation lock"
        );
        tx.send(()).unwrap();
        ended(&job).await;
        assert!(!r.running(JobKind::Offsite));
    }

    /// Item 12: the key derivation is a phase of its own (0 %, no ETA,
    /// never "finishing"), then the read counts from 0 again; percent never
    /// runs ahead of done/total.
    #[tokio::test]
    async fn key_derivation_shows_as_its_own_phase_then_the_read_counts() {
        let r = Registry::default();
        let (step_tx, step_rx) = std::sync::mpsc::channel::<()>();
        let (at_tx, mut at_rx) = tokio::sync::mpsc::unbounded_channel::<&str>();
        let job = r.start(JobKind::Verify, Owner::FirstRun, Lang::En, move |p| {
            p.start(Phase::KeyDerivation, 0);
            at_tx.send("kdf").unwrap();
            step_rx.recv().unwrap();
            p.start(Phase::Read, 1000);
            p.advance(400);
            at_tx.send("read").unwrap();
            step_rx.recv().unwrap();
            Ok(json!({"ok": true}))
        });
        assert_eq!(reached(&mut at_rx).await, "kdf");
        let v = job.to_json();
        assert_eq!(v["phase"], "key_derivation", "{v}");
        assert_eq!(v["percent"], 0, "{v}");
        assert!(v["eta_seconds"].is_null(), "{v}");
        step_tx.send(()).unwrap();
        assert_eq!(reached(&mut at_rx).await, "read");
        let v = job.to_json();
        assert_eq!(v["phase"], "read", "{v}");
        assert_eq!(
            (v["done_bytes"].as_u64(), v["total_bytes"].as_u64()),
            (Some(400), Some(1000))
        );
        assert_eq!(v["percent"], 40, "{v}");
        step_tx.send(()).unwrap();
        ended(&job).await;
        assert_eq!(job.to_json()["state"], "done");
    }

    #[test]
    fn phase_codes_cover_the_cores_phases_and_the_jobs_ends() {
        assert_eq!(phase_code(STARTING), "starting");
        for (i, p) in Phase::ALL.iter().enumerate() {
            assert_eq!(phase_code(i as u8 + 1), p.code());
        }
        assert_eq!(phase_code(FINISHING), "finishing");
        assert_eq!(phase_code(DONE), "done");
        assert_eq!(phase_code(FAILED), "failed");
    }

    #[test]
    fn a_dropped_request_marks_its_waiting_work_abandoned() {
        let (guard, flag) = Abandon::new();
        assert!(!flag.load(Ordering::SeqCst));
        drop(guard);
        assert!(flag.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn one_key_deriving_job_per_user_and_one_derivation_at_a_time() {
        let r = Registry::default();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (in_tx, in_rx) = std::sync::mpsc::channel::<&str>();
        let slot = r.heavy_slot(Some("ana")).unwrap();
        let t1 = in_tx.clone();
        let first = r.start(
            JobKind::Verify,
            Owner::User("ana".into()),
            Lang::En,
            move |_| {
                let _turn = slot.turn();
                t1.send("ana").unwrap();
                rx.recv().unwrap();
                Ok(json!({}))
            },
        );
        assert_eq!(in_rx.recv().unwrap(), "ana");
        // Ana's second one is refused while her first runs.
        let e = r.heavy_slot(Some("ana")).err().unwrap();
        assert_eq!(e.status, axum::http::StatusCode::CONFLICT);
        // Bo's waits for the turn: it has not begun while Ana's holds it.
        let slot = r.heavy_slot(Some("bo")).unwrap();
        let second = r.start(
            JobKind::Verify,
            Owner::User("bo".into()),
            Lang::En,
            move |_| {
                let _turn = slot.turn();
                in_tx.send("bo").unwrap();
                Ok(json!({}))
            },
        );
        assert!(in_rx.try_recv().is_err());
        tx.send(()).unwrap();
        assert_eq!(
            tokio::task::spawn_blocking(move || in_rx.recv().unwrap())
                .await
                .unwrap(),
            "bo"
        );
        ended(&first).await;
        ended(&second).await;
        // Both slots were given back.
        r.heavy_slot(Some("ana")).unwrap();
        r.heavy_slot(Some("bo")).unwrap();
    }
}
