//! The manifest: what a backup holds, sealed inside the payload (and
//! repeated, encrypted the same way, at the end of the container so that
//! `show` and a restore's plan can read it without decrypting the payload).

use crate::error::{Error, Result};
pub use crate::kinds::EntryKind;
use crate::metadata::Sealed;
use carevault_i18n::{t, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::limits::{MAX_COMPONENT_BYTES, MAX_DATA_BYTES, MAX_PATH_BYTES};
pub use crate::limits::{MAX_ENTRIES, MAX_MANIFEST_BYTES};

/// Name of the manifest inside the payload.
pub const MANIFEST_NAME: &str = "manifest.json";
/// Name of the checksum list inside the payload (`sha256sum -c` reads it).
pub const SUMS_NAME: &str = "SHA256SUMS";

/// One file of the clinic data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Path inside the payload, always under `data/`.
    pub path: String,
    /// `sqlite` (a database snapshot) or `file` (any other kind is
    /// restored as a plain file).
    pub kind: EntryKind,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// For databases: the journal mode of the live database (`wal`, `delete`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_mode: Option<String>,
    /// For databases: rows per table at the snapshot instant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub row_counts: BTreeMap<String, u64>,
    /// For databases: what `PRAGMA integrity_check` said of the pinned
    /// snapshot during the backup (`ok`, or its report). Absent when the
    /// check did not run to its end (and in backups older than the field):
    /// a restore then runs the whole check itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_check: Option<String>,
}

impl Entry {
    /// The backup's own `integrity_check` of this database passed.
    pub fn sealed_check_ok(&self) -> bool {
        self.integrity_check.as_deref() == Some("ok")
    }
}

/// The app settings a restore report compares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSettings {
    /// Realm the app synchronises with.
    pub realm: String,
    /// Sync endpoint URL.
    pub sync_endpoint: String,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Copy of the sealed readable metadata.
    pub metadata: Sealed,
    /// Every entry of the payload except the manifest and checksum list.
    pub entries: Vec<Entry>,
    /// Realm and endpoint at backup time.
    pub settings: AppSettings,
    /// Milliseconds the write barrier was held to open the snapshot.
    pub snapshot_barrier_ms: f64,
}

impl Manifest {
    /// Serialises as pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v)
            .expect("a manifest serialises into memory");
        v
    }

    /// Writes [`Manifest::to_bytes`] into `w` without building it (a
    /// manifest may list 200,000 entries). Wrap `w` in a buffer: the JSON
    /// is written a token at a time.
    pub fn write_to(&self, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self).map_err(io::Error::other)?;
        w.write_all(b"\n")
    }

    /// Length in bytes of [`Manifest::to_bytes`].
    pub fn encoded_len(&self) -> u64 {
        let mut n = ByteCount(0);
        self.write_to(&mut n).expect("a manifest serialises");
        n.0
    }

    /// Parses and validates a manifest.
    pub fn parse(bytes: &[u8]) -> Result<Manifest> {
        let mut m: Manifest = serde_json::from_slice(bytes).map_err(|e| {
            if sealed_time_unreadable(bytes) {
                sealed_mismatch()
            } else {
                Error::Corrupted(t!("core-manifest-unreadable")).because(e)
            }
        })?;
        // The list grew by doubling while it was read: give the slack back.
        m.entries.shrink_to_fit();
        if m.entries.len() > MAX_ENTRIES {
            return Err(Error::Unsafe(t!(
                "core-manifest-too-many-entries",
                count = m.entries.len(),
                max = MAX_ENTRIES
            )));
        }
        let mut seen = std::collections::HashSet::new();
        let all: std::collections::HashSet<&str> =
            m.entries.iter().map(|e| e.path.as_str()).collect();
        for e in &m.entries {
            // A listed path that is also the folder of another cannot be restored.
            let mut p = e.path.as_str();
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                if all.contains(p) {
                    return Err(Error::Unsafe(t!(
                        "core-manifest-file-and-folder",
                        path = format!("{p:?}")
                    )));
                }
            }
            check_entry_path(&e.path)?;
            // A database's side file restored beside it would change the
            // database after every check (a WAL replayed, a hot journal
            // rolled back): carevault never stores one, so none is accepted.
            if let Some(base) = side_file_base(&e.path).filter(|b| all.contains(b)) {
                return Err(Error::Unsafe(t!(
                    "core-manifest-side-file",
                    path = format!("{:?}", e.path),
                    base = format!("{base:?}")
                )));
            }
            if !seen.insert(e.path.as_str()) {
                return Err(Error::Unsafe(t!("core-manifest-twice", path = &e.path)));
            }
            // A database cannot hold more rows than it has bytes.
            let rows = e
                .row_counts
                .values()
                .fold(0u64, |t, n| t.saturating_add(*n));
            if rows > e.size {
                return Err(Error::Unsafe(t!(
                    "core-manifest-rows-exceed-size",
                    rows = rows,
                    size = e.size,
                    path = &e.path
                )));
            }
            // Either case, as `sha256sum -c` accepts.
            if e.sha256.len() != 64 || !e.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::Corrupted(t!(
                    "core-manifest-bad-checksum",
                    path = &e.path
                )));
            }
        }
        if m.total_size() > MAX_DATA_BYTES {
            return Err(Error::Unsafe(t!(
                "core-manifest-too-much-data",
                size = m.total_size(),
                max = MAX_DATA_BYTES
            )));
        }
        Ok(m)
    }

    /// Checks a manifest the writer is about to seal against the limits a
    /// reader applies: a backup that its own reader would refuse is never
    /// reported as made.
    pub fn check_writable(&self) -> Result<()> {
        let refuse = |what: Text| Err(Error::Unstorable(what));
        if self.entries.len() > MAX_ENTRIES {
            return refuse(t!(
                "core-data-too-many-files",
                count = self.entries.len(),
                max = MAX_ENTRIES
            ));
        }
        if self.total_size() > MAX_DATA_BYTES {
            return refuse(t!(
                "core-data-too-many-bytes",
                size = self.total_size(),
                max = MAX_DATA_BYTES
            ));
        }
        // As stored: encrypted, the copy grows by age's header and a
        // 16-byte tag per 64 KiB chunk.
        let plain = self.encoded_len();
        if plain + plain / 65_536 * 16 + 16 + 4096 > MAX_MANIFEST_BYTES {
            return refuse(t!("core-data-list-too-long", max = MAX_MANIFEST_BYTES));
        }
        for e in &self.entries {
            // Worded as a reader's refusal of it would be.
            if let Some(why) = path_problem(&e.path) {
                return refuse(t!("core-unsafe-archive", what = why));
            }
        }
        Ok(())
    }

    /// The entry at `path`, if listed.
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// Total bytes of all entries (what a restore writes).
    pub fn total_size(&self) -> u64 {
        self.entries
            .iter()
            .fold(0u64, |t, e| t.saturating_add(e.size))
    }

    /// Rows of `table` summed over every database that has it.
    pub fn rows(&self, table: &str) -> Option<u64> {
        let mut found = None;
        for e in &self.entries {
            if let Some(n) = e.row_counts.get(table) {
                let f = found.get_or_insert(0u64);
                *f = f.saturating_add(*n);
            }
        }
        found
    }

    /// The checksum list in `sha256sum` format, for the entries.
    pub fn sums(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.sums_len() as usize);
        self.write_sums(&mut out).expect("writing into memory");
        out
    }

    /// Length in bytes of [`Manifest::sums`].
    pub fn sums_len(&self) -> u64 {
        self.entries
            .iter()
            .map(|e| (e.sha256.len() + e.path.len() + 3) as u64)
            .sum()
    }

    /// Writes the text of [`Manifest::sums`] into `w` without building it.
    pub fn write_sums(&self, w: &mut dyn Write) -> io::Result<()> {
        for e in &self.entries {
            w.write_all(e.sha256.as_bytes())?;
            w.write_all(b"  ")?;
            w.write_all(e.path.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// The path `p` names a SQLite side file of (`-wal`, `-shm`, `-journal`).
pub fn side_file_base(p: &str) -> Option<&str> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .find_map(|s| p.strip_suffix(s))
}

/// A payload path is accepted only if it is relative, under `data/`, made of
/// plain UTF-8 components with no `.`/`..`, no backslash, no control characters.
pub fn check_entry_path(path: &str) -> Result<()> {
    match path_problem(path) {
        Some(why) => Err(Error::Unsafe(why)),
        None => Ok(()),
    }
}

/// What is wrong with a payload path, if anything.
fn path_problem(path: &str) -> Option<Text> {
    let refuse = |why: Text| {
        Some(t!(
            "core-path-refused",
            path = format!("{path:?}"),
            why = why
        ))
    };
    if path.len() > MAX_PATH_BYTES {
        return refuse(t!("core-path-too-long"));
    }
    if !path.starts_with("data/") {
        return refuse(t!("core-path-outside-data"));
    }
    if path.chars().any(|c| c.is_control() || c == '\\') {
        return refuse(t!("core-path-control-char"));
    }
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." || comp == ".." {
            return refuse(t!("core-path-dot-component"));
        }
        if comp.len() > MAX_COMPONENT_BYTES {
            return refuse(t!("core-path-component-too-long"));
        }
    }
    None
}

/// Guard used by readers: the manifest and the readable metadata must agree.
pub fn check_sealed(readable: &Sealed, manifest: &Manifest) -> Result<()> {
    if readable != &manifest.metadata {
        return Err(sealed_mismatch());
    }
    Ok(())
}

fn sealed_mismatch() -> Error {
    Error::Tampered {
        message: t!("core-sealed-mismatch"),
        advice: t!("core-sealed-mismatch-advice"),
    }
}

/// The manifest's copy of `created_at` is a string that does not parse:
/// the readable one parsed (it is read first), so the copies cannot
/// agree. This was found as a mismatch of the sealed details when the
/// time was a string compared as such, and is still reported so.
fn sealed_time_unreadable(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Peek {
        metadata: PeekSealed,
    }
    #[derive(Deserialize)]
    struct PeekSealed {
        created_at: String,
    }
    serde_json::from_slice::<Peek>(bytes).is_ok_and(|p| {
        p.metadata
            .created_at
            .parse::<crate::kinds::CreatedAt>()
            .is_err()
    })
}

/// A writer that only counts what it is given.
struct ByteCount(u64);

impl Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn sealed(created_at: &str) -> Value {
        json!({
            "format": "carevault-backup", "format_version": 1, "id": "t-1", "label": "l",
            "created_at": created_at, "created_by": "nurse", "location": "Public",
            "encrypted": false, "automatic": false, "app_version": "0.1.0", "facility": "X",
            "device": "Y", "payload": "payload.tar.zst"
        })
    }

    fn manifest(sealed: Value, kind: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "metadata": sealed,
            "entries": [{"path": "data/a", "kind": kind, "size": 1, "sha256": "a".repeat(64)}],
            "settings": {"realm": "r", "sync_endpoint": "e"}, "snapshot_barrier_ms": 0.0
        }))
        .unwrap()
    }

    fn readable(created_at: &str) -> Sealed {
        serde_json::from_value(sealed(created_at)).unwrap()
    }

    #[test]
    fn an_unknown_entry_kind_is_read_as_a_plain_file_and_kept() {
        let m = Manifest::parse(&manifest(sealed("2026-11-27T08:00:00Z"), "symlink")).unwrap();
        let e = &m.entries[0];
        assert_eq!(e.kind, EntryKind::Other("symlink".into()));
        assert!(!e.kind.is_database());
        let back: Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        assert_eq!(back["entries"][0]["kind"], "symlink");
        let m = Manifest::parse(&manifest(sealed("2026-11-27T08:00:00Z"), "sqlite")).unwrap();
        assert!(m.entries[0].kind.is_database());
    }

    #[test]
    fn an_edited_creation_time_is_a_sealed_mismatch() {
        let m = Manifest::parse(&manifest(sealed("2026-11-27T08:00:00Z"), "file")).unwrap();
        check_sealed(&readable("2026-11-27T08:00:00Z"), &m).unwrap();
        // Another instant, and the same instant spelled otherwise (a case
        // bit of the `T` or the `Z`, an offset), are all mismatches.
        for edited in [
            "2026-11-27T08:00:01Z",
            "2026-11-27t08:00:00Z",
            "2026-11-27T08:00:00z",
            "2026-11-27T10:00:00+02:00",
        ] {
            let e = check_sealed(&readable(edited), &m).unwrap_err();
            assert!(matches!(e, Error::Tampered { .. }), "{edited}: {e:?}");
        }
        // Spelled otherwise in both copies, they agree.
        let odd = "2026-11-27T08:00:00.500Z";
        let m = Manifest::parse(&manifest(sealed(odd), "file")).unwrap();
        check_sealed(&readable(odd), &m).unwrap();
    }

    #[test]
    fn an_unparsable_creation_time_in_the_manifest_is_a_sealed_mismatch() {
        match Manifest::parse(&manifest(sealed("2026-11-27T08:00:00"), "file")) {
            Err(Error::Tampered { message, .. }) => {
                assert_eq!(message.text(), t!("core-sealed-mismatch").text())
            }
            other => panic!("{other:?}"),
        }
        // Other damage is still an unreadable manifest.
        let mut bad = manifest(sealed("2026-11-27T08:00:00Z"), "file");
        bad.truncate(bad.len() - 1);
        match Manifest::parse(&bad) {
            Err(Error::Json(e, _)) => assert!(matches!(*e, Error::Corrupted(_)), "{e:?}"),
            other => panic!("{other:?}"),
        }
    }
}
