//! SanteDB's SQLite assets: the length-prefixed envelopes (v1, v2, v3),
//! WAL replay, and the checks every database passes before it is staged.

use crate::fail::{damaged, incomplete};
use carevault_core::i18n::{t, Arg, Text};
use carevault_core::{Error, Kind, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;

/// What one database asset held.
#[derive(Debug, Clone, Serialize)]
pub struct DbInfo {
    /// Envelope shape: `v1`, `v2`, `v3`, or `raw` (a file of a folder layout).
    pub envelope: &'static str,
    /// The envelope carried a SQLCipher password in clear.
    pub password_in_clear: bool,
    /// Commits were replayed from a WAL file the envelope carried.
    pub wal_replayed: bool,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// Size of the database file as staged.
    pub size: u64,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Maps an `io::Error` from the tar entry to the error the user reads.
pub type Explain<'a> = &'a dyn Fn(io::Error) -> Error;

struct Budget<'r> {
    r: &'r mut dyn Read,
    /// Bytes read ahead and given back, read again first.
    front: Vec<u8>,
    left: u64,
    asset: String,
}

impl Budget<'_> {
    fn envelope_err(&self, what: Text) -> Error {
        damaged(t!(
            "santedb-envelope-damaged",
            asset = format!("{:?}", self.asset),
            what = what
        ))
    }

    fn unread(&mut self, mut b: Vec<u8>) {
        self.left += b.len() as u64;
        b.extend_from_slice(&self.front);
        self.front = b;
    }

    fn bytes(&mut self, n: u64, what: Text, explain: Explain) -> Result<Vec<u8>> {
        if n > self.left {
            return Err(self.envelope_err(t!("santedb-envelope-runs-past", what = what)));
        }
        let k = (n as usize).min(self.front.len());
        let mut v: Vec<u8> = self.front.drain(..k).collect();
        let old = v.len();
        v.resize(n as usize, 0);
        read_full(self.r, &mut v[old..], explain)?;
        self.left -= n;
        Ok(v)
    }

    fn u8(&mut self, what: Text, explain: Explain) -> Result<u8> {
        Ok(self.bytes(1, what, explain)?[0])
    }

    fn copy_to(&mut self, n: u64, out: &Path, explain: Explain) -> Result<()> {
        if n > self.left {
            return Err(self.envelope_err(t!("santedb-envelope-file-runs-past")));
        }
        let mut f = std::fs::File::create_new(out)
            .map_err(|e| crate::fail::io(t!("santedb-doing-writing-database"), out, e))?;
        let k = (n as usize).min(self.front.len());
        let front: Vec<u8> = self.front.drain(..k).collect();
        f.write_all(&front)
            .map_err(|e| crate::fail::io(t!("santedb-doing-writing-database"), out, e))?;
        copy_exact(self.r, &mut f, n - k as u64, out, explain)?;
        self.left -= n;
        Ok(())
    }

    fn skip(&mut self, n: u64, explain: Explain) -> Result<()> {
        let mut left = n;
        while left > 0 {
            let k = left.min(64 * 1024);
            self.bytes(k, t!("santedb-envelope-a-file"), explain)?;
            left -= k;
        }
        Ok(())
    }
}

fn read_full(r: &mut dyn Read, buf: &mut [u8], explain: Explain) -> Result<()> {
    let mut at = 0;
    while at < buf.len() {
        match r.read(&mut buf[at..]) {
            Ok(0) => return Err(incomplete(t!("santedb-entry-ends-early"))),
            Ok(n) => at += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(explain(e)),
        }
    }
    Ok(())
}

/// Copies exactly `n` bytes of `r` into `out`.
pub fn copy_exact(
    r: &mut dyn Read,
    out: &mut std::fs::File,
    n: u64,
    path: &Path,
    explain: Explain,
) -> Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = n;
    while left > 0 {
        let want = (buf.len() as u64).min(left) as usize;
        let k = match r.read(&mut buf[..want]) {
            Ok(0) => {
                return Err(incomplete(t!(
                    "santedb-entry-ends-bytes-early",
                    bytes = left.to_string()
                )))
            }
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(explain(e)),
        };
        out.write_all(&buf[..k])
            .map_err(|e| crate::fail::io(t!("santedb-doing-writing-staging"), path, e))?;
        left -= k as u64;
    }
    Ok(())
}

fn empty_payload(asset: &str) -> Error {
    Error::new(
        Kind::CheckFailed,
        t!("santedb-database-empty", asset = format!("{asset:?}")),
        t!("santedb-database-empty-advice"),
    )
}

fn sqlcipher(asset: &str) -> Error {
    Error::new(
        Kind::UnsupportedVersion,
        t!("santedb-database-sqlcipher", asset = format!("{asset:?}")),
        t!("santedb-database-sqlcipher-advice"),
    )
}

fn plausible_name(b: &[u8]) -> bool {
    !b.is_empty()
        && std::str::from_utf8(b)
            .map(|s| !s.chars().any(|c| c.is_control() || c == '/' || c == '\\'))
            .unwrap_or(false)
}

/// Unwraps the database asset `asset` (its tar entry `r`, `size` bytes) into
/// `scratch/db`, replays its WAL, checks it, and moves it to `dest`.
pub fn unwrap_asset(
    r: &mut dyn Read,
    size: u64,
    scratch: &Path,
    dest: &Path,
    asset: &str,
    explain: Explain,
) -> Result<DbInfo> {
    if size == 0 {
        return Err(empty_payload(asset));
    }
    std::fs::create_dir_all(scratch)
        .map_err(|e| crate::fail::io(t!("santedb-doing-creating-staging"), scratch, e))?;
    let main = scratch.join("db");
    let mut b = Budget {
        r,
        front: Vec::new(),
        left: size,
        asset: asset.to_string(),
    };
    let l1 = b.u8(t!("santedb-envelope-first-length"), explain)? as u64;
    let s1 = b.bytes(l1, t!("santedb-envelope-first-string"), explain)?;
    if b.left == 0 {
        return Err(empty_payload(asset));
    }
    if b.left < 8 {
        return Err(b.envelope_err(t!("santedb-envelope-too-short")));
    }
    let head = b.bytes(8, t!("santedb-envelope-the-file-size"), explain)?;
    let z = u64::from_le_bytes(head[..].try_into().expect("8 bytes"));
    if z == b.left {
        // v3: file name, size, the checkpointed main file.
        if z == 0 {
            return Err(empty_payload(asset));
        }
        b.copy_to(z, &main, explain)?;
        return settle_info(&main, dest, "v3", false, false);
    }
    let password = !s1.is_empty();
    if &head[..] == b"SQLite f" {
        // v1: password, then the raw main file.
        b.unread(head);
        let left = b.left;
        b.copy_to(left, &main, explain)?;
        return settle_info(&main, dest, "v1", password, false);
    }
    let name_len = head[0] as usize;
    if !plausible_name(&head[1..(1 + name_len).min(8)]) {
        // v1 with a keyed main file: random bytes where SQLite's magic would be.
        return Err(sqlcipher(asset));
    }
    // v2: password, then (name, size, bytes) for the main file and its sidecars.
    b.unread(head);
    let mut first: Option<String> = None;
    let mut wal = false;
    while b.left > 0 {
        let len = b.u8(t!("santedb-envelope-name-length"), explain)? as u64;
        let name = b.bytes(len, t!("santedb-envelope-a-name"), explain)?;
        let sz = b.bytes(8, t!("santedb-envelope-a-size"), explain)?;
        wal |= write_v2_file(&mut b, &main, &name, &sz, &mut first, asset, explain)?;
    }
    if first.is_none() {
        return Err(empty_payload(asset));
    }
    settle_info(&main, dest, "v2", password, wal)
}

/// Writes one file of a v2 envelope; returns whether it was the WAL.
fn write_v2_file(
    b: &mut Budget,
    main: &Path,
    name: &[u8],
    sz: &[u8],
    first: &mut Option<String>,
    asset: &str,
    explain: Explain,
) -> Result<bool> {
    let name = std::str::from_utf8(name)
        .map_err(|_| b.envelope_err(t!("santedb-envelope-name-not-utf8")))?
        .to_string();
    let n = u64::from_le_bytes(sz.try_into().expect("8 bytes"));
    match first {
        None => {
            if !plausible_name(name.as_bytes()) {
                return Err(b.envelope_err(t!("santedb-envelope-first-not-name")));
            }
            if n == 0 {
                return Err(empty_payload(asset));
            }
            *first = Some(name);
            b.copy_to(n, main, explain)?;
            let mut magic = [0u8; 16];
            let ok = std::fs::File::open(main)
                .and_then(|mut f| f.read_exact(&mut magic))
                .is_ok()
                && &magic == SQLITE_MAGIC;
            if !ok {
                return Err(sqlcipher(asset));
            }
            Ok(false)
        }
        Some(m) => {
            let suffix = name.strip_prefix(m.as_str()).unwrap_or("?");
            let target = match suffix {
                "-wal" => sidecar(main, "-wal"),
                "-shm" | "-journal" => {
                    // SQLite rebuilds the shared-memory index from the WAL;
                    // the copy of it is not needed.
                    if n > b.left {
                        return Err(b.envelope_err(t!("santedb-envelope-file-runs-past")));
                    }
                    b.skip(n, explain)?;
                    return Ok(false);
                }
                _ => {
                    return Err(b.envelope_err(t!(
                        "santedb-envelope-other-file",
                        file = format!("{:?}", crate::assets::shorten(&name)),
                        database = format!("{m:?}")
                    )))
                }
            };
            if target.exists() {
                return Err(b.envelope_err(t!("santedb-envelope-wal-twice")));
            }
            b.copy_to(n, &target, explain)?;
            Ok(true)
        }
    }
}

fn settle_info(
    main: &Path,
    dest: &Path,
    envelope: &'static str,
    password: bool,
    wal: bool,
) -> Result<DbInfo> {
    let rows = settle(main, dest)?;
    let size = std::fs::metadata(dest)
        .map_err(|e| crate::fail::io(t!("santedb-doing-measuring"), dest, e))?
        .len();
    Ok(DbInfo {
        envelope,
        password_in_clear: password,
        wal_replayed: wal,
        rows,
        size,
    })
}

/// The path of `main`'s sidecar file (`-wal`, `-shm`, `-journal`).
pub fn sidecar(main: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = main.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

fn db_err(path: &Path, what: Text, e: rusqlite::Error) -> Error {
    Error::new(
        Kind::CheckFailed,
        t!(
            "santedb-database-check-failed",
            what = what,
            error = e.to_string()
        ),
        t!("santedb-database-damaged-advice"),
    )
    .at(path)
}

/// Replays the WAL of the database at `main` (if one lies beside it), puts
/// it in rollback-journal mode, runs `PRAGMA integrity_check`, counts its
/// rows, and moves it to `dest`. Returns the row counts.
pub fn settle(main: &Path, dest: &Path) -> Result<BTreeMap<String, u64>> {
    let rows = {
        let conn = Connection::open_with_flags(
            main,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_err(main, t!("santedb-db-doing-opening"), e))?;
        conn.execute_batch("PRAGMA trusted_schema = OFF")
            .map_err(|e| db_err(main, t!("santedb-db-doing-opening"), e))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| db_err(main, t!("santedb-db-doing-journal-mode"), e))?;
        if mode.eq_ignore_ascii_case("wal") {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(|e| db_err(main, t!("santedb-db-doing-wal"), e))?;
            conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
                .map_err(|e| db_err(main, t!("santedb-db-doing-leaving-wal"), e))?;
        }
        let mut stmt = conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| db_err(main, t!("santedb-db-doing-integrity"), e))?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| db_err(main, t!("santedb-db-doing-integrity"), e))?;
        drop(stmt);
        if problems != ["ok"] {
            return Err(Error::new(
                Kind::CheckFailed,
                t!(
                    "santedb-database-integrity",
                    problem = match problems.first() {
                        Some(p) => Arg::from(p.as_str()),
                        None => Arg::from(t!("santedb-database-no-answer")),
                    }
                ),
                t!("santedb-database-damaged-advice"),
            ));
        }
        carevault_core::snapshot::count_rows(&conn)
            .map_err(|e| db_err(main, t!("santedb-db-doing-counting"), e))?
    };
    for side in ["-wal", "-shm", "-journal"] {
        let p = sidecar(main, side);
        if p.exists() {
            std::fs::remove_file(&p)
                .map_err(|e| crate::fail::io(t!("santedb-doing-removing-wal"), &p, e))?;
        }
    }
    if main != dest {
        std::fs::rename(main, dest)
            .map_err(|e| crate::fail::io(t!("santedb-doing-moving-database"), dest, e))?;
    }
    Ok(rows)
}
