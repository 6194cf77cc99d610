//! The fleet listing as a walk of the bucket's folders, many requests in
//! flight: the facilities (one listing of the prefix with delimiter `/`),
//! each facility's devices, then each device's `backups/` and `events/`
//! folders, each asked (with S3's `start-after`) only for the keys after
//! the last one the index holds from that folder. The workers also read
//! the new sidecars and status events they find; the caller, which owns
//! the index, decides where each folder starts and records what comes
//! back.

use super::index::classify;
use super::parse::MAX_OBJECT;
use crate::{ListedObject, S3Store};
use carevault_core::error::{Error, Result};
use carevault_core::i18n::t;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Mutex;

/// Requests in flight at once (listings and reads): the walk is bound by
/// request latency, not by CPU.
pub const WORKERS: usize = 16;

/// The two folders of a device the index reads.
pub const FOLDERS: [&str; 2] = ["backups/", "events/"];

/// What a worker is asked to do.
pub enum Job {
    /// List the devices of a facility (`fac/`).
    Devices(String),
    /// List one device folder (`fac/dev/backups/`) after `after` and read
    /// its new sidecars and events, except those in `known` with the same
    /// size and ETag.
    Folder {
        folder: String,
        after: Option<String>,
        known: HashMap<String, (u64, String)>,
    },
}

/// What a worker found.
pub enum Found {
    Devices {
        /// `fac/dev/`, each.
        devices: Vec<String>,
        /// Objects directly in the facility's folder, and unsafe names.
        stray: u64,
        requests: u64,
    },
    Folder {
        /// Each listed object, with its content when it was read.
        objects: Vec<(ListedObject, Option<Result<Vec<u8>>>)>,
        /// Sub-folders and unsafe names (not carevault keys).
        stray: u64,
        requests: u64,
    },
    Failed(Error),
}

fn wanted(o: &ListedObject, known: &HashMap<String, (u64, String)>) -> bool {
    let readable = matches!(
        classify(&o.name),
        Some((_, _, kind, _)) if kind != super::index::ObjectKind::Backup
    );
    readable
        && o.size <= MAX_OBJECT
        && known
            .get(&o.name)
            .is_none_or(|(size, etag)| (*size, etag.as_str()) != (o.size, o.etag.as_str()))
}

fn work(store: &S3Store, job: Job) -> Found {
    match job {
        Job::Devices(fac) => match store.list_level(&fac, None) {
            Ok(level) => Found::Devices {
                stray: level.objects.len() as u64 + level.unsafe_names,
                devices: level.folders,
                requests: level.requests,
            },
            Err(e) => Found::Failed(e),
        },
        Job::Folder {
            folder,
            after,
            known,
        } => match store.list_level(&folder, after.as_deref()) {
            Ok(level) => Found::Folder {
                stray: level.folders.len() as u64 + level.unsafe_names,
                requests: level.requests,
                objects: level
                    .objects
                    .into_iter()
                    .map(|o| {
                        let got = wanted(&o, &known).then(|| store.get_small(&o.name, MAX_OBJECT));
                        (o, got)
                    })
                    .collect(),
            },
            Err(e) => Found::Failed(e),
        },
    }
}

/// A job to come: only its folder, so that a long queue holds no more
/// than names (what the index knows of the folder is looked up when the
/// job is handed out).
pub enum Next {
    /// `fac/`.
    Devices(String),
    /// `fac/dev/backups/` or `fac/dev/events/`.
    Folder(String),
}

/// Jobs handed out at once: enough to keep every worker busy, few enough
/// that what they carry and find stays small.
const IN_FLIGHT: usize = 2 * WORKERS;

/// Runs `first` and every job `each` asks for on [`WORKERS`] threads;
/// `prepare` turns a [`Next`] into its job as it is handed out, `each`
/// gets what each job found (on this thread) and returns the next jobs.
/// Stops at the first error either returns.
pub fn run(
    store: &S3Store,
    first: Vec<Next>,
    mut prepare: impl FnMut(Next) -> Result<Job>,
    mut each: impl FnMut(Found) -> Result<Vec<Next>>,
) -> Result<()> {
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let (found_tx, found_rx) = mpsc::channel::<Found>();
    let job_rx = Mutex::new(job_rx);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            let found_tx = found_tx.clone();
            let (job_rx, stop) = (&job_rx, &stop);
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(job) = job else { return };
                let found = if stop.load(Ordering::Relaxed) {
                    Found::Failed(Error::internal(t!("offsite-fleet-reader-failed")))
                } else {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(store, job)))
                        .unwrap_or_else(|_| {
                            Found::Failed(Error::internal(t!("offsite-fleet-reader-failed")))
                        })
                };
                if found_tx.send(found).is_err() {
                    return;
                }
            });
        }
        drop(found_tx);
        let mut backlog: std::collections::VecDeque<Next> = first.into();
        let mut in_flight = 0usize;
        let mut result = Ok(());
        loop {
            while in_flight < IN_FLIGHT {
                let Some(next) = backlog.pop_front() else {
                    break;
                };
                match prepare(next) {
                    Ok(job) => {
                        in_flight += 1;
                        let _ = job_tx.send(job);
                    }
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if in_flight == 0 || result.is_err() {
                break;
            }
            let Ok(found) = found_rx.recv() else {
                result = Err(Error::internal(t!("offsite-fleet-reader-failed")));
                break;
            };
            in_flight -= 1;
            match each(found) {
                Ok(next) => backlog.extend(next),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        // Workers still holding jobs answer them at once, then see the
        // closed queue and end.
        stop.store(true, Ordering::Relaxed);
        drop(job_tx);
        result
    })
}
