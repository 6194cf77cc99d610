//! Checks staged databases on worker threads while the rest of the backup
//! is still being extracted.
//!
//! `PRAGMA integrity_check` of a whole database runs on one core and was
//! most of a restore's CPU time. It is made of two halves that SQLite also
//! offers apart: `PRAGMA quick_check` (every b-tree's structure, every page
//! used exactly once, the freelist, NOT NULL and CHECK constraints) and, per
//! table, `PRAGMA integrity_check(TABLE)` (that table's and its indexes'
//! structure, plus index content against the rows and UNIQUE constraints).
//! One quick_check of the file and one table check per table together make
//! every check the whole-file `integrity_check` makes; as separate jobs they
//! run on every core, starting as soon as a database has been written.
//!
//! A database whose backup sealed a passing `integrity_check` of its
//! snapshot (manifest entry `integrity_check: "ok"`) gets the quick_check
//! and a row count per table only: the entry's SHA-256, checked as the
//! bytes stream, proves the staged file is the snapshot that passed. The
//! restore fails as a whole if that hash does not match.

use crate::error::Result;
use crate::format::manifest::Entry;
use crate::i18n::{t, Text};
use rusqlite::{Connection, InterruptHandle, OpenFlags};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// What one job checks.
#[derive(Debug, Clone)]
enum Scope {
    /// `PRAGMA quick_check` of the whole file.
    File,
    /// `PRAGMA integrity_check(table)` and the table's row count.
    Table(String),
    /// The table's row count only (the backup's sealed check stands for
    /// the rest).
    Count(String),
}

#[derive(Debug, Clone)]
struct Job {
    entry: String,
    path: PathBuf,
    scope: Scope,
}

/// The outcome of one database's checks.
#[derive(Debug, Default)]
pub struct DbResult {
    /// The first problem any check reported (None: all said "ok").
    pub problem: Option<String>,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// The tables the file holds (from the quick_check job).
    pub tables: Option<Vec<String>>,
    /// An SQLite error that stopped a check (opening, reading, disk).
    pub error: Option<(rusqlite::Error, Text)>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
    cancelled: bool,
    results: BTreeMap<String, DbResult>,
    running: Vec<InterruptHandle>,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// A pool of worker threads checking databases as they are handed over.
pub struct DbChecker {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl DbChecker {
    /// Starts one worker per core (at least one).
    pub fn start() -> DbChecker {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
        });
        let workers = (0..n)
            .map(|_| {
                let s = Arc::clone(&shared);
                std::thread::spawn(move || work(&s))
            })
            .collect();
        DbChecker { shared, workers }
    }

    /// Queues the checks of a database that has been written in full at
    /// `path`. Its tables come from the manifest's row counts (the tables
    /// the backup saw), largest first so the workers finish together; a
    /// table the file does not have fails its check. Unless `full`, a
    /// database the backup sealed as passing integrity_check gets row
    /// counts instead of the table checks.
    pub fn submit(&self, entry: &Entry, path: &Path, full: bool) {
        let sealed = !full && entry.sealed_check_ok();
        let mut tables: Vec<(&String, &u64)> = entry.row_counts.iter().collect();
        tables.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut q = lock(&self.shared);
        let job = |scope| Job {
            entry: entry.path.clone(),
            path: path.to_path_buf(),
            scope,
        };
        for (t, _) in tables {
            q.jobs.push_back(job(if sealed {
                Scope::Count(t.clone())
            } else {
                Scope::Table(t.clone())
            }));
        }
        q.jobs.push_back(job(Scope::File));
        q.results.entry(entry.path.clone()).or_default();
        drop(q);
        self.shared.ready.notify_all();
    }

    /// Waits for every queued check and returns the results by entry path.
    pub fn finish(mut self) -> Result<BTreeMap<String, DbResult>> {
        lock(&self.shared).closed = true;
        self.shared.ready.notify_all();
        for w in self.workers.drain(..) {
            if w.join().is_err() {
                return Err(crate::error::Error::new(
                    crate::error::Kind::Internal,
                    crate::i18n::t!("ops-db-check-stopped"),
                    crate::i18n::t!("ops-db-check-stopped-advice"),
                ));
            }
        }
        Ok(std::mem::take(&mut lock(&self.shared).results))
    }
}

impl Drop for DbChecker {
    /// An abandoned restore stops the checks at once (interrupting SQLite)
    /// and waits for the workers, so no thread outlives the staging folder.
    fn drop(&mut self) {
        if self.workers.is_empty() {
            return;
        }
        {
            let mut q = lock(&self.shared);
            q.cancelled = true;
            q.closed = true;
            q.jobs.clear();
            for h in &q.running {
                h.interrupt();
            }
        }
        self.shared.ready.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Queue> {
    s.queue.lock().unwrap_or_else(|p| p.into_inner())
}

fn work(s: &Shared) {
    loop {
        let job = {
            let mut q = lock(s);
            loop {
                if q.cancelled {
                    return;
                }
                if let Some(j) = q.jobs.pop_front() {
                    break j;
                }
                if q.closed {
                    return;
                }
                q = s.ready.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        };
        let outcome = run(s, &job);
        let mut q = lock(s);
        let r = q.results.entry(job.entry.clone()).or_default();
        let problem = match outcome {
            Ok(None) => None,
            Ok(Some(Found::File(problem, tables))) => {
                r.tables = Some(tables);
                problem
            }
            Ok(Some(Found::Table(problem, t, n))) => {
                r.rows.insert(t, n);
                problem
            }
            Err(e) => {
                if r.error.is_none() {
                    r.error = Some(e);
                }
                None
            }
        };
        if r.problem.is_none() {
            r.problem = problem;
        }
    }
}

/// What one job found.
enum Found {
    /// The quick_check's verdict and the file's table names.
    File(Option<String>, Vec<String>),
    /// A table check's verdict, the table and its row count.
    Table(Option<String>, String, u64),
}

fn run(s: &Shared, job: &Job) -> std::result::Result<Option<Found>, (rusqlite::Error, Text)> {
    let conn = crate::untrusted_db::open(&job.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| (e, t!("ops-check-db-cannot-open", path = &job.entry)))?;
    {
        let mut q = lock(s);
        if q.cancelled {
            return Ok(None);
        }
        // Kept until the pool ends: once its connection is closed, an
        // interrupt through the handle does nothing.
        q.running.push(conn.get_interrupt_handle());
    }
    check(&conn, &job.scope)
        .map(Some)
        .map_err(|e| (e, t!("ops-check-db-cannot-check", path = &job.entry)))
}

fn verdict(conn: &Connection, sql: &str) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare(sql)?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((lines != ["ok"]).then(|| lines.join("; ")))
}

fn check(conn: &Connection, scope: &Scope) -> rusqlite::Result<Found> {
    match scope {
        Scope::File => {
            let problem = verdict(conn, "PRAGMA quick_check")?;
            let tables = crate::snapshot::table_names(conn)?;
            Ok(Found::File(problem, tables))
        }
        Scope::Table(t) => {
            let quoted = t.replace('"', "\"\"");
            let problem = verdict(conn, &format!("PRAGMA integrity_check(\"{quoted}\")"))?;
            let n = crate::snapshot::count_table(conn, t)?;
            Ok(Found::Table(problem, t.clone(), n))
        }
        Scope::Count(t) => {
            let n = crate::snapshot::count_table(conn, t)?;
            Ok(Found::Table(None, t.clone(), n))
        }
    }
}
