//! The demo app writer: commits clinic changes the way the app does, under
//! the host contract.
//!
//! For each change: take the write barrier shared; check that `data/` and
//! its databases are still the ones the connections point at (a restore
//! swaps the folder: then reopen); one transaction on `clinical.db` (visit,
//! immunization, stock decrement), one on `sync.db` (three outbox entries),
//! all tagged with the same writer transaction id; release the barrier.
//! A backup that snapshots under the exclusive barrier therefore sees every
//! writer transaction whole in both databases, or not at all.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pools::{date, now_secs, pick, tenth, timestamp, uuid, ADULT_REASONS, NOTES};
use super::schema::{CLINICAL_DB, SYNC_DB};
use super::txn::{Conns, Draft, Failure, Ids};
use super::{DemoError, WRITER_TXN_PREFIX};
use carevault_core::hostlock::{locks_dir, HostLock};
use carevault_core::layout;

/// How long the writer keeps retrying a missing or busy database before it
/// gives up.
const RETRY_FOR: Duration = Duration::from_secs(30);
const RETRY_PAUSE: Duration = Duration::from_millis(50);

/// How [`run_writer`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterOptions {
    /// Transactions per second; `None` = as fast as possible.
    pub rate_per_sec: Option<u32>,
    /// Stop after this many committed transactions; `None` = until `stop`.
    pub max_transactions: Option<u64>,
    /// Seeds the choice of patients, vaccines and vitals (transaction ids
    /// are unique per run regardless).
    pub seed: u64,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            rate_per_sec: None,
            max_transactions: None,
            seed: 1,
        }
    }
}

/// What a [`run_writer`] run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WriterStats {
    /// Writer transactions committed in both databases.
    pub transactions: u64,
    /// Longest time spent waiting for the shared write barrier (a backup's
    /// snapshot instant, a restore's swap).
    pub longest_wait_ms: f64,
    /// Times the connections were reopened because `data/` or a database
    /// was replaced (a restore).
    pub reopened: u64,
    /// Longest whole change (barrier wait and both commits), in ms: what
    /// the app's user waits for when saving.
    pub longest_commit_ms: f64,
    /// The 99th percentile of the changes' times, in ms.
    pub p99_commit_ms: f64,
}

/// Runs the demo app writer on `home` until `stop` is set or
/// `max_transactions` are committed. Missing or busy databases are retried
/// (for up to 30 s at a time); other failures end the run with an error.
pub fn run_writer(
    home: &Path,
    opts: &WriterOptions,
    stop: &AtomicBool,
) -> Result<WriterStats, DemoError> {
    let (run_id, ids_seed) = run_id(opts.seed);
    let mut w = Writer {
        home,
        data: layout::data_dir(home),
        run_id,
        rng: StdRng::seed_from_u64(opts.seed),
        ids: StdRng::seed_from_u64(ids_seed),
        conns: None,
        last_ids: None,
        stats: WriterStats::default(),
    };
    let interval = opts
        .rate_per_sec
        .filter(|r| *r > 0)
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
    let mut next_due = Instant::now();
    let mut failing_since: Option<Instant> = None;
    let mut times_ms: Vec<f32> = Vec::new();
    loop {
        if stop.load(Ordering::Relaxed)
            || opts
                .max_transactions
                .is_some_and(|m| w.stats.transactions >= m)
        {
            break;
        }
        if let Some(interval) = interval {
            if !sleep_until(next_due, stop) {
                break;
            }
            // After a long stall, resume the pace instead of bursting to catch up.
            let now = Instant::now();
            next_due = next_due.max(now.checked_sub(interval).unwrap_or(now)) + interval;
        }
        let txn = format!(
            "{WRITER_TXN_PREFIX}{}-{:06}",
            w.run_id,
            w.stats.transactions + 1
        );
        let draft = w.draft(txn);
        let began = Instant::now();
        match w.one(&draft) {
            Ok(()) => {
                let ms = began.elapsed().as_secs_f64() * 1000.0;
                w.stats.longest_commit_ms = w.stats.longest_commit_ms.max(ms);
                if times_ms.len() < 10_000_000 {
                    times_ms.push(ms as f32);
                }
                w.stats.transactions += 1;
                failing_since = None;
            }
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Retry(what, path)) => {
                w.conns = None;
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= RETRY_FOR {
                    return Err(DemoError::RetriesExhausted {
                        path,
                        seconds: RETRY_FOR.as_secs(),
                        last: what,
                    });
                }
                if !sleep_until(Instant::now() + RETRY_PAUSE, stop) {
                    break;
                }
            }
        }
        // Let a backup waiting for the exclusive barrier in before the next change.
        std::thread::yield_now();
    }
    times_ms.sort_by(f32::total_cmp);
    let p99 = (times_ms.len() * 99 / 100).min(times_ms.len().saturating_sub(1));
    w.stats.p99_commit_ms = times_ms.get(p99).copied().unwrap_or(0.0) as f64;
    Ok(w.stats)
}

struct Writer<'h> {
    home: &'h Path,
    data: PathBuf,
    run_id: String,
    /// Choices (patient, vaccine, vitals): from the seed.
    rng: StdRng,
    /// Record uuids: unique per run, so a second run never repeats them.
    ids: StdRng,
    conns: Option<Conns>,
    last_ids: Option<Ids>,
    stats: WriterStats,
}

impl Writer<'_> {
    /// Everything random about the next change, chosen before taking the barrier.
    fn draft(&mut self, txn: String) -> Draft {
        let rng = &mut self.rng;
        let now = now_secs();
        Draft {
            txn,
            patient_pick: rng.gen(),
            visit_uuid: uuid(&mut self.ids),
            immunization_uuid: uuid(&mut self.ids),
            reason: pick(rng, ADULT_REASONS),
            weight_kg: tenth(rng.gen_range(8.0..85.0)),
            height_cm: tenth(rng.gen_range(70.0..185.0)),
            temperature_c: tenth(rng.gen_range(36.1..38.5)),
            notes: format!("{} [demo writer]", pick(rng, NOTES)),
            vaccine_pick: rng.gen(),
            recorded_by: if rng.gen_bool(0.8) {
                "nurse"
            } else {
                "manager"
            },
            today: date(now.div_euclid(86_400)),
            now: timestamp(now),
        }
    }

    /// One writer transaction under the shared write barrier.
    fn one(&mut self, draft: &Draft) -> Result<(), Failure> {
        let waited = Instant::now();
        let _barrier = HostLock::WriteBarrier.shared(self.home).map_err(|e| {
            Failure::Fatal(DemoError::io(
                carevault_i18n::t!("cli-demo-doing-take-the-write-barrier-in"),
                locks_dir(self.home),
            )(e))
        })?;
        let ms = waited.elapsed().as_secs_f64() * 1000.0;
        self.stats.longest_wait_ms = self.stats.longest_wait_ms.max(ms);

        // Checked under the barrier: a restore swaps data/ only while it holds it exclusively.
        let ids = Ids::of(&self.data).map_err(|e| {
            Failure::Retry(
                format!("data folder or a database unavailable: {e}"),
                self.data.clone(),
            )
        })?;
        if self.conns.as_ref().is_none_or(|c| c.ids != ids) {
            self.conns = None;
            let conns = Conns::open(&self.data, ids)?;
            if self.last_ids.is_some_and(|old| old != ids) {
                self.stats.reopened += 1;
            }
            self.last_ids = Some(ids);
            self.conns = Some(conns);
        }
        let Some(conns) = self.conns.as_mut() else {
            return Err(Failure::Retry(
                "connections not open".into(),
                self.data.clone(),
            ));
        };
        let done = conns
            .clinical_txn(draft)
            .map_err(|e| Failure::classify(e, self.data.join(CLINICAL_DB)))?;
        if let Err(e) = conns.sync_txn(draft, &done) {
            let path = self.data.join(SYNC_DB);
            // Never leave the clinical half alone: take it back, still under the barrier.
            if let Err(undo_err) = conns.undo_clinical(draft, &done) {
                return Err(Failure::Fatal(DemoError::PartialWrite {
                    txn: draft.txn.clone(),
                    path: self.data.clone(),
                    cause: e.to_string(),
                    undo: undo_err.to_string(),
                }));
            }
            return Err(Failure::classify(e, path));
        }
        Ok(())
    }
}

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

/// 12 hex digits that differ between runs (time, process, seed), so that
/// transaction ids never repeat across runs on the same data; and a seed
/// for the run's record uuids.
fn run_id(seed: u64) -> (String, u64) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(seed.to_le_bytes());
    h.update(format!("{:?}", std::thread::current().id()).as_bytes());
    let digest = h.finalize();
    let mut ids_seed = [0u8; 8];
    ids_seed.copy_from_slice(&digest[8..16]);
    (hex::encode(&digest[..6]), u64::from_le_bytes(ids_seed))
}
