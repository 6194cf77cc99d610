//! Point-in-time snapshots of live SQLite databases.
//!
//! Every database gets its own read-only connection. Under the host's write
//! barrier (held exclusively for that instant only) each connection begins a
//! read transaction and reads one row, which pins its snapshot: from then on
//! it sees the databases exactly as they were at that instant, while the app
//! keeps writing through its own connections. The pages are then read
//! through `sqlite_dbpage` inside that same transaction and streamed out;
//! no temporary copy of a database is made. The copy's header is switched
//! from WAL to rollback-journal mode (bytes 18 and 19 set to 1), so the file
//! is a complete database on its own.

use crate::error::{Error, Kind, Result};
use crate::hostlock::HostLock;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// One database pinned at the snapshot instant.
pub struct DbSnapshot {
    /// Path inside the payload (`data/...`).
    pub entry_path: String,
    conn: Connection,
    /// Page size in bytes.
    pub page_size: u64,
    /// Pages in the snapshot.
    pub page_count: u64,
    /// Journal mode of the live database.
    pub journal_mode: String,
    /// Rows per table in the snapshot.
    pub row_counts: BTreeMap<String, u64>,
}

fn sql_err(what: &str, path: &Path, e: rusqlite::Error) -> Error {
    Error::new(
        Kind::Io,
        format!("could not read the database while {what}: {e}"),
        "check that the database file is readable and not damaged (run the app's own checks), then try again",
    )
    .at(path)
}

/// Opens every database and pins all their snapshots at one instant under
/// the write barrier. Returns the snapshots and how long the barrier was held.
pub fn pin_all(
    home: &Path,
    dbs: &[(String, std::path::PathBuf)],
) -> Result<(Vec<DbSnapshot>, f64)> {
    let mut conns = Vec::with_capacity(dbs.len());
    for (entry, path) in dbs {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_err("opening it", path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| sql_err("configuring it", path, e))?;
        conns.push((entry.clone(), path.clone(), conn));
    }
    let barrier = HostLock::WriteBarrier.exclusive(home).map_err(|e| {
        Error::io(
            "taking the write barrier",
            crate::hostlock::locks_dir(home),
            e,
        )
    })?;
    let start = Instant::now();
    for (_, path, conn) in &conns {
        conn.execute_batch("BEGIN")
            .map_err(|e| sql_err("starting the snapshot", path, e))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| sql_err("pinning the snapshot", path, e))?;
    }
    drop(barrier);
    let held_ms = start.elapsed().as_secs_f64() * 1000.0;

    let mut out = Vec::with_capacity(conns.len());
    for (entry_path, path, conn) in conns {
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(|e| sql_err("reading its page size", &path, e))?;
        let page_count: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(|e| sql_err("reading its size", &path, e))?;
        let journal_mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| sql_err("reading its journal mode", &path, e))?;
        let row_counts = count_rows(&conn).map_err(|e| sql_err("counting rows", &path, e))?;
        out.push(DbSnapshot {
            entry_path,
            conn,
            page_size: page_size as u64,
            page_count: page_count as u64,
            journal_mode: journal_mode.to_lowercase(),
            row_counts,
        });
    }
    Ok((out, held_ms))
}

/// Rows in every ordinary table.
pub fn count_rows(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' \
         AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = BTreeMap::new();
    for name in names {
        let q = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
        let n: i64 = conn.query_row(&q, [], |r| r.get(0))?;
        counts.insert(name, n as u64);
    }
    Ok(counts)
}

impl DbSnapshot {
    /// Size of the snapshot file in bytes.
    pub fn size(&self) -> u64 {
        self.page_size * self.page_count
    }

    /// Writes every page of the snapshot to `out`, in order, hashing as it
    /// goes; returns the SHA-256 of what was written.
    pub fn stream(&self, out: &mut dyn Write, progress: &dyn crate::Progress) -> Result<[u8; 32]> {
        let path = Path::new(&self.entry_path);
        let mut stmt = self
            .conn
            .prepare("SELECT pgno, data FROM sqlite_dbpage('main')")
            .map_err(|e| sql_err("reading its pages (sqlite_dbpage)", path, e))?;
        let mut rows = stmt
            .query([])
            .map_err(|e| sql_err("reading its pages", path, e))?;
        let mut hasher = Sha256::new();
        let mut expected = 1u64;
        while let Some(row) = rows
            .next()
            .map_err(|e| sql_err("reading its pages", path, e))?
        {
            let pgno: i64 = row
                .get(0)
                .map_err(|e| sql_err("reading its pages", path, e))?;
            let data = row
                .get_ref(1)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(|e| sql_err("reading its pages", path, e))?;
            if pgno as u64 != expected || data.len() as u64 != self.page_size {
                return Err(Error::internal(format!(
                    "page {pgno} of {} came out of order or with a wrong size",
                    self.entry_path
                )));
            }
            let write = |bytes: &[u8], out: &mut dyn Write, h: &mut Sha256| -> Result<()> {
                h.update(bytes);
                out.write_all(bytes)
                    .map_err(crate::archive::writer::sink_error)
            };
            if pgno == 1 && data.len() >= 100 {
                // Leave WAL mode: file format write/read versions = 1 (legacy).
                let mut first = data.to_vec();
                first[18] = 1;
                first[19] = 1;
                write(&first, out, &mut hasher)?;
            } else {
                write(data, out, &mut hasher)?;
            }
            progress.advance(self.page_size);
            expected += 1;
        }
        if expected - 1 != self.page_count {
            return Err(Error::internal(format!(
                "{} yielded {} pages, the snapshot has {}",
                self.entry_path,
                expected - 1,
                self.page_count
            )));
        }
        Ok(hasher.finalize().into())
    }
}
