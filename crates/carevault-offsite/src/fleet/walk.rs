//! The fleet listing as a walk of the bucket's folders, many requests in
//! flight: the facilities (one listing of the prefix with delimiter `/`),
//! each facility's devices, then each device's `backups/` and `events/`
//! folders, each asked (with S3's `start-after`) only for the keys after
//! the last one the index holds from that folder. The workers also read
//! the new sidecars and status events they find and hand them over in
//! bounded parts ([`BATCH_OBJECTS`], [`BATCH_BYTES`]) as they go, through
//! a bounded queue ([`FOUND_QUEUE`]), so that a folder of any size is never
//! held at once; the caller, which owns the index, decides where each
//! folder starts and records what comes back.

use super::index::classify;
use super::parse::MAX_OBJECT;
use crate::store::Answer;
use crate::{Level, ListedObject, ObjectInfo, S3Store};
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

/// What a folder's worker hands over at once: at most this many listed
/// objects (one S3 page)...
pub const BATCH_OBJECTS: usize = 1_000;
/// ...and at most this many bytes of what it read of them.
pub const BATCH_BYTES: usize = 4 << 20;

/// What the walk reads the store through ([`S3Store`]; the tests' fakes).
pub trait Source: Sync {
    /// [`S3Store::list_level`].
    fn list_level(
        &self,
        sub: &str,
        after: Option<&str>,
        each: &mut dyn FnMut(Level) -> Result<()>,
    ) -> Result<Answer<()>>;
    /// [`S3Store::get_small_answer`] of at most [`MAX_OBJECT`] bytes.
    fn read(&self, name: &str) -> Result<Answer<Vec<u8>>>;
    /// [`S3Store::head_answer`].
    fn head(&self, name: &str) -> Result<Answer<Option<ObjectInfo>>>;
}

impl Source for S3Store {
    fn list_level(
        &self,
        sub: &str,
        after: Option<&str>,
        each: &mut dyn FnMut(Level) -> Result<()>,
    ) -> Result<Answer<()>> {
        S3Store::list_level(self, sub, after, each)
    }
    fn read(&self, name: &str) -> Result<Answer<Vec<u8>>> {
        self.get_small_answer(name, MAX_OBJECT)
    }
    fn head(&self, name: &str) -> Result<Answer<Option<ObjectInfo>>> {
        self.head_answer(name)
    }
}

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

/// What was read of one object: its content, or the store's refusal of
/// that key (a problem of that key, not of the run).
pub type Read = std::result::Result<Vec<u8>, Error>;

/// What a worker found: a job's answer comes in one or more parts, the
/// last with `done` (a refusal and a failure are always the last).
pub enum Found {
    Devices {
        /// `fac/`.
        facility: String,
        /// `fac/dev/`, each.
        devices: Vec<String>,
        /// Objects directly in the facility's folder, and unsafe names.
        stray: u64,
        requests: u64,
        done: bool,
    },
    Folder {
        /// `fac/dev/backups/` or `fac/dev/events/`.
        folder: String,
        /// Listed objects, each with what was read of it: its content, or
        /// the store's refusal of that one key. At most [`BATCH_OBJECTS`]
        /// objects and [`BATCH_BYTES`] bytes of content.
        objects: Vec<(ListedObject, Option<Read>)>,
        /// Sub-folders and unsafe names (not carevault keys).
        stray: u64,
        requests: u64,
        done: bool,
    },
    /// The store refused the listing of this folder (`fac/` or
    /// `fac/dev/events/`) alone; what was handed over of it before stays.
    Refused {
        folder: String,
        error: Error,
        requests: u64,
    },
    Failed(Error),
}

impl Found {
    /// Whether this is the last part of its job's answer.
    pub fn done(&self) -> bool {
        match self {
            Found::Devices { done, .. } | Found::Folder { done, .. } => *done,
            Found::Refused { .. } | Found::Failed(_) => true,
        }
    }
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

/// Does `job`, handing each part of its answer to `send` as it comes (a
/// page of devices; a batch of a folder's objects with what was read of
/// them), so that no more than a batch is held. `send` fails when the
/// walk has stopped.
fn work(store: &dyn Source, job: Job, send: &dyn Fn(Found) -> Result<()>) {
    let last = match job {
        Job::Devices(fac) => {
            let listed = store.list_level(&fac, None, &mut |level| {
                send(Found::Devices {
                    facility: fac.clone(),
                    stray: level.objects.len() as u64 + level.unsafe_names,
                    devices: level.folders,
                    requests: level.requests,
                    done: false,
                })
            });
            match listed {
                Ok(Answer::Got(())) => Found::Devices {
                    facility: fac,
                    devices: Vec::new(),
                    stray: 0,
                    requests: 0,
                    done: true,
                },
                Ok(Answer::Refused(error)) => Found::Refused {
                    folder: fac,
                    error,
                    requests: 1,
                },
                Err(e) => Found::Failed(e),
            }
        }
        Job::Folder {
            folder,
            after,
            known,
        } => {
            let mut batch = Vec::new();
            let (mut bytes, mut stray, mut requests) = (0usize, 0u64, 0u64);
            let listed = store.list_level(&folder, after.as_deref(), &mut |level| {
                stray += level.folders.len() as u64 + level.unsafe_names;
                requests += level.requests;
                for o in level.objects {
                    let got = match wanted(&o, &known).then(|| store.read(&o.name)) {
                        None => None,
                        Some(Ok(Answer::Got(b))) => Some(Ok(b)),
                        Some(Ok(Answer::Refused(e))) => Some(Err(e)),
                        Some(Err(e)) => return Err(e),
                    };
                    let len = got.as_ref().map_or(0, |g| g.as_ref().map_or(0, Vec::len));
                    if !batch.is_empty()
                        && (batch.len() >= BATCH_OBJECTS || bytes + len > BATCH_BYTES)
                    {
                        send(Found::Folder {
                            folder: folder.clone(),
                            objects: std::mem::take(&mut batch),
                            stray: std::mem::take(&mut stray),
                            requests: std::mem::take(&mut requests),
                            done: false,
                        })?;
                        bytes = 0;
                    }
                    bytes += len;
                    batch.push((o, got));
                }
                Ok(())
            });
            match listed {
                Ok(Answer::Got(())) => Found::Folder {
                    folder,
                    objects: batch,
                    stray,
                    requests,
                    done: true,
                },
                Ok(Answer::Refused(error)) => {
                    // What was read before the refusal is handed over
                    // first; the refusal ends the job.
                    if !batch.is_empty() || requests > 0 {
                        let _ = send(Found::Folder {
                            folder: folder.clone(),
                            objects: std::mem::take(&mut batch),
                            stray,
                            requests: std::mem::take(&mut requests),
                            done: false,
                        });
                    }
                    Found::Refused {
                        folder,
                        error,
                        requests: 1,
                    }
                }
                Err(e) => Found::Failed(e),
            }
        }
    };
    let _ = send(last);
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
/// that what they carry stays small.
const IN_FLIGHT: usize = 2 * WORKERS;

/// Parts of answers waiting for the caller: a worker whose part does not
/// fit waits (each part holds at most [`BATCH_BYTES`] of content).
pub const FOUND_QUEUE: usize = WORKERS;

/// Runs `first` and every job `each` asks for on [`WORKERS`] threads;
/// `prepare` turns a [`Next`] into its job as it is handed out, `each`
/// gets each part of what each job found (on this thread, as it comes)
/// and returns the next jobs. Stops at the first error either returns.
pub fn run(
    store: &dyn Source,
    first: Vec<Next>,
    mut prepare: impl FnMut(Next) -> Result<Job>,
    mut each: impl FnMut(Found) -> Result<Vec<Next>>,
) -> Result<()> {
    // Never full: no more than IN_FLIGHT jobs are handed out at once.
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(IN_FLIGHT);
    let (found_tx, found_rx) = mpsc::sync_channel::<Found>(FOUND_QUEUE);
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
                let stopped = || Error::internal(t!("offsite-fleet-reader-failed"));
                let send = |found: Found| -> Result<()> {
                    if stop.load(Ordering::Relaxed) && !found.done() {
                        return Err(stopped());
                    }
                    found_tx.send(found).map_err(|_| stopped())
                };
                if stop.load(Ordering::Relaxed) {
                    let _ = send(Found::Failed(stopped()));
                    continue;
                }
                let worked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    work(store, job, &send)
                }));
                if worked.is_err() && send(Found::Failed(stopped())).is_err() {
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
            if found.done() {
                in_flight -= 1;
            }
            match each(found) {
                Ok(next) => backlog.extend(next),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        // Workers still holding jobs stop at their next part, answer at
        // once, then see the closed queue and end; what they still send
        // is dropped with the queue.
        stop.store(true, Ordering::Relaxed);
        drop(job_tx);
        drop(found_rx);
        result
    })
}

/// A store in memory for the walk's and the index's tests: keys relative
/// to the prefix, listed (through the real page loop) in pages of `page`,
/// read and refused as set up.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use crate::store::{level_pages, RawPage};
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::atomic::AtomicUsize;

    #[derive(Default)]
    pub struct Fake {
        /// Key, and (size, content); a content of `None` is made on each
        /// read (`size` bytes).
        pub objects: BTreeMap<String, (u64, Option<Vec<u8>>)>,
        pub page: usize,
        /// Listings of folders starting so are answered with an error.
        pub failing: Mutex<Vec<String>>,
        /// Keys whose read is refused (a 4xx about that key).
        pub refused: BTreeSet<String>,
        /// Whether `start-after` is honoured.
        pub honours_after: bool,
        pub reads: AtomicUsize,
        pub read_bytes: AtomicUsize,
    }

    impl Fake {
        pub fn put(&mut self, key: &str, content: &[u8]) {
            self.objects
                .insert(key.into(), (content.len() as u64, Some(content.to_vec())));
        }
    }

    impl Source for Fake {
        fn list_level(
            &self,
            sub: &str,
            after: Option<&str>,
            each: &mut dyn FnMut(Level) -> Result<()>,
        ) -> Result<Answer<()>> {
            if self
                .failing
                .lock()
                .unwrap()
                .iter()
                .any(|f| sub.starts_with(f.as_str()))
            {
                return Err(Error::internal(t!("offsite-fleet-reader-failed")));
            }
            let mut entries: Vec<(String, Option<(u64, String)>)> = Vec::new();
            let mut folders = BTreeSet::new();
            for (key, (size, _)) in self.objects.range(sub.to_string()..) {
                let Some(rest) = key.strip_prefix(sub) else {
                    break;
                };
                match rest.split_once('/') {
                    Some((f, _)) => {
                        folders.insert(format!("{sub}{f}/"));
                    }
                    None => entries.push((key.clone(), Some((*size, format!("e{size}"))))),
                }
            }
            entries.extend(folders.into_iter().map(|f| (f, None)));
            entries.sort();
            if self.honours_after {
                entries.retain(|(k, _)| after.is_none_or(|a| k.as_str() > a));
            }
            let page = self.page.max(1);
            let fetch = |token: Option<&str>| -> Result<Answer<RawPage>> {
                let from: usize = token.map_or(0, |t| t.parse().unwrap());
                let mut p = RawPage::default();
                for (k, o) in entries.iter().skip(from).take(page) {
                    match o {
                        Some((size, etag)) => p.contents.push((k.clone(), *size, etag.clone())),
                        None => p.prefixes.push(k.clone()),
                    }
                }
                p.next = (from + page < entries.len()).then(|| (from + page).to_string());
                Ok(Answer::Got(p))
            };
            level_pages(
                &t!("offsite-fleet-reader-failed"),
                "",
                sub,
                after,
                fetch,
                each,
            )
        }

        fn read(&self, name: &str) -> Result<Answer<Vec<u8>>> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            if self.refused.contains(name) {
                return Ok(Answer::Refused(Error::new(
                    carevault_core::error::Kind::PermissionDenied,
                    t!("offsite-fleet-reader-failed"),
                    t!("offsite-fleet-reader-failed"),
                )));
            }
            let (size, content) = self.objects.get(name).expect("read of a listed key");
            let body = content
                .clone()
                .unwrap_or_else(|| vec![b' '; *size as usize]);
            self.read_bytes.fetch_add(body.len(), Ordering::SeqCst);
            Ok(Answer::Got(body))
        }

        fn head(&self, name: &str) -> Result<Answer<Option<ObjectInfo>>> {
            Ok(Answer::Got(self.objects.get(name).map(|(size, _)| {
                ObjectInfo {
                    size: *size,
                    etag: format!("e{size}"),
                }
            })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::Fake;
    use super::*;

    #[test]
    fn fleet_walk_of_a_folder_with_many_events_keeps_memory_bounded() {
        // One tablet's folder of 20,000 events of 32 KiB (640 MiB in all),
        // listed 1,000 a page.
        let mut store = Fake {
            page: 1_000,
            honours_after: true,
            ..Fake::default()
        };
        let n = 20_000;
        for i in 0..n {
            store.objects.insert(
                format!("fac/dev/events/20260101T000000Z-{i:05}.json"),
                (MAX_OBJECT / 2, None),
            );
        }
        let (mut parts, mut objects, mut handed) = (0usize, 0usize, 0usize);
        let (mut largest_batch, mut largest_bytes, mut most_held) = (0usize, 0usize, 0usize);
        let mut done = 0;
        run(
            &store,
            vec![Next::Folder("fac/dev/events/".into())],
            |next| match next {
                Next::Folder(folder) => Ok(Job::Folder {
                    folder,
                    after: None,
                    known: HashMap::new(),
                }),
                Next::Devices(_) => unreachable!(),
            },
            |found| {
                let Found::Folder {
                    objects: batch,
                    done: last,
                    ..
                } = found
                else {
                    panic!("only the folder's parts come");
                };
                // Read by the workers and not yet handed over, this part
                // included: what the walk holds at this moment.
                let read = store.read_bytes.load(Ordering::SeqCst);
                most_held = most_held.max(read - handed);
                let bytes: usize = batch
                    .iter()
                    .map(|(_, got)| got.as_ref().map_or(0, |g| g.as_ref().map_or(0, Vec::len)))
                    .sum();
                handed += bytes;
                parts += 1;
                objects += batch.len();
                largest_batch = largest_batch.max(batch.len());
                largest_bytes = largest_bytes.max(bytes);
                done += usize::from(last);
                Ok(Vec::new())
            },
        )
        .unwrap();
        assert_eq!(objects, n, "every object is handed over");
        assert_eq!(done, 1, "one last part");
        assert_eq!(handed, n * (MAX_OBJECT as usize / 2));
        assert!(largest_batch <= BATCH_OBJECTS, "{largest_batch}");
        assert!(largest_bytes <= BATCH_BYTES, "{largest_bytes}");
        assert!(
            parts >= n * (MAX_OBJECT as usize / 2) / BATCH_BYTES,
            "{parts}"
        );
        // The queue's parts, the one a worker is filling and the one
        // handed over: never the folder at once.
        let bound = (FOUND_QUEUE + 2) * BATCH_BYTES;
        assert!(most_held <= bound, "{most_held} bytes held, bound {bound}");
    }
}
