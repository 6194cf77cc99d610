//! The audit trail's files: locking, appending, the head file, reading.

use super::{encode, Event, Record, GENESIS, HEAD_FILE, LOG_FILE};
use crate::error::{Error, Kind, Result};
use crate::fsutil::sync_dir;
use crate::i18n::{t, Text};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Contents of `audit.head`: the last record appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Head {
    pub seq: u64,
    pub hash: String,
}

/// What was found where the head file should be.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum HeadState {
    Missing,
    Unreadable(Text),
    Present(Head),
}

fn is_hex_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn read_head(path: &Path) -> Result<HeadState> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HeadState::Missing),
        Err(e) => return Err(Error::io(t!("ops-doing-reading-audit-head"), path, e)),
    };
    Ok(match serde_json::from_slice::<Head>(&bytes) {
        Ok(h) if is_hex_hash(&h.hash) => HeadState::Present(h),
        Ok(_) => HeadState::Unreadable(t!("ops-audit-head-bad-hash")),
        // The JSON parser's own words (where in the file it stopped).
        Err(e) => HeadState::Unreadable(t!("ops-audit-parser-says", err = e.to_string())),
    })
}

fn write_head(dir: &Path, head: &Head) -> Result<()> {
    let target = dir.join(HEAD_FILE);
    let mut bytes = serde_json::to_vec(head).expect("the head always serialises");
    bytes.push(b'\n');
    // A new temporary file (O_EXCL|O_NOFOLLOW, 0600), fsync, rename, fsync.
    crate::fsutil::write_private(&target, &bytes)
}

#[cfg(unix)]
fn private_mode(opts: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    // Never through a planted link.
    opts.mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
}

#[cfg(not(unix))]
fn private_mode(_opts: &mut OpenOptions) {}

/// Reads a record from one line (without its `\n`).
pub(super) fn parse_line(line: &[u8]) -> std::result::Result<Record, Text> {
    if line.is_empty() {
        return Err(t!("ops-audit-line-empty"));
    }
    // serde_json says "at line 1 column N": within one line, the column is what counts.
    serde_json::from_slice::<Record>(line).map_err(|e| {
        t!(
            "ops-audit-parser-says",
            err = e.to_string().replace(" at line 1 column ", " at column ")
        )
    })
}

/// The sequence number a damaged line seems to carry, if it can be seen.
pub(super) fn sniff_seq(line: &[u8]) -> Option<u64> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
        return v.get("seq").and_then(|s| s.as_u64());
    }
    let rest = line.strip_prefix(br#"{"seq":"#)?;
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    if digits.is_empty() || digits.len() == rest.len() {
        // No digits, or the line stops inside the number (it may be cut short).
        return None;
    }
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// Splits the log into its complete lines (without `\n`) and a trailing
/// fragment that has no `\n` (an incomplete last line), if any.
pub(super) fn split_lines(bytes: &[u8]) -> (Vec<&[u8]>, Option<&[u8]>) {
    if bytes.is_empty() {
        return (Vec::new(), None);
    }
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // `split` always yields a last piece: empty after a final `\n`,
    // otherwise the incomplete line.
    let last = lines.pop().filter(|l| !l.is_empty());
    (lines, last)
}

fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    let mut f = file;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// The last complete line of the log that reads as a record. Reads the log
/// backwards from the end, so normally only its last line.
fn last_record(file: &File, size: u64) -> io::Result<Option<Record>> {
    let mut window: u64 = 16 * 1024;
    loop {
        let start = size.saturating_sub(window);
        let len = usize::try_from(size - start)
            .map_err(|_| io::Error::other("the audit log is too large to read"))?;
        let mut buf = vec![0u8; len];
        read_at(file, start, &mut buf)?;
        let (lines, _fragment) = split_lines(&buf);
        // Unless the window reaches the start, its first line may be cut.
        let skip = usize::from(start > 0);
        for line in lines.iter().skip(skip).rev() {
            if let Ok(record) = parse_line(line) {
                return Ok(Some(record));
            }
        }
        if start == 0 {
            return Ok(None);
        }
        window = window.saturating_mul(4);
    }
}

fn open_for_append(path: &Path) -> Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).append(true).create(true);
    private_mode(&mut opts);
    opts.open(path)
        .map_err(|e| Error::io(t!("ops-doing-opening-audit"), path, e))
}

pub(super) fn append(home: &Path, event: &Event) -> Result<Record> {
    let dir = crate::layout::private_dir(home);
    crate::fsutil::private_dir(&dir)?;
    let path = dir.join(LOG_FILE);
    let created = !path.exists();
    let mut file = open_for_append(&path)?;
    // Held until `file` is dropped: one appender at a time, across processes.
    file.lock()
        .map_err(|e| Error::io(t!("ops-doing-locking-audit"), &path, e))?;
    let io_err = |what: Text, e: io::Error| Error::io(what, &path, e);

    let mut size = file
        .metadata()
        .map_err(|e| io_err(t!("ops-doing-reading-audit"), e))?
        .len();
    if size > 0 {
        let mut last = [0u8; 1];
        read_at(&file, size - 1, &mut last)
            .map_err(|e| io_err(t!("ops-doing-reading-audit"), e))?;
        if last[0] != b'\n' {
            // An incomplete last line (a write cut short). Close it, so it
            // stays in the log as a line of its own for `verify` to report,
            // and the new record starts on a fresh line.
            file.write_all(b"\n")
                .and_then(|()| file.sync_data())
                .map_err(|e| io_err(t!("ops-doing-repairing-audit-end"), e))?;
            size += 1;
        }
    }

    // The record to chain from. The head file is authoritative, so that a
    // log cut short or a changed last entry stays visible after this
    // append; only a head that lags behind the log (an append interrupted
    // between its two writes) gives way to the log's last record.
    let head = match read_head(&dir.join(HEAD_FILE))? {
        HeadState::Present(h) => Some(h),
        HeadState::Missing | HeadState::Unreadable(_) => None,
    };
    let last = last_record(&file, size).map_err(|e| io_err(t!("ops-doing-reading-audit"), e))?;
    let (prev_seq, prev) = match (head, last) {
        (Some(h), Some(l)) if l.seq > h.seq => (l.seq, l.hash),
        (Some(h), _) => (h.seq, h.hash),
        (None, Some(l)) => (l.seq, l.hash),
        (None, None) => (0, GENESIS.to_string()),
    };
    let seq = prev_seq.checked_add(1).ok_or_else(|| {
        Error::new(
            Kind::Corrupted,
            t!("ops-audit-seq-overflow"),
            t!("ops-audit-seq-overflow-advice"),
        )
        .at(&path)
    })?;

    let mut record = Record {
        seq,
        time: format!("{:.3}", jiff::Timestamp::now()),
        event: event.clone(),
        prev,
        hash: String::new(),
    };
    record.hash = record.compute_hash();
    let mut line = encode(&record);
    line.push(b'\n');
    if let Err(e) = file.write_all(&line) {
        // Take back our own partial line (we hold the lock), so that it
        // cannot break the next append.
        let _ = file.set_len(size);
        return Err(io_err(t!("ops-doing-writing-audit"), e));
    }
    file.sync_data()
        .map_err(|e| io_err(t!("ops-doing-flushing-audit"), e))?;
    if created {
        sync_dir(&dir)?;
    }
    write_head(
        &dir,
        &Head {
            seq,
            hash: record.hash.clone(),
        },
    )?;
    drop(file);
    Ok(record)
}

/// Opens the log shared-locked (appends wait) and reads it; `None` when
/// there is no log. `then` runs while the lock is held.
fn with_log<T>(path: &Path, then: impl FnOnce(Option<Vec<u8>>) -> Result<T>) -> Result<T> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return then(None),
        Err(e) => return Err(Error::io(t!("ops-doing-opening-audit"), path, e)),
    };
    file.lock_shared()
        .map_err(|e| Error::io(t!("ops-doing-locking-audit"), path, e))?;
    let mut bytes = Vec::new();
    (&file)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(t!("ops-doing-reading-audit"), path, e))?;
    let out = then(Some(bytes));
    drop(file);
    out
}

fn damaged(path: &Path, what: Text) -> Error {
    Error::new(
        Kind::Corrupted,
        t!("ops-audit-damaged", what = what),
        t!("ops-audit-damaged-advice"),
    )
    .at(path)
}

pub(super) fn read(home: &Path) -> Result<Vec<Record>> {
    let path = super::log_path(home);
    let bytes = with_log(&path, Ok)?;
    let Some(bytes) = bytes else {
        return Ok(Vec::new());
    };
    let (lines, fragment) = split_lines(&bytes);
    let mut records = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let record = parse_line(line).map_err(|why| {
            damaged(
                &path,
                t!(
                    "ops-audit-line-unreadable",
                    line = (i + 1).to_string(),
                    why = why
                ),
            )
        })?;
        records.push(record);
    }
    if fragment.is_some() {
        return Err(damaged(
            &path,
            t!("ops-audit-line-cut", line = (lines.len() + 1).to_string()),
        ));
    }
    Ok(records)
}

/// The log's bytes (`None` if there is no log) and the head file, read
/// together under a shared lock so that no append is half-way.
pub(super) fn load_for_verify(home: &Path) -> Result<(Option<Vec<u8>>, HeadState)> {
    let head = super::head_path(home);
    with_log(&super::log_path(home), |bytes| {
        Ok((bytes, read_head(&head)?))
    })
}

/// The last record's sequence number and hash, from the head file; `None`
/// when there is none or it cannot be read.
pub(super) fn head(home: &Path) -> Result<Option<(u64, String)>> {
    Ok(match read_head(&super::head_path(home))? {
        HeadState::Present(h) => Some((h.seq, h.hash)),
        HeadState::Missing | HeadState::Unreadable(_) => None,
    })
}
