//! Opens a backup file and reads it back with every check applied: the
//! container layout, the readable metadata, the key slots, the manifest and
//! the sealed metadata copy, then the payload entry by entry.

use crate::archive::hashio::ExactHashReader;
use crate::archive::keys::{self, BackupKey, Unlock};
use crate::archive::pipe;
use crate::error::{corrupted, unsafe_archive, Error, Kind, Result};
use crate::format::container::{payload_sum_line, Extent, Layout, BLOCK};
use crate::format::entries::{EntryRules, Header};
use crate::format::limits::{
    MAX_AGE_HEADER_BYTES, MAX_MANIFEST_BYTES, MAX_PAYLOAD_SUM_BYTES, MAX_SLOT_BYTES, MAX_WINDOW_LOG,
};
use crate::format::manifest::{self, Entry, Manifest, MANIFEST_NAME, SUMS_NAME};
use crate::format::metadata::Metadata;
use crate::format::parser::{Parser, Step};
use crate::i18n::t;
use crate::Progress;
use sha2::Digest;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The age header of a part must end (with its `---` MAC line) within the
/// first 4 KiB: carevault writes about 200 bytes, and a longer header would
/// make the age parser work in quadratic time.
fn check_age_header(file: &mut File, ext: Extent) -> Result<()> {
    let n = ext.len.min(4096) as usize;
    let mut head = vec![0u8; n];
    file.seek(SeekFrom::Start(ext.offset))
        .and_then(|_| file.read_exact(&mut head))
        .map_err(|e| Error::io(t!("core-doing-reading-backup"), "", e))?;
    check_age_head_bytes(&head)
}

fn check_age_head_bytes(head: &[u8]) -> Result<()> {
    if head.windows(4).any(|w| w == b"\n---") {
        Ok(())
    } else {
        Err(corrupted(t!("core-age-header-too-long")))
    }
}

/// A backup file whose container and readable metadata have been checked.
pub struct Opened {
    path: PathBuf,
    file: File,
    /// Where each part lies.
    pub layout: Layout,
    /// The readable metadata.
    pub metadata: Metadata,
    slots: Vec<(String, Vec<u8>)>,
    /// File size in bytes.
    pub file_len: u64,
    /// The checked signature (format 1.1); `None`: unsigned (format 1.0).
    pub signed: Option<crate::provenance::Signed>,
}

pub(crate) fn read_extent(file: &mut File, ext: Extent) -> Result<Vec<u8>> {
    let mut v = vec![0u8; ext.len as usize];
    file.seek(SeekFrom::Start(ext.offset))
        .and_then(|_| file.read_exact(&mut v))
        .map_err(|e| Error::io(t!("core-doing-reading-backup"), "", e))?;
    Ok(v)
}

/// Finds the parts of the container, checking the order and the file
/// length: reads what the format's push parser asks for and seeks past
/// the entries' data (the rules themselves are `format::parser`'s).
pub fn read_layout(file: &mut File, file_len: u64) -> Result<Layout> {
    let io = |e| Error::io(t!("core-doing-reading-backup"), "", e);
    let mut parser = Parser::new(file_len);
    let mut step = parser.feed(&[])?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut buf = Vec::with_capacity(BLOCK as usize);
    loop {
        step = match step {
            Step::Need(n) => {
                buf.resize(n, 0);
                file.read_exact(&mut buf).map_err(io)?;
                parser.feed(&buf)?
            }
            Step::Skip(n) => {
                file.seek(SeekFrom::Start(parser.position() + n))
                    .map_err(io)?;
                parser.skip(n)?
            }
            Step::Done(layout) => return Ok(layout),
        }
    }
}

impl Opened {
    /// Opens `path`, reading only the container headers, metadata and key slots.
    pub fn open(path: &Path) -> Result<Opened> {
        let mut file = crate::fsutil::open_regular_following(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => Error::new(
                Kind::NotFound,
                t!("core-backup-not-found"),
                t!("core-backup-not-found-advice"),
            )
            .at(path),
            _ => Error::io(t!("core-doing-opening-backup"), path, e),
        })?;
        let file_len = file
            .metadata()
            .map_err(|e| Error::io(t!("core-doing-reading-backup-size"), path, e))?
            .len();
        let with_path = |e: Error| if e.path().is_none() { e.at(path) } else { e };
        let layout = read_layout(&mut file, file_len).map_err(with_path)?;
        let md_bytes = read_extent(&mut file, layout.metadata).map_err(with_path)?;
        let metadata = Metadata::parse_marked(&md_bytes, layout.version_mark)
            .map_err(|e| with_path(e.into()))?;
        if metadata.sealed.payload != layout.payload.0 {
            return Err(with_path(Error::new(
                Kind::Tampered,
                t!("core-details-payload-mismatch"),
                t!("core-tampered-advice"),
            )));
        }
        let mut slots = Vec::new();
        if metadata.key_slots.len() != layout.slots.len() {
            return Err(with_path(corrupted(t!("core-slots-mismatch"))));
        }
        for (slot, (name, ext)) in metadata.key_slots.iter().zip(&layout.slots) {
            if &slot.name != name || ext.len > MAX_SLOT_BYTES {
                return Err(with_path(corrupted(t!("core-slots-mismatch"))));
            }
            let bytes = read_extent(&mut file, *ext).map_err(with_path)?;
            if hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)) != slot.sha256 {
                return Err(with_path(corrupted(t!("core-slot-damaged", name = name))));
            }
            slots.push((name.clone(), bytes));
        }
        let signed =
            crate::provenance::read_origin(&mut file, &layout, &metadata).map_err(with_path)?;
        Ok(Opened {
            path: path.to_path_buf(),
            file,
            layout,
            metadata,
            slots,
            file_len,
            signed,
        })
    }

    /// The open file itself (a duplicate descriptor, sharing its offset):
    /// for copying parts of the very file that was checked, never of
    /// whatever is at the path by then.
    pub fn file(&self) -> Result<File> {
        self.file
            .try_clone()
            .map_err(|e| Error::io(t!("core-doing-reading-the-backup"), &self.path, e))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Key slot bytes, by entry name.
    pub fn slots(&self) -> &[(String, Vec<u8>)] {
        &self.slots
    }

    /// Unlocks the backup key; `Ok(None)` for an unencrypted backup.
    pub fn unlock(&self, how: Option<&Unlock>, max_log_n: u8) -> Result<Option<BackupKey>> {
        if !self.metadata.sealed.encrypted {
            return Ok(None);
        }
        let how = how.ok_or_else(|| {
            Error::new(
                Kind::WrongKey,
                t!("core-need-key"),
                t!("core-advice-need-key"),
            )
        })?;
        keys::unlock(&self.slots, how, max_log_n)
            .map(Some)
            .map_err(|e| e.at(&self.path))
    }

    /// [`Opened::unlock`], announcing the key derivation (scrypt, seconds
    /// with nothing to count) as its own phase when a passphrase is used.
    pub fn unlock_reporting(
        &self,
        how: Option<&Unlock>,
        max_log_n: u8,
        progress: &dyn Progress,
    ) -> Result<Option<BackupKey>> {
        if self.metadata.sealed.encrypted && matches!(how, Some(Unlock::Passphrase(_))) {
            progress.start(crate::Phase::KeyDerivation, 0);
        }
        self.unlock(how, max_log_n)
    }

    /// Reads the manifest copy at the end of the container and checks it
    /// against the readable metadata. Returns it with the length and
    /// SHA-256 of its exact bytes (the sealed copy inside the payload must
    /// match them; the bytes themselves are not kept).
    pub fn manifest(&mut self, key: Option<&BackupKey>) -> Result<(Manifest, ManifestCopy)> {
        let raw = read_extent(&mut self.file, self.layout.manifest.1)?;
        if let Some(s) = &self.signed {
            s.check_manifest(&raw).map_err(|e| e.at(&self.path))?;
        }
        let bytes = match key {
            Some(k) => {
                check_age_head_bytes(&raw[..raw.len().min(MAX_AGE_HEADER_BYTES)])?;
                let plain = keys::open_sealed(&raw, k.identity(), MAX_MANIFEST_BYTES)
                    .map_err(damaged_if_wrong_key)?;
                drop(raw);
                plain
            }
            None => raw,
        };
        let copy = ManifestCopy {
            len: bytes.len() as u64,
            sha256: sha2::Sha256::digest(&bytes).into(),
        };
        let m = Manifest::parse(&bytes).map_err(|e| Error::from(e).at(&self.path))?;
        drop(bytes);
        manifest::check_sealed(&self.metadata.sealed, &m)
            .map_err(|e| Error::from(e).at(&self.path))?;
        Ok((m, copy))
    }

    /// Streams the payload, handing each data entry to `sink` and checking
    /// every byte: entry types, names, sizes and hashes against the
    /// manifest, the inner manifest against the outer copy, the checksum
    /// list, the end of the stream and (encrypted) every chunk's MAC.
    pub fn stream(
        &mut self,
        key: Option<&BackupKey>,
        manifest: &Manifest,
        copy: &ManifestCopy,
        sink: &mut dyn EntrySink,
        progress: &dyn Progress,
    ) -> Result<()> {
        let path = self.path.clone();
        self.stream_inner(key, manifest, copy, sink, progress)
            .map_err(|e| if e.path().is_none() { e.at(&path) } else { e })
    }

    fn stream_inner(
        &mut self,
        key: Option<&BackupKey>,
        manifest: &Manifest,
        copy: &ManifestCopy,
        sink: &mut dyn EntrySink,
        progress: &dyn Progress,
    ) -> Result<()> {
        let ext = self.layout.payload.1;
        if key.is_some() {
            check_age_header(&mut self.file, ext)?;
        }
        let expected_sum = read_extent(&mut self.file, self.layout.payload_sum)?;
        if expected_sum.len() as u64 > MAX_PAYLOAD_SUM_BYTES {
            return Err(corrupted(t!("core-payload-sum-too-large")));
        }
        self.file
            .seek(SeekFrom::Start(ext.offset))
            .map_err(|e| Error::io(t!("core-doing-reading-backup"), "", e))?;
        let hasher = std::sync::Mutex::new(sha2::Sha256::new());
        let raw = SourceReader {
            inner: BufReader::with_capacity(256 * 1024, (&self.file).take(ext.len)),
            hasher: &hasher,
        };
        let plain: Box<dyn Read + Send + '_> = match key {
            Some(k) => {
                let dec = age::Decryptor::new(raw)
                    .map_err(keys::map_decrypt_error)
                    .map_err(damaged_if_wrong_key)?;
                let r = dec
                    .decrypt(std::iter::once(k.identity() as &dyn age::Identity))
                    .map_err(keys::map_decrypt_error)
                    .map_err(damaged_if_wrong_key)?;
                Box::new(r)
            }
            None => Box::new(raw),
        };
        // Three stages on three threads: reading, hashing and decrypting
        // the stored bytes; decompressing; and (here) the entries' checks.
        std::thread::scope(|s| {
            let decrypted = pipe::spawn(s, plain);
            let mut zdec =
                zstd::stream::read::Decoder::with_buffer(decrypted).map_err(stream_error)?;
            zdec.window_log_max(MAX_WINDOW_LOG).map_err(stream_error)?;
            let tar_bytes = pipe::spawn(s, zdec);
            check_entries(tar_bytes, manifest, copy, sink, progress)
        })?;
        let hasher = hasher.into_inner().unwrap_or_else(|p| p.into_inner());
        let digest = hex::encode(hasher.finalize());
        if payload_sum_line(&digest, &self.layout.payload.0).as_bytes() != expected_sum.as_slice() {
            return Err(corrupted(t!("core-payload-sum-mismatch")));
        }
        Ok(())
    }
}

/// Reads the decompressed payload (a tar stream) entry by entry, checking
/// each against the manifest and handing it to `sink`, then the end of the
/// stream.
fn check_entries(
    tar_bytes: impl Read,
    manifest: &Manifest,
    copy: &ManifestCopy,
    sink: &mut dyn EntrySink,
    progress: &dyn Progress,
) -> Result<()> {
    let mut archive = tar::Archive::new(tar_bytes);
    progress.start(crate::Phase::Read, manifest.total_size());
    let mut seen: HashSet<&str> = HashSet::with_capacity(manifest.entries.len());
    let listed: std::collections::HashMap<&str, &Entry> = manifest
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    let (mut saw_manifest, mut saw_sums) = (false, false);
    // Raw entries: the format's entry rules decide on each header (GNU
    // long names and PAX headers within their caps, the name, the type);
    // the extensions' data is read here and handed to them.
    let mut rules = EntryRules::new();
    for item in archive.entries().map_err(stream_error)?.raw(true) {
        let mut entry = item.map_err(stream_error)?;
        let (name, size) = match rules.header(entry.header())? {
            Header::Extension { size } => {
                let mut buf = Vec::with_capacity(size as usize);
                (&mut entry)
                    .take(size)
                    .read_to_end(&mut buf)
                    .map_err(stream_error)?;
                rules.extension(buf)?;
                continue;
            }
            Header::Entry { name, size } => (name, size),
        };
        if name == MANIFEST_NAME || name == SUMS_NAME {
            let seen_before = if name == MANIFEST_NAME {
                std::mem::replace(&mut saw_manifest, true)
            } else {
                std::mem::replace(&mut saw_sums, true)
            };
            if seen_before {
                return Err(unsafe_archive(t!(
                    "core-entry-twice",
                    name = format!("{name:?}")
                )));
            }
            let expected = if name == MANIFEST_NAME {
                copy.clone()
            } else {
                let mut h = sha2::Sha256::new();
                manifest.write_sums(&mut h).map_err(stream_error)?;
                ManifestCopy {
                    len: manifest.sums_len(),
                    sha256: h.finalize().into(),
                }
            };
            if size != expected.len || digest_of(&mut entry)? != expected {
                return Err(corrupted(t!("core-sealed-copy-differs", name = &name)));
            }
            continue;
        }
        manifest::check_entry_path(&name)?;
        let Some(listed) = listed.get(name.as_str()).copied() else {
            return Err(unsafe_archive(t!(
                "core-entry-not-listed",
                name = format!("{name:?}")
            )));
        };
        if !seen.insert(listed.path.as_str()) {
            return Err(unsafe_archive(t!(
                "core-entry-twice",
                name = format!("{name:?}")
            )));
        }
        if size != listed.size {
            return Err(unsafe_archive(t!(
                "core-entry-size-mismatch",
                name = format!("{name:?}"),
                size = size,
                listed = listed.size
            )));
        }
        let mut reader = ExactHashReader::new(&mut entry, size, progress);
        sink.entry(listed, &mut reader)?;
        io::copy(&mut reader, &mut io::sink()).map_err(stream_error)?;
        if !hex::encode(reader.digest()).eq_ignore_ascii_case(&listed.sha256) {
            return Err(corrupted(t!("core-entry-sum-mismatch", name = &name)));
        }
    }
    if !saw_manifest || !saw_sums {
        return Err(corrupted(t!("core-no-sealed-manifest")));
    }
    if let Some(missing) = manifest
        .entries
        .iter()
        .find(|e| !seen.contains(e.path.as_str()))
    {
        return Err(corrupted(t!("core-entry-missing", name = &missing.path)));
    }
    // Read to the very end: the rest must be zero padding, and reading
    // it makes zstd check its frame checksum and age its final chunk.
    let mut rest = archive.into_inner();
    let mut buf = [0u8; 8192];
    loop {
        let n = rest.read(&mut buf).map_err(stream_error)?;
        if n == 0 {
            break;
        }
        rules.trailing(&buf[..n])?;
    }
    drop(rest);
    Ok(())
}

/// The length and SHA-256 of a manifest copy (or of the checksum list),
/// which the sealed copy inside the payload must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestCopy {
    /// Length in bytes.
    pub len: u64,
    /// SHA-256 of the bytes.
    pub sha256: [u8; 32],
}

/// Reads `r` to its end: the length and SHA-256 of what it held.
fn digest_of(r: &mut impl Read) -> Result<ManifestCopy> {
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut len = 0u64;
    loop {
        let n = r.read(&mut buf).map_err(stream_error)?;
        if n == 0 {
            return Ok(ManifestCopy {
                len,
                sha256: h.finalize().into(),
            });
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
}

/// Receives each verified-so-far entry of a payload.
pub trait EntrySink {
    /// Consumes the entry's bytes (it may stop early: the rest is drained
    /// and hashed anyway). The entry counts as good only once the whole
    /// stream has been checked.
    fn entry(&mut self, entry: &Entry, data: &mut dyn Read) -> Result<()>;
}

/// A sink that only reads (for verify).
pub struct Discard;

impl EntrySink for Discard {
    fn entry(&mut self, _entry: &Entry, _data: &mut dyn Read) -> Result<()> {
        Ok(())
    }
}

/// Marks errors that come from reading the file itself, so that they are
/// reported as I/O problems rather than as damage.
#[derive(Debug)]
struct SourceIo(io::Error);
impl std::fmt::Display for SourceIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
impl std::error::Error for SourceIo {}

/// Reads the stored payload, hashing it and tagging its I/O errors.
struct SourceReader<'h, R> {
    inner: R,
    hasher: &'h std::sync::Mutex<sha2::Sha256>,
}
impl<R: Read> Read for SourceReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self
            .inner
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), SourceIo(e)))?;
        self.hasher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .update(&buf[..n]);
        Ok(n)
    }
}

/// Once a key slot has yielded the backup key, a part that the key does not
/// open is damaged: the user's passphrase was right.
fn damaged_if_wrong_key(e: Error) -> Error {
    // An age header that names an unknown version is damage too: the
    // readable details (checked first) say which format wrote the file.
    if matches!(e.kind(), Kind::WrongKey | Kind::UnsupportedVersion) {
        corrupted(t!("core-part-header-damaged"))
    } else {
        e
    }
}

/// Classifies an error raised while decoding the payload stream.
fn stream_error(e: io::Error) -> Error {
    if let Some(src) = e.get_ref().and_then(|r| r.downcast_ref::<SourceIo>()) {
        return Error::io(
            t!("core-doing-reading-backup"),
            "",
            io::Error::new(src.0.kind(), src.0.to_string()),
        );
    }
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return corrupted(t!("core-payload-ends-early"));
    }
    corrupted(t!(
        "core-payload-fails-checks",
        err = crate::error::io_words(&e)
    ))
}
