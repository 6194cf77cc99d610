//! The fleet index: an embedded SQLite file that remembers every object
//! key seen under the fleet's prefix with its size and ETag, and what was
//! read from each sidecar and status event. A refresh walks the prefix's
//! folders ([`super::walk`]) and reads only the objects that are new or
//! whose size or ETag changed.
//!
//! Why a walk of folders with `start-after` rather than one listing of the
//! whole prefix: the whole listing is one request per 1,000 keys (400 for
//! 10,000 tablets x 20 backups) but strictly sequential, each page waiting
//! for the one before, and on every run it returns every key again; the
//! walk costs about two requests per device (20,000 for 10,000 tablets),
//! all small and many in flight, and an incremental run's answers hold
//! only the keys written since. Keys written out of order (a backup older
//! than the newest indexed one, copied late) and removals are caught by
//! the full run that comes once in [`FULL_EVERY`] runs or on request.

use super::parse::{self, MAX_OBJECT};
use super::walk::{self, Found, Job, Next, Source};
use crate::store::Answer;
use crate::ListedObject;
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
    /// Objects indexed before and not read this run: listed with the same
    /// size and ETag, or not listed since they come before a folder's
    /// starting point.
    pub unchanged: u64,
    /// Objects indexed before and gone from the bucket (full runs only).
    pub removed: u64,
    /// Keys that are not carevault objects (left alone), and folders
    /// that are not facilities, devices or their `backups/` and `events/`.
    pub ignored: u64,
    /// Listing requests made.
    pub requests: u64,
    /// Whether this run listed every folder from its start.
    pub full: bool,
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
    /// or changed objects (the walk of [`super::walk`]). An incremental
    /// run asks each device folder only for the keys after the last one
    /// indexed from it; a full run (`full`, the first run, and every
    /// [`FULL_EVERY`]th run) lists every folder from its start, so keys
    /// that appeared out of order are found and objects gone from the
    /// bucket are dropped. What was read is committed as it comes in, so
    /// a run cut short keeps it; removals only follow a whole full run.
    ///
    /// The store's refusal of one object (an archived or encrypted one a
    /// tablet wrote) is a problem of that key, and of one folder's listing
    /// a problem of that folder, whose indexed rows are then kept as they
    /// are; the run goes on. A failure to reach the store, a refusal of the
    /// key itself, or a listing that does not end as S3's do, stops it.
    pub fn refresh(&mut self, store: &dyn Source, full: bool) -> Result<Refresh> {
        let path = self.path.clone();
        let conn = &self.conn;
        let dberr = |e| db_error(&path, e);
        let meta = |k: &str| -> Result<Option<i64>> {
            conn.query_row(
                "SELECT CAST(v AS INTEGER) FROM meta WHERE k=?1",
                params![k],
                |r| r.get(0),
            )
            .optional()
            .map_err(dberr)
        };
        let set_meta = |k: &str, v: i64| -> Result<()> {
            conn.execute(
                "INSERT INTO meta(k, v) VALUES(?1, ?2) ON CONFLICT(k) DO UPDATE SET v=excluded.v",
                params![k, v.to_string()],
            )
            .map(|_| ())
            .map_err(dberr)
        };
        let gen = meta("gen")?.unwrap_or(0) + 1;
        set_meta("gen", gen)?;
        let full = full || meta("full_gen")?.is_none_or(|f| gen - f >= FULL_EVERY);
        let mut stats = Refresh {
            full,
            ..Refresh::default()
        };
        let mut first = Vec::new();
        store
            .list_level("", None, &mut |top| {
                stats.requests += top.requests;
                let stray = top.objects.len() as u64 + top.unsafe_names;
                stats.listed += stray;
                stats.ignored += stray;
                for fac in top.folders {
                    if is_safe_key_part(fac.trim_end_matches('/')) {
                        first.push(Next::Devices(fac));
                    } else {
                        stats.listed += 1;
                        stats.ignored += 1;
                    }
                }
                Ok(())
            })?
            // The whole prefix refused: nothing of the fleet can be read.
            .or_error()?;
        let mut plan_unchanged = 0u64;
        let mut batch = 0usize;
        // Folders whose listing the store refused this run.
        let mut refused: Vec<String> = Vec::new();
        conn.execute_batch("BEGIN").map_err(dberr)?;
        let prepare = |next| match next {
            Next::Devices(fac) => Ok(Job::Devices(fac)),
            Next::Folder(folder) => folder_job(conn, folder, full).map_err(dberr),
        };
        let walked = walk::run(store, first, prepare, |found| {
            let fail = |e| match e {
                Fail::Db(e) => db_error(&path, e),
                Fail::Store(e) => e,
            };
            let mut commit = |conn: &Connection| -> Result<()> {
                batch += 1;
                if batch >= COMMIT_EVERY {
                    batch = 0;
                    conn.execute_batch("COMMIT; BEGIN").map_err(dberr)?;
                }
                Ok(())
            };
            match found {
                Found::Failed(e) => Err(e),
                Found::Refused {
                    folder,
                    error,
                    requests,
                } => {
                    stats.requests += requests;
                    folder_refused(conn, &folder, &error, gen).map_err(dberr)?;
                    refused.push(folder);
                    commit(conn)?;
                    Ok(Vec::new())
                }
                Found::Devices {
                    facility,
                    devices,
                    stray,
                    requests,
                    done,
                } => {
                    stats.requests += requests;
                    stats.listed += stray;
                    stats.ignored += stray;
                    let mut jobs = Vec::new();
                    for dev in devices {
                        let safe = dev.trim_end_matches('/').split('/').all(is_safe_key_part);
                        if !safe {
                            stats.listed += 1;
                            stats.ignored += 1;
                            continue;
                        }
                        for dir in walk::FOLDERS {
                            jobs.push(Next::Folder(format!("{dev}{dir}")));
                        }
                    }
                    if done {
                        folder_listed(conn, &facility).map_err(dberr)?;
                    }
                    Ok(jobs)
                }
                Found::Folder {
                    folder,
                    objects,
                    stray,
                    requests,
                    done,
                } => {
                    stats.requests += requests;
                    stats.listed += stray;
                    stats.ignored += stray;
                    let before = stats.unchanged;
                    for (o, got) in objects {
                        if plan(conn, &o, gen, &mut stats).map_err(fail)? {
                            stats.read += 1;
                            let got = match got {
                                Some(got) => got,
                                None => read(store, &o.name).map_err(fail)?,
                            };
                            record(conn, &o, got).map_err(fail)?;
                        }
                    }
                    plan_unchanged += stats.unchanged - before;
                    if done {
                        folder_listed(conn, &folder).map_err(dberr)?;
                    }
                    commit(conn)?;
                    Ok(Vec::new())
                }
            }
        });
        // What was read is kept even when the walk failed.
        conn.execute_batch("COMMIT").map_err(dberr)?;
        walked?;
        let mut late = 0;
        if !full {
            late = late_sidecars(&self.conn, store, gen, &mut stats).map_err(|e| match e {
                Fail::Db(e) => db_error(&path, e),
                Fail::Store(e) => e,
            })?;
        }
        if full {
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
            // Problems of keys no longer indexed (a late sidecar's refused
            // HEAD), and of folders listed, or gone, since.
            tx.execute(
                "DELETE FROM problems WHERE substr(key, -1) != '/' AND key NOT IN (SELECT key FROM objects)",
                [],
            )
            .map_err(|e| db_error(&path, e))?;
            let folders: Vec<String> = tx
                .prepare("SELECT key FROM problems WHERE substr(key, -1) = '/'")
                .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
                .map_err(|e| db_error(&path, e))?;
            for f in folders.iter().filter(|f| !refused.contains(f)) {
                tx.execute("DELETE FROM problems WHERE key = ?1", params![f])
                    .map_err(|e| db_error(&path, e))?;
            }
            tx.execute(
                "INSERT INTO meta(k, v) VALUES('full_gen', ?1) ON CONFLICT(k) DO UPDATE SET v=excluded.v",
                params![gen.to_string()],
            )
            .map_err(|e| db_error(&path, e))?;
            tx.commit().map_err(|e| db_error(&path, e))?;
        }
        // Objects indexed and not read this run: listed with the same size
        // and ETag, or (incremental) not listed at all, since each folder
        // was asked only for the keys after its last indexed one.
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM objects", [], |r| r.get(0))
            .map_err(|e| db_error(&path, e))?;
        let written = stats.listed - stats.ignored - plan_unchanged + late;
        stats.unchanged = (total.max(0) as u64).saturating_sub(written);
        Ok(stats)
    }
}

/// Sidecars named by this run's new status events and not indexed: a
/// backup older than the newest one, copied late, has a sidecar that sorts
/// before its folder's starting point, while its event (keyed by upload
/// time) comes after. Each is looked up by its key (HEAD, then GET).
fn late_sidecars(
    conn: &Connection,
    store: &dyn Source,
    gen: i64,
    stats: &mut Refresh,
) -> std::result::Result<u64, Fail> {
    let missing: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT e.facility || '/' || e.device || '/backups/Backup-' || e.backup || '.bin.json'
             FROM events e JOIN objects o ON o.key = e.key
             WHERE o.gen = ?1 AND NOT EXISTS
               (SELECT 1 FROM objects s WHERE s.key =
                  e.facility || '/' || e.device || '/backups/Backup-' || e.backup || '.bin.json')",
        )?
        .query_map(params![gen], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut written = 0;
    for key in missing {
        // An event's backup ID is hostile too: only a key that is a
        // sidecar's, of a safe name, is looked up.
        if !matches!(classify(&key), Some((_, _, ObjectKind::Sidecar, _)))
            || carevault_core::store::check_name(&key).is_err()
        {
            continue;
        }
        let info = match store.head(&key).map_err(Fail::Store)? {
            Answer::Got(Some(info)) => info,
            Answer::Got(None) => continue,
            Answer::Refused(e) => {
                if let Some((fac, dev, _, _)) = classify(&key) {
                    for_object(conn, &key, fac, dev, &e)?;
                }
                continue;
            }
        };
        let o = ListedObject {
            name: key,
            size: info.size,
            etag: info.etag,
        };
        written += 1;
        let mut ignore = Refresh::default();
        if plan(conn, &o, gen, &mut ignore)? {
            stats.read += 1;
            record(conn, &o, read(store, &o.name)?)?;
        }
    }
    Ok(written)
}

/// A full run relists every folder from its start once in this many runs.
pub const FULL_EVERY: i64 = 10;

/// Folders recorded per SQLite transaction.
const COMMIT_EVERY: usize = 256;

/// The end of the keys of `folder`: they run from `folder` up to (not
/// with) the same text with its last `/` replaced by the next character,
/// `0`.
fn folder_end(folder: &str) -> String {
    format!("{}0", &folder[..folder.len() - 1])
}

/// The job for `folder` (`fac/dev/backups/`): in a full run, from its
/// start with what the index knows of it; else after its last indexed key.
fn folder_job(conn: &Connection, folder: String, full: bool) -> rusqlite::Result<Job> {
    let end = folder_end(&folder);
    if full {
        let mut st = conn
            .prepare_cached("SELECT key, size, etag FROM objects WHERE key >= ?1 AND key < ?2")?;
        let known = st
            .query_map(params![folder, end], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (r.get::<_, i64>(1)?.max(0) as u64, r.get::<_, String>(2)?),
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        return Ok(Job::Folder {
            folder,
            after: None,
            known,
        });
    }
    // Over well-formed carevault names only: a tablet's junk key that
    // sorts after them (`events/~~~~.json`) must not hide what comes next.
    let after: Option<String> = conn
        .prepare_cached(
            "SELECT max(key) FROM objects WHERE key >= ?1 AND key < ?2
               AND name NOT GLOB '*[^A-Za-z0-9._-]*'
               AND ((kind IN ('backup', 'sidecar') AND name GLOB 'Backup-?*.bin*')
                 OR (kind = 'event' AND name GLOB
                     '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]*Z-?*.json'))",
        )?
        .query_row(params![folder, end], |r| r.get(0))?;
    Ok(Job::Folder {
        folder,
        after,
        known: Default::default(),
    })
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
    tx: &Connection,
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

/// Brings the index's row of `o` up to date; true when `o` must be read.
fn plan(
    tx: &Connection,
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

/// Reads `name` for the index: its content, or the store's refusal of
/// that one key; other errors stop the run.
fn read(store: &dyn Source, name: &str) -> std::result::Result<walk::Read, Fail> {
    Ok(match store.read(name).map_err(Fail::Store)? {
        Answer::Got(b) => Ok(b),
        Answer::Refused(e) => Err(e),
    })
}

/// The problem of `key` the store would not read.
fn for_object(tx: &Connection, key: &str, fac: &str, dev: &str, e: &Error) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM problems WHERE key=?1")?
        .execute(params![key])?;
    problem(
        tx,
        key,
        fac,
        dev,
        // The index is a file: its problem records are English.
        &format!(
            "it could not be read: {}",
            e.message_in(carevault_core::i18n::Lang::En)
        ),
    )
}

/// The listing of `folder` (`fac/` or `fac/dev/events/`) was refused:
/// a problem of that folder, and what the index holds of it stays (even
/// a full run removes nothing of it).
fn folder_refused(tx: &Connection, folder: &str, e: &Error, gen: i64) -> rusqlite::Result<()> {
    let mut parts = folder.split('/');
    let (fac, dev) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    tx.prepare_cached("DELETE FROM problems WHERE key=?1")?
        .execute(params![folder])?;
    problem(
        tx,
        folder,
        fac,
        dev,
        &format!(
            "its listing was refused: {}",
            e.message_in(carevault_core::i18n::Lang::En)
        ),
    )?;
    tx.prepare_cached("UPDATE objects SET gen=?3 WHERE key >= ?1 AND key < ?2")?
        .execute(params![folder, folder_end(folder), gen])?;
    Ok(())
}

/// `folder` was listed to its end: a refusal of an earlier run is over.
fn folder_listed(tx: &Connection, folder: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM problems WHERE key=?1")?
        .execute(params![folder])
        .map(|_| ())
}

/// Records what was read of `o`: its sidecar or event, or a problem (the
/// store's refusal of that one key).
fn record(tx: &Connection, o: &ListedObject, got: walk::Read) -> std::result::Result<(), Fail> {
    let Some((fac, dev, kind, file)) = classify(&o.name) else {
        return Ok(());
    };
    let bytes = match got {
        Ok(b) => b,
        Err(e) => {
            for_object(tx, &o.name, fac, dev, &e)?;
            return Ok(());
        }
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

#[cfg(test)]
mod tests {
    use super::super::report::{self, Policy, PROBLEMS_LISTED};
    use super::super::walk::fake::Fake;
    use super::*;
    use std::sync::atomic::Ordering;

    fn sidecar(id: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "file": format!("Backup-{id}.bin"), "size": 100, "sha256": "ab".repeat(32),
            "signed_by": null,
            "metadata": {"id": id, "created_at": "2026-01-01T00:00:00Z", "label": "x"},
        }))
        .unwrap()
    }

    fn event(id: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "event": "offsite-copy", "backup": id, "file": format!("Backup-{id}.bin"),
            "size": 100, "sha256": "ab".repeat(32), "etag": "e",
            "made": "2026-01-01T00:00:00Z", "verified": "2026-01-01T00:01:00Z",
            "checked": "container", "uploaded": "2026-01-01T00:02:00Z", "audit_head": null,
        }))
        .unwrap()
    }

    /// A backup of `fac/dev` as a tablet leaves it: object, sidecar, event.
    fn backup(store: &mut Fake, dev: &str, id: &str, stamp: &str) {
        store.put(&format!("fac/{dev}/backups/Backup-{id}.bin"), b"x");
        store.put(
            &format!("fac/{dev}/backups/Backup-{id}.bin.json"),
            &sidecar(id),
        );
        store.put(&format!("fac/{dev}/events/{stamp}-{id}.json"), &event(id));
    }

    fn fleet(honours_after: bool) -> Fake {
        let mut store = Fake {
            page: 2,
            honours_after,
            ..Fake::default()
        };
        for (i, dev) in ["dev1", "dev2"].iter().enumerate() {
            for b in 0..3 {
                let stamp = format!("2026010{b}T00000{i}Z");
                backup(&mut store, dev, &format!("2026010{b}-00000{i}"), &stamp);
            }
        }
        store
    }

    fn index() -> (tempfile::TempDir, Index) {
        let t = tempfile::tempdir().unwrap();
        let idx = Index::open(&t.path().join("idx.sqlite"), "s3://b/").unwrap();
        (t, idx)
    }

    fn count(idx: &Index, table: &str) -> i64 {
        idx.conn()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn an_incremental_run_reads_nothing_when_the_server_ignores_start_after() {
        let store = fleet(false);
        let (_t, mut idx) = index();
        let first = idx.refresh(&store, false).unwrap();
        assert_eq!(first.read, 12, "{first:?}");
        let reads = store.reads.load(Ordering::SeqCst);
        let again = idx.refresh(&store, false).unwrap();
        assert!(!again.full);
        assert_eq!(
            store.reads.load(Ordering::SeqCst),
            reads,
            "keys at or before start-after sent anyway are dropped: {again:?}"
        );
        assert_eq!((again.read, again.listed, again.unchanged), (0, 0, 18));
    }

    #[test]
    fn a_full_run_cut_off_by_a_listing_error_removes_nothing() {
        let store = fleet(true);
        let (_t, mut idx) = index();
        idx.refresh(&store, true).unwrap();
        assert_eq!(count(&idx, "objects"), 18);
        store
            .failing
            .lock()
            .unwrap()
            .push("fac/dev2/events/".into());
        assert!(idx.refresh(&store, true).is_err());
        assert_eq!(count(&idx, "objects"), 18, "nothing removed");
        assert_eq!(count(&idx, "events"), 6);
    }

    #[test]
    fn an_object_the_store_refuses_is_a_problem_and_the_run_goes_on() {
        let mut store = fleet(true);
        store
            .refused
            .insert("fac/dev1/events/20260101T000000Z-20260101-000000.json".into());
        let (_t, mut idx) = index();
        let r = idx.refresh(&store, false).unwrap();
        assert_eq!(r.read, 12, "{r:?}");
        let report = report::build(&idx, Policy { days: 7, now: 0 }).unwrap();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(report.problems[0].message.contains("could not be read"));
        assert_eq!(count(&idx, "events"), 5);
    }

    #[test]
    fn a_key_sorting_after_every_carevault_name_does_not_move_the_folder_start() {
        let mut store = fleet(true);
        let (_t, mut idx) = index();
        idx.refresh(&store, false).unwrap();
        // Junk names a tablet may write, each sorting after its real keys.
        store.put("fac/dev1/events/~~~~.json", b"{}");
        store.put("fac/dev1/backups/~.bin", b"x");
        store.put("fac/dev1/backups/~.bin.json", b"{}");
        idx.refresh(&store, false).unwrap();
        backup(&mut store, "dev1", "20260109-000000", "20260109T000000Z");
        let r = idx.refresh(&store, false).unwrap();
        assert!(!r.full);
        let d = report::build(&idx, Policy { days: 7, now: 0 }).unwrap();
        let dev1 = d.devices.iter().find(|d| d.device == "dev1").unwrap();
        assert_eq!(
            dev1.newest_backup.as_ref().map(|b| b.id.as_str()),
            Some("20260109-000000"),
            "{r:?}"
        );
        assert_eq!(dev1.backups, 4, "{dev1:?}");
    }

    #[test]
    fn report_problems_are_capped_per_device_with_a_count_of_the_rest() {
        let mut store = fleet(true);
        for i in 0..PROBLEMS_LISTED + 5 {
            store.put(
                &format!("fac/dev1/events/20260102T0000{i:02}Z-j.json"),
                b"{}",
            );
        }
        store.put("fac/dev2/events/20260102T000000Z-j.json", b"{}");
        let (_t, mut idx) = index();
        idx.refresh(&store, false).unwrap();
        let r = report::build(&idx, Policy { days: 7, now: 0 }).unwrap();
        let of = |dev: &str| {
            r.problems
                .iter()
                .filter(|p| p.key.starts_with(&format!("fac/{dev}/")))
                .count()
        };
        assert_eq!((of("dev1"), of("dev2")), (PROBLEMS_LISTED, 1));
        assert_eq!(r.problems_not_listed, 5);
        let dev1 = r.devices.iter().find(|d| d.device == "dev1").unwrap();
        assert_eq!((dev1.problems, dev1.problems_not_listed), (25, 5));
        assert!(dev1.at_risk.iter().any(|m| m.contains("25")), "{dev1:?}");
        let doc = r.document("s3://b/", Path::new("idx"), 7, &Refresh::default());
        assert_eq!(
            doc["problems"].as_array().unwrap().len(),
            PROBLEMS_LISTED + 1
        );
        assert_eq!(doc["problems_not_listed"], 5);
    }
}
