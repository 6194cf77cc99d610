//! The fleet index: an embedded SQLite file that remembers every object
//! key seen under the fleet's prefix with its size and ETag, and what was
//! read from each sidecar and status event. A refresh lists the prefix
//! (one request per 1,000 keys) and reads only the objects that are new
//! or whose size or ETag changed; objects gone from the listing are
//! dropped. The changed objects of a page are read 8 at a time.
//!
//! Why keys seen rather than a per-device listing position: a listing
//! position per device costs one listing request per device on every run
//! (10,000 requests for 10,000 tablets even when nothing changed), where
//! one listing of the whole prefix costs one request per 1,000 keys.

use super::parse::{self, MAX_OBJECT};
use crate::{ListedObject, S3Store};
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::t;
use carevault_core::profile::is_safe_key_part;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects(
  key TEXT PRIMARY KEY, facility TEXT NOT NULL, device TEXT NOT NULL,
  kind TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
  etag TEXT NOT NULL, gen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS objects_gen ON objects(gen);
CREATE TABLE IF NOT EXISTS sidecars(
  key TEXT PRIMARY KEY, facility TEXT NOT NULL, device TEXT NOT NULL,
  backup TEXT NOT NULL, file TEXT NOT NULL, size INTEGER NOT NULL,
  sha256 TEXT NOT NULL, made INTEGER NOT NULL, signed_by TEXT);
CREATE INDEX IF NOT EXISTS sidecars_device ON sidecars(facility, device, made);
CREATE TABLE IF NOT EXISTS events(
  key TEXT PRIMARY KEY, facility TEXT NOT NULL, device TEXT NOT NULL,
  backup TEXT NOT NULL, size INTEGER NOT NULL, made INTEGER NOT NULL,
  verified INTEGER NOT NULL, uploaded INTEGER NOT NULL, seq INTEGER, hash TEXT);
CREATE INDEX IF NOT EXISTS events_device ON events(facility, device, backup);
CREATE TABLE IF NOT EXISTS problems(
  key TEXT PRIMARY KEY, facility TEXT NOT NULL, device TEXT NOT NULL,
  message TEXT NOT NULL);
";

/// What one refresh did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Refresh {
    /// Objects in the listing.
    pub listed: u64,
    /// Sidecars and status events read (GET requests).
    pub read: u64,
    /// Objects already indexed with the same size and ETag (not read).
    pub unchanged: u64,
    /// Objects indexed before and gone from the listing now.
    pub removed: u64,
    /// Keys that are not carevault objects (left alone).
    pub ignored: u64,
}

/// What an object key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Backup,
    Sidecar,
    Event,
}

impl ObjectKind {
    fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Backup => "backup",
            ObjectKind::Sidecar => "sidecar",
            ObjectKind::Event => "event",
        }
    }
}

/// A key relative to the fleet prefix, `<facility>/<device>/backups/<file>`
/// or `<facility>/<device>/events/<file>`: (facility, device, kind, file).
pub fn classify(name: &str) -> Option<(&str, &str, ObjectKind, &str)> {
    let mut parts = name.split('/');
    let (fac, dev, dir, file) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_safe_key_part(fac) || !is_safe_key_part(dev) {
        return None;
    }
    let kind = match dir {
        "backups" if file.ends_with(".bin.json") => ObjectKind::Sidecar,
        "backups" if file.ends_with(".bin") => ObjectKind::Backup,
        "events" if file.ends_with(".json") => ObjectKind::Event,
        _ => return None,
    };
    Some((fac, dev, kind, file))
}

fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::new(
        Kind::Io,
        t!("offsite-fleet-index-unusable", error = e.to_string()),
        t!("offsite-fleet-index-unusable-advice"),
    )
    .at(path)
}

/// The index file.
pub struct Index {
    conn: Connection,
    path: std::path::PathBuf,
}

impl Index {
    /// Opens (or creates) the index at `path` for the store `store_url`.
    /// An index made for another store is emptied first.
    pub fn open(path: &Path, store_url: &str) -> Result<Index> {
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        let idx = Index {
            conn,
            path: path.to_path_buf(),
        };
        idx.conn
            .busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|_| idx.conn.execute_batch("PRAGMA journal_mode=WAL;"))
            .and_then(|_| idx.conn.execute_batch(SCHEMA))
            .map_err(|e| db_error(path, e))?;
        let had: Option<String> = idx
            .conn
            .query_row("SELECT v FROM meta WHERE k='store'", [], |r| r.get(0))
            .optional()
            .map_err(|e| db_error(path, e))?;
        if had.as_deref() != Some(store_url) {
            idx.conn
                .execute_batch(
                    "DELETE FROM objects; DELETE FROM sidecars; DELETE FROM events; DELETE FROM problems; DELETE FROM meta;",
                )
                .and_then(|_| {
                    idx.conn.execute(
                        "INSERT INTO meta(k, v) VALUES('store', ?1)",
                        params![store_url],
                    )
                })
                .map_err(|e| db_error(path, e))?;
        }
        Ok(idx)
    }

    /// The connection, for the report's queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        db_error(&self.path, e)
    }

    /// Lists the store and brings the index up to date, reading only new
    /// or changed objects. Each page is committed on its own, so a run cut
    /// short keeps what it read; objects gone from the listing are dropped
    /// only after a whole listing.
    pub fn refresh(&mut self, store: &S3Store) -> Result<Refresh> {
        let gen: i64 = self
            .conn
            .query_row(
                "SELECT CAST(v AS INTEGER) FROM meta WHERE k='gen'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .unwrap_or(0)
            + 1;
        self.conn
            .execute(
                "INSERT INTO meta(k, v) VALUES('gen', ?1) ON CONFLICT(k) DO UPDATE SET v=excluded.v",
                params![gen.to_string()],
            )
            .map_err(|e| self.err(e))?;
        let mut stats = Refresh::default();
        let path = self.path.clone();
        let conn = &mut self.conn;
        store.list_pages("", |page| {
            let fail = |e| match e {
                Fail::Db(e) => db_error(&path, e),
                Fail::Store(e) => e,
            };
            let tx = conn.transaction().map_err(|e| db_error(&path, e))?;
            let mut to_read = Vec::new();
            for o in &page {
                if plan(&tx, o, gen, &mut stats).map_err(fail)? {
                    to_read.push(o);
                }
            }
            stats.read += to_read.len() as u64;
            for (o, got) in to_read.iter().zip(read_all(store, &to_read)) {
                record(&tx, o, got).map_err(fail)?;
            }
            tx.commit().map_err(|e| db_error(&path, e))
        })?;
        let tx = self.conn.transaction().map_err(|e| db_error(&path, e))?;
        for table in ["sidecars", "events", "problems"] {
            tx.execute(
                &format!(
                    "DELETE FROM {table} WHERE key IN (SELECT key FROM objects WHERE gen < ?1)"
                ),
                params![gen],
            )
            .map_err(|e| db_error(&path, e))?;
        }
        stats.removed = tx
            .execute("DELETE FROM objects WHERE gen < ?1", params![gen])
            .map_err(|e| db_error(&path, e))? as u64;
        tx.commit().map_err(|e| db_error(&path, e))?;
        Ok(stats)
    }
}

enum Fail {
    Db(rusqlite::Error),
    Store(Error),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Fail {
        Fail::Db(e)
    }
}

fn problem(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    fac: &str,
    dev: &str,
    message: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO problems(key, facility, device, message) VALUES(?1, ?2, ?3, ?4)",
        params![key, fac, dev, message],
    )
    .map(|_| ())
}

/// Requests in flight at once while reading a page's changed objects
/// (the first index is bound by request latency, not by CPU).
const READERS: usize = 8;

/// Reads `objects` (each at most [`MAX_OBJECT`]), [`READERS`] at a time;
/// the answers in the same order.
fn read_all(store: &S3Store, objects: &[&ListedObject]) -> Vec<Result<Vec<u8>>> {
    if objects.is_empty() {
        return Vec::new();
    }
    let chunk = objects.len().div_ceil(READERS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = objects
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|o| store.get_small(&o.name, MAX_OBJECT))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join().unwrap_or_else(|_| {
                    vec![Err(Error::internal(t!("offsite-fleet-reader-failed")))]
                })
            })
            .collect()
    })
}

/// Brings the index's row of `o` up to date; true when `o` must be read.
fn plan(
    tx: &rusqlite::Transaction<'_>,
    o: &ListedObject,
    gen: i64,
    stats: &mut Refresh,
) -> std::result::Result<bool, Fail> {
    stats.listed += 1;
    let Some((fac, dev, kind, file)) = classify(&o.name) else {
        stats.ignored += 1;
        return Ok(false);
    };
    let size = i64::try_from(o.size).unwrap_or(i64::MAX);
    let known: Option<(i64, String)> = tx
        .prepare_cached("SELECT size, etag FROM objects WHERE key=?1")?
        .query_row(params![o.name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if known.as_ref() == Some(&(size, o.etag.clone())) {
        tx.prepare_cached("UPDATE objects SET gen=?2 WHERE key=?1")?
            .execute(params![o.name, gen])?;
        stats.unchanged += 1;
        return Ok(false);
    }
    for table in ["sidecars", "events", "problems"] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE key=?1"))?
            .execute(params![o.name])?;
    }
    tx.prepare_cached(
        "INSERT INTO objects(key, facility, device, kind, name, size, etag, gen)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(key) DO UPDATE SET size=excluded.size, etag=excluded.etag, gen=excluded.gen",
    )?
    .execute(params![
        o.name,
        fac,
        dev,
        kind.as_str(),
        file,
        size,
        o.etag,
        gen
    ])?;
    if kind == ObjectKind::Backup {
        return Ok(false);
    }
    if o.size > MAX_OBJECT {
        problem(
            tx,
            &o.name,
            fac,
            dev,
            &format!(
                "it is listed at {} bytes, larger than the {MAX_OBJECT} bytes a {} may have; it was not read",
                o.size,
                kind.as_str()
            ),
        )?;
        return Ok(false);
    }
    Ok(true)
}

/// Records what was read of `o`: its sidecar or event, or a problem.
fn record(
    tx: &rusqlite::Transaction<'_>,
    o: &ListedObject,
    got: Result<Vec<u8>>,
) -> std::result::Result<(), Fail> {
    let Some((fac, dev, kind, file)) = classify(&o.name) else {
        return Ok(());
    };
    let bytes = match got {
        Ok(b) => b,
        Err(e) if matches!(e.kind(), Kind::NotFound | Kind::Corrupted) => {
            problem(
                tx,
                &o.name,
                fac,
                dev,
                // The index is a file: its problem records are English.
                &format!(
                    "it could not be read: {}",
                    e.message_in(carevault_core::i18n::Lang::En)
                ),
            )?;
            return Ok(());
        }
        Err(e) => return Err(Fail::Store(e)),
    };
    match kind {
        ObjectKind::Sidecar => match parse::sidecar(&bytes, file.trim_end_matches(".json")) {
            Ok(s) => {
                tx.prepare_cached(
                    "INSERT INTO sidecars(key, facility, device, backup, file, size, sha256, made, signed_by)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    o.name,
                    fac,
                    dev,
                    s.backup,
                    s.file,
                    i64::try_from(s.size).unwrap_or(i64::MAX),
                    s.sha256,
                    s.made,
                    s.signed_by
                ])?;
            }
            Err(m) => problem(
                tx,
                &o.name,
                fac,
                dev,
                &format!("the sidecar is unusable: {m}"),
            )?,
        },
        ObjectKind::Event => match parse::event(&bytes) {
            Ok(ev) => {
                let (seq, hash) = match ev.audit_head {
                    Some((s, h)) => (Some(i64::try_from(s).unwrap_or(i64::MAX)), Some(h)),
                    None => (None, None),
                };
                tx.prepare_cached(
                    "INSERT INTO events(key, facility, device, backup, size, made, verified, uploaded, seq, hash)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    o.name,
                    fac,
                    dev,
                    ev.backup,
                    i64::try_from(ev.size).unwrap_or(i64::MAX),
                    ev.made,
                    ev.verified,
                    ev.uploaded,
                    seq,
                    hash
                ])?;
            }
            Err(m) => problem(
                tx,
                &o.name,
                fac,
                dev,
                &format!("the status event is unusable: {m}"),
            )?,
        },
        ObjectKind::Backup => {}
    }
    Ok(())
}
