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
//!
//! Once its pages are stored, each snapshot is given `PRAGMA
//! integrity_check` on a low-priority thread (`DbSnapshot::integrity_check`),
//! still inside the same read transaction, so the check sees exactly the
//! pages the backup stored; its verdict is sealed in the manifest.

use crate::error::{Error, Kind, Result};
use crate::hostlock::HostLock;
use crate::i18n::{t, Text};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// One database pinned at the snapshot instant.
pub struct DbSnapshot {
    /// Path inside the payload (`data/...`).
    pub entry_path: String,
    /// The pinned connection. Behind a lock so that the integrity check
    /// can run on another thread once the pages are stored (one user at a
    /// time: the stream, then the check, then the release).
    conn: Mutex<Connection>,
    /// Page size in bytes.
    pub page_size: u64,
    /// Pages in the snapshot.
    pub page_count: u64,
    /// Journal mode of the live database.
    pub journal_mode: String,
    /// Rows per table in the snapshot.
    pub row_counts: BTreeMap<String, u64>,
    /// Scratch folder for the fallback copy (builds without `sqlite_dbpage`).
    scratch: std::path::PathBuf,
    /// The live database file.
    path: std::path::PathBuf,
}

fn sql_err(what: Text, path: &Path, e: rusqlite::Error) -> Error {
    Error::new(
        Kind::Io,
        t!("core-sql-failed", what = what, err = e.to_string()),
        t!("core-sql-failed-advice"),
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
        // The live data may have come from a backup: SQLite's defences on.
        let conn = crate::untrusted_db::open(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_err(t!("core-sql-doing-opening"), path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| sql_err(t!("core-sql-doing-configuring"), path, e))?;
        // Pages are read once, in order: a small page cache (256 KiB
        // instead of 2 MB per database) is all the stream needs.
        conn.execute_batch("PRAGMA cache_size = -256")
            .map_err(|e| sql_err(t!("core-sql-doing-configuring"), path, e))?;
        conns.push((entry.clone(), path.clone(), conn));
    }
    let barrier = HostLock::WriteBarrier.exclusive(home).map_err(|e| {
        Error::io(
            t!("core-doing-taking-write-barrier"),
            crate::hostlock::locks_dir(home),
            e,
        )
    })?;
    let start = Instant::now();
    for (_, path, conn) in &conns {
        conn.execute_batch("BEGIN")
            .map_err(|e| sql_err(t!("core-sql-doing-starting-snapshot"), path, e))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| sql_err(t!("core-sql-doing-pinning-snapshot"), path, e))?;
    }
    drop(barrier);
    let held_ms = start.elapsed().as_secs_f64() * 1000.0;

    let mut out = Vec::with_capacity(conns.len());
    for (entry_path, path, conn) in conns {
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(|e| sql_err(t!("core-sql-doing-reading-page-size"), &path, e))?;
        let page_count: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(|e| sql_err(t!("core-sql-doing-reading-size"), &path, e))?;
        let journal_mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| sql_err(t!("core-sql-doing-reading-journal-mode"), &path, e))?;
        let row_counts =
            count_rows(&conn).map_err(|e| sql_err(t!("core-sql-doing-counting-rows"), &path, e))?;
        out.push(DbSnapshot {
            entry_path,
            conn: Mutex::new(conn),
            page_size: page_size as u64,
            page_count: page_count as u64,
            journal_mode: journal_mode.to_lowercase(),
            row_counts,
            scratch: crate::layout::private_dir(home).join(".snapshot-scratch"),
            path,
        });
    }
    Ok((out, held_ms))
}

/// The ordinary tables (not SQLite's own, not virtual), by name.
pub fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' \
         AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// Rows per table (the tables of [`table_names`]).
pub fn count_rows(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for name in table_names(conn)? {
        let n = count_table(conn, &name)?;
        counts.insert(name, n);
    }
    Ok(counts)
}

/// Rows in the table `name`.
pub fn count_table(conn: &Connection, name: &str) -> rusqlite::Result<u64> {
    let q = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
    conn.query_row(&q, [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

impl DbSnapshot {
    /// Ends the snapshot once its pages are stored, and copies into the
    /// database, on carevault's own connection, the changes the app wrote
    /// to the WAL meanwhile. While the snapshot was pinned the WAL could
    /// not be reset and grew; without this, the app's next commit would
    /// run SQLite's automatic checkpoint of that whole backlog, and the
    /// app would stall for as long (hundreds of milliseconds, measured:
    /// BENCHMARKS.md). A passive checkpoint never waits for the app's
    /// writers or readers; if the app checkpoints at the same moment, ours
    /// gives way. Its failure costs nothing but the stall it would have
    /// saved, so it is not an error of the backup.
    pub fn release(&self) {
        let _ = self.conn().execute_batch("COMMIT");
        if self.journal_mode != "wal" {
            return;
        }
        let Ok(rw) = crate::untrusted_db::open(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) else {
            return;
        };
        let _ = rw.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0));
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A handle that stops a running [`DbSnapshot::integrity_check`].
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn().get_interrupt_handle()
    }

    /// `PRAGMA integrity_check` of the pinned snapshot (the pages
    /// [`DbSnapshot::stream`] stored, in the same read transaction): `ok`,
    /// or its report joined by "; ". None when the check could not run to
    /// its end (interrupted, an I/O error): nothing is then sealed and a
    /// restore checks the database itself.
    pub fn integrity_check(&self) -> Option<String> {
        let conn = self.conn();
        // The stream needed a small cache; the check's index lookups are
        // random reads and gain from SQLite's default (2 MB).
        conn.execute_batch("PRAGMA cache_size = -2000").ok()?;
        let mut stmt = conn.prepare("PRAGMA integrity_check").ok()?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .ok()?
            .collect::<rusqlite::Result<_>>()
            .ok()?;
        Some(lines.join("; "))
    }

    /// Size of the snapshot file in bytes.
    pub fn size(&self) -> u64 {
        self.page_size * self.page_count
    }

    /// Writes every page of the snapshot to `out`, in order, hashing as it
    /// goes; returns the SHA-256 of what was written.
    pub fn stream(&self, out: &mut dyn Write, progress: &dyn crate::Progress) -> Result<[u8; 32]> {
        let path = Path::new(&self.entry_path);
        let conn = self.conn();
        let mut stmt = match conn.prepare("SELECT pgno, data FROM sqlite_dbpage('main')") {
            Ok(stmt) => stmt,
            // SQLite built without SQLITE_ENABLE_DBPAGE_VTAB (the flag is set
            // in .cargo/config.toml; a build from elsewhere may miss it).
            Err(e) if e.to_string().contains("no such table") => {
                return self.stream_via_copy(&conn, out, progress)
            }
            Err(e) => return Err(sql_err(t!("core-sql-doing-reading-dbpage"), path, e)),
        };
        let mut rows = stmt
            .query([])
            .map_err(|e| sql_err(t!("core-sql-doing-reading-pages"), path, e))?;
        let mut hasher = Sha256::new();
        let mut expected = 1u64;
        while let Some(row) = rows
            .next()
            .map_err(|e| sql_err(t!("core-sql-doing-reading-pages"), path, e))?
        {
            let pgno: i64 = row
                .get(0)
                .map_err(|e| sql_err(t!("core-sql-doing-reading-pages"), path, e))?;
            let data = row
                .get_ref(1)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(|e| sql_err(t!("core-sql-doing-reading-pages"), path, e))?;
            if pgno as u64 != expected || data.len() as u64 != self.page_size {
                return Err(Error::internal(t!(
                    "core-page-out-of-order",
                    page = pgno,
                    name = &self.entry_path
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
            return Err(Error::internal(t!(
                "core-page-count-differs",
                name = &self.entry_path,
                got = expected - 1,
                want = self.page_count
            )));
        }
        Ok(hasher.finalize().into())
    }

    /// Fallback without `sqlite_dbpage`: the online backup API copies the
    /// pinned snapshot (this connection's read transaction) into a scratch
    /// file in `private/`, which is then streamed and removed. Costs a
    /// temporary copy on disk; the dbpage path does not.
    fn stream_via_copy(
        &self,
        src: &Connection,
        out: &mut dyn Write,
        progress: &dyn crate::Progress,
    ) -> Result<[u8; 32]> {
        use std::io::Read;
        let path = Path::new(&self.entry_path);
        crate::fault::create_dir_all(&self.scratch)
            .map_err(|e| Error::io(t!("core-doing-creating-scratch"), &self.scratch, e))?;
        let tmp = self.scratch.join(format!(
            "{}-{}.db",
            std::process::id(),
            self.entry_path.replace('/', "_")
        ));
        let _ = std::fs::remove_file(&tmp);
        struct Remove<'a>(&'a Path);
        impl Drop for Remove<'_> {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(self.0);
            }
        }
        let _cleanup = Remove(&tmp);
        {
            let mut dst = Connection::open(&tmp)
                .map_err(|e| sql_err(t!("core-sql-doing-copying-snapshot"), path, e))?;
            let backup = rusqlite::backup::Backup::new(src, &mut dst)
                .map_err(|e| sql_err(t!("core-sql-doing-copying-snapshot"), path, e))?;
            backup
                .step(-1)
                .map_err(|e| sql_err(t!("core-sql-doing-copying-snapshot"), path, e))?;
        }
        let mut f = std::fs::File::open(&tmp)
            .map_err(|e| Error::io(t!("core-doing-reading-snapshot-copy"), &tmp, e))?;
        let len = f
            .metadata()
            .map_err(|e| Error::io(t!("core-doing-reading-snapshot-copy"), &tmp, e))?
            .len();
        if len != self.size() {
            return Err(Error::internal(t!(
                "core-snapshot-copy-size",
                name = &self.entry_path,
                len = len,
                want = self.size()
            )));
        }
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; self.page_size as usize];
        for pgno in 1..=self.page_count {
            f.read_exact(&mut buf)
                .map_err(|e| Error::io(t!("core-doing-reading-snapshot-copy"), &tmp, e))?;
            if pgno == 1 && buf.len() >= 100 {
                buf[18] = 1;
                buf[19] = 1;
            }
            hasher.update(&buf);
            out.write_all(&buf)
                .map_err(crate::archive::writer::sink_error)?;
            progress.advance(self.page_size);
        }
        Ok(hasher.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_and_integrity(bytes: &[u8], dir: &Path, name: &str) -> (i64, String) {
        let out = dir.join(name);
        std::fs::write(&out, bytes).unwrap();
        let r = Connection::open(&out).unwrap();
        let n: i64 = r
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        let ok: String = r
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        (n, ok)
    }

    /// The fallback (online backup API copy) yields the same snapshot as the
    /// `sqlite_dbpage` path: same size, same rows, out of WAL mode, and a
    /// commit made after the pin is in neither. (Header counters differ, so
    /// the bytes are not identical.)
    #[test]
    fn fallback_copy_streams_the_same_snapshot_as_dbpage() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path();
        let data = home.join("data");
        std::fs::create_dir_all(&data).unwrap();
        let db = data.join("a.db");
        let c = Connection::open(&db).unwrap();
        c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x); BEGIN;")
            .unwrap();
        for i in 0..5000 {
            c.execute(
                "INSERT INTO t VALUES (?1)",
                [format!("row {i} {}", "x".repeat(50))],
            )
            .unwrap();
        }
        c.execute_batch("COMMIT").unwrap();
        let (snaps, _) = pin_all(home, &[("data/a.db".into(), db.clone())]).unwrap();
        c.execute("INSERT INTO t VALUES ('late')", []).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        snaps[0].stream(&mut a, &crate::NoProgress).unwrap();
        snaps[0]
            .stream_via_copy(&snaps[0].conn(), &mut b, &crate::NoProgress)
            .unwrap();
        assert_eq!(a.len() as u64, snaps[0].size());
        assert_eq!(b.len(), a.len());
        assert!(
            a[18] == 1 && a[19] == 1 && b[18] == 1 && b[19] == 1,
            "out of WAL mode"
        );
        let scratch = home.join("private/.snapshot-scratch");
        assert!(
            std::fs::read_dir(&scratch).unwrap().next().is_none(),
            "scratch copy removed"
        );
        assert_eq!(
            rows_and_integrity(&a, t.path(), "a.db"),
            (5000, "ok".to_string())
        );
        assert_eq!(
            rows_and_integrity(&b, t.path(), "b.db"),
            (5000, "ok".to_string())
        );
    }
}
