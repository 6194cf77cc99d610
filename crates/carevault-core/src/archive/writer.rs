//! Writes a backup file: the outer container around a payload stream of
//! tar -> zstd -> age, with fixed buffers and no temporary copies.

use crate::archive::hashio::ExactHashReader;
use crate::archive::pipe;
use crate::archive::snapcheck;
use crate::error::{Error, Kind, Result};
use crate::format::container::{
    header_block, padded, payload_sum_line, BLOCK, MANIFEST_COPY_AGE_NAME, METADATA_NAME,
    PAYLOAD_SUM_NAME,
};
use crate::format::manifest::{AppSettings, Entry, EntryKind, Manifest, MANIFEST_NAME, SUMS_NAME};
use crate::format::metadata::Metadata;
use crate::i18n::t;
use crate::snapshot::DbSnapshot;
use crate::Progress;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

/// A regular file of the clinic data to store: it is on disk at
/// `ContainerPlan::home` joined with its entry path (only the entry path is
/// kept: a backup of 200,000 files plans them all before it starts).
#[derive(Debug, Clone)]
pub struct FileSource {
    /// Path inside the payload (`data/...`), relative to the app home.
    pub entry_path: String,
    /// Size when the backup was planned.
    pub size: u64,
}

/// Compression settings.
#[derive(Debug, Clone, Copy)]
pub struct Compression {
    /// zstd level (3 by default).
    pub level: i32,
    /// zstd worker threads (0 = compress on the calling thread).
    pub workers: u32,
}

impl Default for Compression {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        Compression {
            level: 3,
            workers: cores.clamp(1, 4),
        }
    }
}

/// Turns an error from the payload pipeline into a carevault error.
pub fn sink_error(e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(_) => Error::io(t!("core-doing-writing-backup"), "", e),
        None => Error::new(
            Kind::Io,
            t!("core-write-failed", err = crate::error::io_words(&e)),
            t!("core-write-failed-advice"),
        ),
    }
}

/// Writes `manifest` into `w` encrypted to `r`. age reports a failed
/// write in words of its own: the system's error (a full disk...) is kept
/// and returned instead, so it is reported as such.
fn seal_manifest<W: Write>(
    w: &mut W,
    r: &age::x25519::Recipient,
    manifest: &Manifest,
) -> io::Result<()> {
    let mut kept = KeepOsError {
        inner: w,
        code: None,
    };
    let mut sealed = || {
        let enc = age::Encryptor::with_recipients(std::iter::once(r as &dyn age::Recipient))
            .map_err(|e| io::Error::other(e.to_string()))?;
        let mut sealed = enc.wrap_output(&mut kept)?;
        let mut buffered = BufWriter::with_capacity(64 * 1024, &mut sealed);
        manifest.write_to(&mut buffered)?;
        buffered.flush()?;
        drop(buffered);
        sealed.finish().map(drop)
    };
    let result = sealed();
    match (result, kept.code) {
        (Err(_), Some(code)) => Err(io::Error::from_raw_os_error(code)),
        (r, _) => r,
    }
}

/// Remembers the system error code of a failed write.
struct KeepOsError<W> {
    inner: W,
    code: Option<i32>,
}

impl<W: Write> Write for KeepOsError<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.code = self.code.or(e.raw_os_error());
        })
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| {
            self.code = self.code.or(e.raw_os_error());
        })
    }
}

/// Counts what is written through it.
struct CountWriter<W> {
    inner: W,
    count: u64,
}

impl<W: Write> CountWriter<W> {
    fn new(inner: W) -> Self {
        CountWriter { inner, count: 0 }
    }
}

impl<W: Write> Write for CountWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes everything written through it (the payload's bytes as stored).
struct HashWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: Write> HashWriter<W> {
    fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: <sha2::Sha256 as sha2::Digest>::new(),
        }
    }
    fn finish(self) -> (W, [u8; 32]) {
        (self.inner, sha2::Digest::finalize(self.hasher).into())
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

enum Sealer<W: Write> {
    Age(age::stream::StreamWriter<W>),
    Plain(W),
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sealer::Age(w) => w.write(buf),
            Sealer::Plain(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sealer::Age(w) => w.flush(),
            Sealer::Plain(w) => w.flush(),
        }
    }
}

impl<W: Write> Sealer<W> {
    fn new(inner: W, to: Option<&age::x25519::Recipient>) -> io::Result<Self> {
        match to {
            None => Ok(Sealer::Plain(inner)),
            Some(r) => {
                let enc =
                    age::Encryptor::with_recipients(std::iter::once(r as &dyn age::Recipient))
                        .map_err(|e| io::Error::other(e.to_string()))?;
                Ok(Sealer::Age(enc.wrap_output(inner)?))
            }
        }
    }
    fn finish(self) -> io::Result<W> {
        match self {
            Sealer::Age(w) => w.finish(),
            Sealer::Plain(w) => Ok(w),
        }
    }
}

/// Everything a container needs besides the data.
pub struct ContainerPlan<'a> {
    /// The app home the files' entry paths are relative to.
    pub home: &'a Path,
    /// The readable metadata (with its key slots filled in).
    pub metadata: &'a Metadata,
    /// Key slot entries, in order.
    pub slots: &'a [(String, Vec<u8>)],
    /// The backup key's public half (None: unencrypted).
    pub recipient: Option<&'a age::x25519::Recipient>,
    /// Realm and endpoint for the manifest.
    pub settings: AppSettings,
    /// How long the write barrier was held.
    pub barrier_ms: f64,
    /// Entry mtime (creation time, seconds since the epoch).
    pub mtime: u64,
    /// Compression.
    pub compression: Compression,
}

/// Writes one complete container entry: header, data, zero padding.
pub fn write_entry(out: &mut impl Write, name: &str, data: &[u8], mtime: u64) -> Result<()> {
    out.write_all(&header_block(name, data.len() as u64, mtime)?)
        .map_err(sink_error)?;
    out.write_all(data).map_err(sink_error)?;
    let pad = (padded(data.len() as u64) - data.len() as u64) as usize;
    out.write_all(&[0u8; 512][..pad]).map_err(sink_error)
}

/// Writes one container entry whose length is known only once `data` has
/// written it: a placeholder header, the data, the padding, then the real
/// header in the placeholder's place.
fn write_entry_streamed<W: Write + Seek>(
    out: &mut W,
    name: &str,
    mtime: u64,
    data: impl FnOnce(&mut W) -> io::Result<()>,
) -> Result<()> {
    let header_at = out.stream_position().map_err(sink_error)?;
    out.write_all(&[0u8; BLOCK as usize]).map_err(sink_error)?;
    data(out).map_err(sink_error)?;
    let len = out.stream_position().map_err(sink_error)? - header_at - BLOCK;
    let pad = (padded(len) - len) as usize;
    out.write_all(&[0u8; 512][..pad]).map_err(sink_error)?;
    out.seek(SeekFrom::Start(header_at)).map_err(sink_error)?;
    out.write_all(&header_block(name, len, mtime)?)
        .map_err(sink_error)?;
    out.seek(SeekFrom::End(0)).map_err(sink_error)?;
    Ok(())
}

/// Writes the container's head again, in place: the readable metadata and
/// the key slots, which must have the lengths they had when the container
/// was written (a slot computed while the payload streamed replaces its
/// placeholder, and the metadata its checksum).
pub fn rewrite_head<W: Write + Seek>(
    out: &mut W,
    metadata: &Metadata,
    slots: &[(String, Vec<u8>)],
    mtime: u64,
    head_len: u64,
) -> Result<()> {
    let md = metadata.to_bytes();
    let len = BLOCK
        + padded(md.len() as u64)
        + slots
            .iter()
            .map(|(_, b)| BLOCK + padded(b.len() as u64))
            .sum::<u64>();
    if len != head_len {
        return Err(Error::internal(t!(
            "core-head-length-changed",
            before = head_len,
            after = len
        )));
    }
    out.seek(SeekFrom::Start(0)).map_err(sink_error)?;
    write_entry(out, METADATA_NAME, &md, mtime)?;
    for (name, bytes) in slots {
        write_entry(out, name, bytes, mtime)?;
    }
    out.seek(SeekFrom::End(0)).map_err(sink_error)?;
    Ok(())
}

/// Writes the payload's plaintext stream (tar entries, zstd-compressed)
/// into `pipe`; returns the manifest and its bytes.
fn stream_payload(
    pipe: pipe::PipeWriter,
    plan: &ContainerPlan<'_>,
    dbs: &[DbSnapshot],
    files: Vec<FileSource>,
    progress: &dyn Progress,
) -> Result<Manifest> {
    let mut zenc =
        zstd::stream::write::Encoder::new(pipe, plan.compression.level).map_err(sink_error)?;
    zenc.include_checksum(true).map_err(sink_error)?;
    if plan.compression.workers > 0 {
        zenc.multithread(plan.compression.workers)
            .map_err(sink_error)?;
        // zstd's default job at level 3 is 8 MiB, and each worker holds its
        // input and output buffers: ~75 MiB at peak. 1 MiB jobs keep the
        // whole backup at 27-31 MiB from S to L for +0.12% of file size;
        // 512 KiB (zstd's smallest) saves 3 MiB more but costs 8% of the
        // time (BENCHMARKS.md).
        zenc.set_parameter(zstd::stream::raw::CParameter::JobSize(1 << 20))
            .map_err(sink_error)?;
    }
    let mut tar = tar::Builder::new(zenc);
    tar.mode(tar::HeaderMode::Deterministic);

    // Each database's integrity_check runs on the checking thread once its
    // pages are stored, while the rest streams (snapcheck.rs); encrypted
    // backups only, the ones whose sealed verdict a restore relies on.
    let check = plan.recipient.is_some();
    let (mut entries, verdicts) = snapcheck::with_checks(dbs, check, |checks| {
        let mut entries = Vec::with_capacity(dbs.len() + files.len());
        for (index, db) in dbs.iter().enumerate() {
            let w = tar.get_mut();
            let mut h = gnu_header_for(w, &db.entry_path)?;
            h.set_size(db.size());
            h.set_mode(0o644);
            h.set_mtime(plan.mtime);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_cksum();
            w.write_all(h.as_bytes()).map_err(sink_error)?;
            let digest = db.stream(w, progress)?;
            checks.submit(index);
            let pad = (padded(db.size()) - db.size()) as usize;
            w.write_all(&[0u8; 512][..pad]).map_err(sink_error)?;
            entries.push(Entry {
                path: db.entry_path.clone(),
                kind: EntryKind::Sqlite,
                size: db.size(),
                sha256: hex::encode(digest),
                journal_mode: Some(db.journal_mode.clone()),
                row_counts: db.row_counts.clone(),
                integrity_check: None,
            });
        }
        for f in files {
            let path = plan.home.join(&f.entry_path);
            let file = File::open(&path)
                .map_err(|e| Error::io(t!("core-doing-opening-file-to-back-up"), &path, e))?;
            let mut reader = ExactHashReader::new(file, f.size, progress);
            let mut h = tar::Header::new_gnu();
            h.set_size(f.size);
            h.set_mode(0o644);
            h.set_mtime(plan.mtime);
            h.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut h, &f.entry_path, &mut reader)
                .map_err(|e| {
                    if e.kind() == io::ErrorKind::UnexpectedEof {
                        Error::new(
                            Kind::Io,
                            t!("core-file-shrank"),
                            t!("core-file-shrank-advice"),
                        )
                        .at(&path)
                    } else {
                        sink_error(e)
                    }
                })?;
            let digest = reader.digest();
            drop(reader);
            entries.push(Entry {
                path: f.entry_path,
                kind: EntryKind::File,
                size: f.size,
                sha256: hex::encode(digest),
                journal_mode: None,
                row_counts: Default::default(),
                integrity_check: None,
            });
        }
        Ok(entries)
    })?;
    // The databases are the first entries, in the order of `dbs`.
    for (entry, verdict) in entries.iter_mut().zip(verdicts) {
        entry.integrity_check = verdict;
    }
    let manifest = Manifest {
        metadata: plan.metadata.sealed.clone(),
        entries,
        settings: plan.settings.clone(),
        snapshot_barrier_ms: plan.barrier_ms,
    };
    // The manifest and its checksum list go in as they are written, never
    // built whole in memory (a manifest may list 200,000 entries).
    for (name, len) in [
        (MANIFEST_NAME, manifest.encoded_len()),
        (SUMS_NAME, manifest.sums_len()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).map_err(sink_error)?;
        h.set_size(len);
        h.set_mode(0o644);
        h.set_mtime(plan.mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        let w = tar.get_mut();
        w.write_all(h.as_bytes()).map_err(sink_error)?;
        let mut counted = CountWriter::new(BufWriter::with_capacity(64 * 1024, &mut *w));
        if name == MANIFEST_NAME {
            manifest.write_to(&mut counted)
        } else {
            manifest.write_sums(&mut counted)
        }
        .and_then(|_| counted.flush())
        .map_err(sink_error)?;
        if counted.count != len {
            return Err(Error::internal(t!(
                "core-entry-length-differs",
                name = name,
                count = counted.count,
                announced = len
            )));
        }
        drop(counted);
        let pad = (padded(len) - len) as usize;
        w.write_all(&[0u8; 512][..pad]).map_err(sink_error)?;
    }
    let zenc = tar.into_inner().map_err(sink_error)?;
    let pipe = zenc.finish().map_err(sink_error)?;
    pipe.finish().map_err(sink_error)?;
    Ok(manifest)
}

/// A GNU header for the entry `path`, preceded in `w` by a GNU long-name
/// entry when the path does not fit the 100-byte name field: the same
/// framing `tar::Builder::append_data` uses for the other files, which
/// needs the data as a reader, where a database snapshot is written.
fn gnu_header_for(w: &mut impl Write, path: &str) -> Result<tar::Header> {
    let mut h = tar::Header::new_gnu();
    let bytes = path.as_bytes();
    if bytes.len() >= 100 {
        let mut long = tar::Header::new_gnu();
        let name = b"././@LongLink";
        long.as_gnu_mut().expect("a GNU header").name[..name.len()].copy_from_slice(name);
        long.set_mode(0o644);
        long.set_entry_type(tar::EntryType::GNULongName);
        long.set_size(bytes.len() as u64 + 1);
        long.set_cksum();
        w.write_all(long.as_bytes()).map_err(sink_error)?;
        w.write_all(bytes).map_err(sink_error)?;
        // The name's terminating NUL, then zeros to the block's end.
        let n = bytes.len() as u64;
        let pad = (padded(n + 1) - n) as usize;
        w.write_all(&[0u8; 513][..pad]).map_err(sink_error)?;
        h.as_gnu_mut()
            .expect("a GNU header")
            .name
            .copy_from_slice(&bytes[..100]);
    } else {
        h.set_path(path).map_err(|e| {
            Error::new(
                Kind::Usage,
                t!("core-db-path-unstorable", path = path, err = &e),
                t!("core-db-path-unstorable-advice"),
            )
        })?;
    }
    Ok(h)
}

/// The sink thread's work: encrypts (or not) what arrives, hashes the
/// stored bytes and writes them to `out`. Returns the payload's SHA-256.
fn seal_payload<W: Write>(
    out: &mut W,
    recipient: Option<&age::x25519::Recipient>,
    chunks: &mut pipe::Chunks,
) -> io::Result<[u8; 32]> {
    let buffered = HashWriter::new(BufWriter::with_capacity(256 * 1024, out));
    let mut sealer = Sealer::new(buffered, recipient)?;
    while let Some(chunk) = chunks.next_chunk()? {
        sealer.write_all(chunk)?;
    }
    let (buffered, digest) = sealer.finish()?.finish();
    buffered.into_inner().map_err(|e| e.into_error())?;
    Ok(digest)
}

/// Writes the whole container into `out` (positioned at 0). Returns the
/// manifest and the length of the head (metadata and key slots).
pub fn write_container<W: Write + Seek + Send>(
    out: &mut W,
    plan: &ContainerPlan<'_>,
    dbs: &[DbSnapshot],
    files: Vec<FileSource>,
    progress: &dyn Progress,
) -> Result<(Manifest, u64)> {
    write_entry(out, METADATA_NAME, &plan.metadata.to_bytes(), plan.mtime)?;
    for (name, bytes) in plan.slots {
        write_entry(out, name, bytes, plan.mtime)?;
    }
    let payload_name = plan.metadata.sealed.payload.clone();
    let header_at = out.stream_position().map_err(sink_error)?;
    out.write_all(&[0u8; BLOCK as usize]).map_err(sink_error)?;
    let data_at = header_at + BLOCK;

    let total: u64 =
        dbs.iter().map(|d| d.size()).sum::<u64>() + files.iter().map(|f| f.size).sum::<u64>();
    progress.start(crate::Phase::Backup, total);
    // Encryption, the payload's hash and the file writes run on their own
    // thread, beside compression (zstd's workers) and reading (this thread).
    let inherited = crate::fault::inherit();
    let recipient = plan.recipient;
    let payload_out = &mut *out;
    let (manifest, payload_digest) = std::thread::scope(|s| {
        let (pipe, sealing) = pipe::spawn_sink(s, move |chunks| {
            inherited.adopt();
            seal_payload(payload_out, recipient, chunks)
        });
        let streamed = stream_payload(pipe, plan, dbs, files, progress);
        let sealed = sealing.join().unwrap_or_else(|_| {
            Err(crate::error::io_error(
                io::ErrorKind::Other,
                t!("core-io-writer-failed"),
            ))
        });
        match (streamed, sealed) {
            // The writer's own failure (a full disk...) is the cause; an
            // abandoned stream is only the echo of the reader's failure.
            (_, Err(e)) if e.kind() != io::ErrorKind::BrokenPipe => Err(sink_error(e)),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(sink_error(e)),
            (Ok(m), Ok(d)) => Ok((m, d)),
        }
    })?;
    let end = out.stream_position().map_err(sink_error)?;
    let payload_len = end - data_at;
    let pad = (padded(payload_len) - payload_len) as usize;
    out.write_all(&[0u8; 512][..pad]).map_err(sink_error)?;

    // The manifest's copy outside the payload; encrypted, it is sealed
    // straight into the file (no second copy of it in memory).
    match plan.recipient {
        Some(r) => write_entry_streamed(out, MANIFEST_COPY_AGE_NAME, plan.mtime, |w| {
            seal_manifest(w, r, &manifest)
        })?,
        None => write_entry_streamed(out, MANIFEST_NAME, plan.mtime, |w| {
            let mut buffered = BufWriter::with_capacity(64 * 1024, w);
            manifest.write_to(&mut buffered)?;
            buffered.flush()
        })?,
    }
    let sums = payload_sum_line(&hex::encode(payload_digest), &payload_name);
    write_entry(out, PAYLOAD_SUM_NAME, sums.as_bytes(), plan.mtime)?;
    out.write_all(&[0u8; 1024]).map_err(sink_error)?;
    out.seek(SeekFrom::Start(header_at)).map_err(sink_error)?;
    out.write_all(&header_block(&payload_name, payload_len, plan.mtime)?)
        .map_err(sink_error)?;
    out.seek(SeekFrom::End(0)).map_err(sink_error)?;
    Ok((manifest, header_at))
}
