//! Corruption family (issue 5): a real backup of a small home, encrypted and
//! unencrypted, cut short at every structural boundary and at seeded random
//! offsets, hit by seeded single-bit flips, with age chunks swapped, dropped
//! or replayed, and with garbage appended. Every case must make
//! `verify_file` fail with the right kind: never `Ok`, never a panic. A
//! sample of the cases also goes through `restore`, which must fail with the
//! same kind and leave the clinic data exactly as it was. Peak memory of the
//! whole test process stays bounded (no allocation follows a claimed size).
//!
//! `damage.rs` holds the hand-picked cases with their messages; this file
//! is the exhaustive sweep. `CAREVAULT_SOAK=1` multiplies the random cases
//! by 20; `CAREVAULT_SEED=N` changes the seed.

mod common;
use carevault_core::archive::reader::Opened;
use carevault_core::format::container::{header_block, Extent};
use carevault_core::{verify, Kind, NoProgress, Unlock};
use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Peak resident memory the whole test process may reach.
const MEM_BOUND_KIB: u64 = 300 * 1024;
/// One restore per this many cases.
const RESTORE_EVERY: usize = 50;
/// age STREAM: 64 KiB of plaintext plus a 16-byte tag per chunk.
const AGE_CHUNK: usize = 64 * 1024 + 16;

const DAMAGE_KINDS: &[Kind] = &[
    Kind::Corrupted,
    Kind::Tampered,
    Kind::NotABackup,
    Kind::UnsupportedVersion,
    Kind::UnsafeArchive,
];

fn soak() -> bool {
    std::env::var("CAREVAULT_SOAK").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn random_cases() -> usize {
    if soak() {
        20_000
    } else {
        1_000
    }
}

/// xorshift64*: seeded, reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn new(salt: u64) -> Rng {
        let seed = std::env::var("CAREVAULT_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0x5EED_C0DE_CA4E_7A17);
        Rng((seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

struct Fx {
    _t: tempfile::TempDir,
    home: PathBuf,
    bytes: Vec<u8>,
    case: PathBuf,
    encrypted: bool,
    unlock: Option<Unlock>,
    /// Every container part: (name, header offset, data extent).
    parts: Vec<(String, u64, Extent)>,
    payload: Extent,
    data_before: BTreeMap<String, Vec<u8>>,
}

/// The small home of `common`, plus 200 KB of incompressible data so the
/// encrypted payload spans several full 64 KiB age chunks.
fn fixture(encrypted: bool) -> Fx {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let mut rng = Rng::new(7);
    let noise: Vec<u8> = (0..200_000).map(|_| rng.next() as u8).collect();
    std::fs::write(home.join("data/files/photos/p2.jpg"), noise).unwrap();
    let out = make_backup(&home, &t.path().join("docs"), encrypted.then_some(PASS));
    let bytes = std::fs::read(&out.path).unwrap();
    let o = Opened::open(&out.path).unwrap();
    let l = &o.layout;
    let mut parts = vec![("carevault.json".to_string(), l.metadata)];
    parts.extend(l.slots.iter().cloned());
    parts.push(l.payload.clone());
    parts.push(l.manifest.clone());
    parts.push(("payload.sha256".to_string(), l.payload_sum));
    let parts = parts
        .into_iter()
        .map(|(n, e)| (n, e.offset - 512, e))
        .collect();
    let case = t.path().join("case.bin");
    Fx {
        data_before: tree(&home.join("data")),
        home,
        bytes,
        case,
        encrypted,
        unlock: encrypted.then(|| pass(PASS)),
        parts,
        payload: l.payload.1,
        _t: t,
    }
}

#[derive(Default)]
struct Tally {
    /// Restore one case in this many (0: `RESTORE_EVERY`).
    restore_every: usize,
    cases: usize,
    kinds: BTreeMap<&'static str, usize>,
    panics: usize,
    accepted: usize,
    restores: usize,
    failures: Vec<String>,
    verify_secs: f64,
    restore_secs: f64,
}

impl Tally {
    fn fail(&mut self, msg: String) {
        if self.failures.len() < 30 {
            self.failures.push(msg);
        }
    }

    fn report(&self, family: &str, enc: bool, started: Instant) {
        println!(
            "corruption/{family} (encrypted {enc}): {} cases, {} restores, panics {}, accepted {}, kinds {:?}, {:.1}s (verify {:.1}s, restore {:.1}s)",
            self.cases,
            self.restores,
            self.panics,
            self.accepted,
            self.kinds,
            started.elapsed().as_secs_f64(),
            self.verify_secs,
            self.restore_secs
        );
        assert!(
            self.failures.is_empty(),
            "{family} (encrypted {enc}): {} failures, first ones:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert_eq!(self.panics, 0);
        assert_eq!(self.accepted, 0);
    }
}

fn verify_caught(path: &Path, unlock: Option<&Unlock>) -> Result<Result<(), Kind>, String> {
    catch_unwind(AssertUnwindSafe(|| {
        verify::verify_file(path, unlock, 18, &NoProgress)
            .map(|_| ())
            .map_err(|e| e.kind())
    }))
    .map_err(panic_text)
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "non-text panic".into())
}

/// Rewrites the case file in place: truncating it to zero first would make
/// ext4 flush it to disk (`auto_da_alloc`) on every case.
fn write_case(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::FileExt;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap();
    f.write_all_at(bytes, 0).unwrap();
    f.set_len(bytes.len() as u64).unwrap();
}

/// Runs one damaged file through verify (and, every `RESTORE_EVERY` cases,
/// through restore); records the outcome.
fn run_case(fx: &Fx, t: &mut Tally, label: &str, bytes: &[u8], allowed: &[Kind]) {
    write_case(&fx.case, bytes);
    t.cases += 1;
    let t0 = Instant::now();
    let verdict = verify_caught(&fx.case, fx.unlock.as_ref());
    t.verify_secs += t0.elapsed().as_secs_f64();
    let kind = match verdict {
        Err(p) => {
            t.panics += 1;
            t.fail(format!("{label}: verify panicked: {p}"));
            return;
        }
        Ok(Ok(())) => {
            t.accepted += 1;
            t.fail(format!("{label}: verify accepted a damaged file"));
            return;
        }
        Ok(Err(k)) => k,
    };
    *t.kinds.entry(kind.code()).or_default() += 1;
    if !allowed.contains(&kind) {
        t.fail(format!(
            "{label}: verify said {kind:?}, expected one of {allowed:?}"
        ));
    }
    let every = if t.restore_every == 0 {
        RESTORE_EVERY
    } else {
        t.restore_every
    };
    if t.cases.is_multiple_of(every) {
        t.restores += 1;
        let t0 = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| {
            restore_into(&fx.home, &fx.case, fx.unlock.as_ref(), false).map(|_| ())
        }));
        match r {
            Err(p) => {
                t.panics += 1;
                t.fail(format!("{label}: restore panicked: {}", panic_text(p)));
            }
            Ok(Ok(())) => {
                t.accepted += 1;
                t.fail(format!("{label}: restore accepted a damaged file"));
            }
            Ok(Err(e)) if e.kind() != kind => t.fail(format!(
                "{label}: restore said {:?} ({e}), verify said {kind:?}",
                e.kind()
            )),
            Ok(Err(_)) => {}
        }
        if tree(&fx.home.join("data")) != fx.data_before {
            t.fail(format!("{label}: a failed restore changed the data"));
        }
        let leftovers: Vec<String> = std::fs::read_dir(&fx.home)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".carevault-staging") || n == "safety-copies")
            .collect();
        if !leftovers.is_empty() {
            t.fail(format!("{label}: restore left {leftovers:?}"));
        }
        t.restore_secs += t0.elapsed().as_secs_f64();
    }
}

/// Where the age header of an age file ends (just after the `--- mac` line).
fn age_header_end(age: &[u8]) -> usize {
    let mac = age
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("age header MAC line");
    mac + 1 + age[mac + 1..].iter().position(|&b| b == b'\n').unwrap() + 1
}

/// Offsets (within the payload) of the age STREAM chunks, after the header
/// and the 16-byte nonce; the last one may be short.
fn age_chunks(age: &[u8]) -> Vec<usize> {
    let start = age_header_end(age) + 16;
    (start..age.len()).step_by(AGE_CHUNK).collect()
}

/// Offsets (within the payload) of each zstd block header, then of the
/// frame checksum; empty if the frame is not laid out as expected.
fn zstd_blocks(z: &[u8]) -> Vec<usize> {
    if z.len() < 6 || z[..4] != [0x28, 0xB5, 0x2F, 0xFD] {
        return vec![];
    }
    let fhd = z[4];
    let single = (fhd >> 5) & 1 == 1;
    let fcs = match fhd >> 6 {
        0 => usize::from(single),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let mut pos = 5 + usize::from(!single) + [0, 1, 2, 4][(fhd & 3) as usize] + fcs;
    let mut out = vec![];
    while pos + 3 <= z.len() {
        out.push(pos);
        let h = z[pos] as usize | (z[pos + 1] as usize) << 8 | (z[pos + 2] as usize) << 16;
        let size = if (h >> 1) & 3 == 1 { 1 } else { h >> 3 };
        pos += 3 + size;
        if h & 1 == 1 {
            break;
        }
    }
    if (fhd >> 2) & 1 == 1 && pos < z.len() {
        out.push(pos);
    }
    out
}

/// Inner boundaries of the payload stream (absolute file offsets).
fn payload_boundaries(fx: &Fx) -> Vec<(String, usize)> {
    let p0 = fx.payload.offset as usize;
    let payload = &fx.bytes[p0..p0 + fx.payload.len as usize];
    let mut out = vec![];
    if fx.encrypted {
        let h = age_header_end(payload);
        out.push(("age header end".to_string(), p0 + h));
        out.push(("age nonce end".to_string(), p0 + h + 16));
        let chunks = age_chunks(payload);
        for (i, c) in chunks.iter().enumerate() {
            out.push((format!("age chunk {i} start"), p0 + c));
            out.push((
                format!("age chunk {i} tag"),
                p0 + (c + AGE_CHUNK - 16).min(payload.len() - 16),
            ));
        }
        let last = *chunks.last().unwrap();
        out.push((
            "age last chunk middle".into(),
            p0 + (last + payload.len()) / 2,
        ));
        out.push(("age last chunk end".into(), p0 + payload.len()));
    } else {
        for (i, b) in zstd_blocks(payload).iter().enumerate() {
            out.push((format!("zstd block {i}"), p0 + b));
        }
        for k in (0..payload.len()).step_by(64 * 1024) {
            out.push((format!("payload +{k}"), p0 + k));
        }
        out.push(("zstd frame end".into(), p0 + payload.len()));
    }
    out
}

fn truncation_points(fx: &Fx) -> Vec<(String, usize)> {
    let len = fx.bytes.len();
    let mut pts: Vec<(String, usize)> = vec![];
    let mut near = |label: String, at: usize| {
        for d in [-1i64, 0, 1] {
            let cut = at as i64 + d;
            if cut >= 0 && (cut as usize) < len {
                pts.push((format!("{label} {d:+}"), cut as usize));
            }
        }
    };
    for (name, h, e) in &fx.parts {
        let (h, o, end) = (*h as usize, e.offset as usize, (e.offset + e.len) as usize);
        near(format!("{name} header"), h);
        near(format!("{name} header middle"), h + 256);
        near(format!("{name} data start"), o);
        near(format!("{name} data middle"), (o + end) / 2);
        near(format!("{name} data end"), end);
        near(format!("{name} padded end"), e.padded_end() as usize);
    }
    near("end-of-archive block 1".into(), len - 1024);
    near("end-of-archive block 2".into(), len - 512);
    for (label, at) in payload_boundaries(fx) {
        near(label, at);
    }
    pts.push(("empty file".into(), 0));
    pts.push(("last byte missing".into(), len - 1));
    pts
}

/// The value the reader takes from a header's checksum field (it trims
/// spaces and NULs around the octal digits, as `parse_block` does).
fn checksum_value(field: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(field).ok()?;
    u64::from_str_radix(s.trim_matches(|c: char| c == '\0' || c == ' '), 8).ok()
}

/// A flip inside a container header's checksum field that leaves the
/// parsed value unchanged (`'0'` <-> `' '`, NUL <-> `' '`): known defect D1,
/// see `defect_d1_header_checksum_field_has_slack`.
fn checksum_slack(fx: &Fx, off: usize, bit: u32) -> bool {
    let Some((_, h, _)) = fx
        .parts
        .iter()
        .find(|(_, h, _)| (*h as usize + 148..*h as usize + 156).contains(&off))
    else {
        return false;
    };
    let field = *h as usize + 148..*h as usize + 156;
    let mut flipped = fx.bytes[field.clone()].to_vec();
    flipped[off - field.start] ^= 1 << bit;
    checksum_value(&flipped) == checksum_value(&fx.bytes[field])
}

/// Peak RSS before a family ran (`before`) and now; the whole process must
/// stay under the bound, whatever the damaged files claimed.
fn check_memory(family: &str, before: u64) {
    let peak = peak_rss_kib();
    println!(
        "corruption/{family}: peak RSS of the test process {} MiB before, {} MiB after",
        before / 1024,
        peak / 1024
    );
    assert!(
        peak < MEM_BOUND_KIB,
        "{family}: peak RSS {peak} KiB exceeds {MEM_BOUND_KIB} KiB"
    );
}

#[test]
fn truncation_at_every_boundary_and_at_random_offsets_is_truncation() {
    let before = peak_rss_kib();
    for encrypted in [true, false] {
        let started = Instant::now();
        let fx = fixture(encrypted);
        let mut t = Tally::default();
        let pts = truncation_points(&fx);
        assert!(pts.len() > 60, "{} structural points", pts.len());
        for (label, cut) in &pts {
            run_case(
                &fx,
                &mut t,
                &format!("cut at {cut} ({label})"),
                &fx.bytes[..*cut],
                &[Kind::Truncated],
            );
        }
        let structural = t.cases;
        let mut rng = Rng::new(1 + encrypted as u64);
        for _ in 0..random_cases() {
            let cut = rng.below(fx.bytes.len());
            run_case(
                &fx,
                &mut t,
                &format!("random cut at {cut}"),
                &fx.bytes[..cut],
                &[Kind::Truncated],
            );
        }
        println!("corruption/truncation (encrypted {encrypted}): {structural} structural cuts, file {} bytes", fx.bytes.len());
        t.report("truncation", encrypted, started);
    }
    check_memory("truncation", before);
}

#[test]
fn single_bit_flips_anywhere_are_detected() {
    let before = peak_rss_kib();
    for encrypted in [true, false] {
        let started = Instant::now();
        let fx = fixture(encrypted);
        let mut t = Tally::default();
        let mut b = fx.bytes.clone();
        let mut slack = 0;
        let mut flip = |t: &mut Tally, label: &str, off: usize, bit: u32| {
            if checksum_slack(&fx, off, bit) {
                slack += 1;
                return;
            }
            b[off] ^= 1 << bit;
            run_case(
                &fx,
                t,
                &format!("{label}: flip byte {off} bit {bit}"),
                &b,
                DAMAGE_KINDS,
            );
            b[off] ^= 1 << bit;
        };
        // Targeted: every byte of every container header, the end-of-archive
        // blocks, the age or zstd framing of the payload.
        for (name, h, _) in &fx.parts {
            for i in 0..512 {
                flip(
                    &mut t,
                    &format!("{name} header"),
                    *h as usize + i,
                    (i % 8) as u32,
                );
            }
        }
        let len = fx.bytes.len();
        for off in (len - 1024..len).step_by(7) {
            flip(&mut t, "end-of-archive", off, (off % 8) as u32);
        }
        for (label, at) in payload_boundaries(&fx) {
            for d in 0..4 {
                if at + d < fx.payload.offset as usize + fx.payload.len as usize {
                    flip(&mut t, &label, at + d, ((at + d) % 8) as u32);
                }
            }
        }
        let targeted = t.cases;
        let mut rng = Rng::new(100 + encrypted as u64);
        for _ in 0..random_cases() {
            let off = rng.below(len);
            let bit = rng.below(8) as u32;
            flip(&mut t, "random", off, bit);
        }
        // And as many again inside the payload alone.
        let p = fx.payload;
        for _ in 0..random_cases() {
            let off = p.offset as usize + rng.below(p.len as usize);
            let bit = rng.below(8) as u32;
            flip(&mut t, "random in payload", off, bit);
        }
        println!(
            "corruption/bitflip (encrypted {encrypted}): {targeted} targeted flips, {slack} skipped (defect D1)"
        );
        t.report("bitflip", encrypted, started);
    }
    check_memory("bitflip", before);
}

/// Replaces the payload entry by `payload`, fixing its header and (if
/// `fix_sum`) `payload.sha256`, as anyone without the key can: then only
/// age (or, unencrypted, zstd and the entry checksums) stands in the way.
fn with_payload(fx: &Fx, payload: &[u8], fix_sum: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, _, e) in &fx.parts {
        let mut data = fx.bytes[e.offset as usize..(e.offset + e.len) as usize].to_vec();
        if name.starts_with("payload.tar.zst") {
            data = payload.to_vec();
        } else if name == "payload.sha256" && fix_sum {
            let pname = fx
                .parts
                .iter()
                .find(|p| p.0.starts_with("payload.tar"))
                .unwrap();
            data = format!("{}  {}\n", hex::encode(Sha256::digest(payload)), pname.0).into_bytes();
        }
        out.extend_from_slice(&header_block(name, data.len() as u64, 0).unwrap());
        out.extend_from_slice(&data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[test]
fn swapped_dropped_and_replayed_chunks_and_appended_garbage_are_detected() {
    let before = peak_rss_kib();
    for encrypted in [true, false] {
        let started = Instant::now();
        let fx = fixture(encrypted);
        // Few cases here: restore one in three.
        let mut t = Tally {
            restore_every: 3,
            ..Tally::default()
        };
        let p0 = fx.payload.offset as usize;
        let payload = fx.bytes[p0..p0 + fx.payload.len as usize].to_vec();
        // Whole units to move around: age chunks, or 64 KiB of zstd stream.
        let starts = if encrypted {
            age_chunks(&payload)
        } else {
            (0..payload.len()).step_by(64 * 1024).collect()
        };
        let unit = if encrypted { AGE_CHUNK } else { 64 * 1024 };
        let full: Vec<usize> = starts
            .iter()
            .copied()
            .filter(|s| s + unit <= payload.len())
            .collect();
        assert!(
            full.len() >= 2,
            "need two full chunks, payload {} bytes",
            payload.len()
        );
        let last = *starts.last().unwrap();
        let mut variants: Vec<(String, Vec<u8>)> = vec![];
        for i in 0..full.len() {
            for j in i + 1..full.len() {
                let mut v = payload.clone();
                let (a, b) = (full[i], full[j]);
                let chunk_a = payload[a..a + unit].to_vec();
                v.copy_within(b..b + unit, a);
                v[b..b + unit].copy_from_slice(&chunk_a);
                variants.push((format!("swap chunks {i} and {j}"), v));
            }
            let mut v = payload.clone();
            v.drain(full[i]..full[i] + unit);
            variants.push((format!("drop chunk {i}"), v));
            if i > 0 {
                let mut v = payload.clone();
                v.copy_within(full[0]..full[0] + unit, full[i]);
                variants.push((format!("replay chunk 0 as chunk {i}"), v));
            }
        }
        variants.push(("drop the last chunk".into(), payload[..last].to_vec()));
        variants.push((
            "last chunk moved first".into(),
            [
                &payload[..full[0]],
                &payload[last..],
                &payload[full[0]..last],
            ]
            .concat(),
        ));
        for (label, v) in &variants {
            run_case(
                &fx,
                &mut t,
                &format!("{label} (raw)"),
                &with_payload(&fx, v, false),
                &[Kind::Corrupted],
            );
            run_case(
                &fx,
                &mut t,
                &format!("{label} (sha256 fixed)"),
                &with_payload(&fx, v, true),
                &[Kind::Corrupted],
            );
        }
        let garbage: Vec<(&str, Vec<u8>)> = vec![
            ("one byte", vec![b'x']),
            ("one zero byte", vec![0]),
            ("511 zero bytes", vec![0; 511]),
            ("a zero block", vec![0; 512]),
            ("two zero blocks", vec![0; 1024]),
            ("a tar record of zeros", vec![0; 10240]),
            ("text", b"garbage after the end\n".to_vec()),
            (
                "a repeated last entry",
                fx.bytes[fx.bytes.len() - 2048..].to_vec(),
            ),
            ("a whole second copy", fx.bytes.clone()),
        ];
        for (label, g) in &garbage {
            let v = [fx.bytes.as_slice(), g].concat();
            run_case(
                &fx,
                &mut t,
                &format!("append {label}"),
                &v,
                &[Kind::Corrupted],
            );
        }
        t.report("chunks+garbage", encrypted, started);
    }
    check_memory("chunks+garbage", before);
}

/// Defect D1: `format::container::parse_block` parses the checksum field
/// with `parse_octal`, which trims spaces and NULs, so a flip that turns the
/// leading `'0'` into `' '` (or the closing NUL/space into the other) gives
/// the same number and goes unnoticed: `verify` returns Ok on a file that
/// is not byte-for-byte what was written. Fix: require the exact form the
/// writer emits (six octal digits, NUL, space), or rebuild the header with
/// `header_block(name, size, mtime)` and compare all 512 bytes.
#[test]
fn defect_d1_header_checksum_field_has_slack() {
    let fx = fixture(true);
    let mut t = Tally::default();
    let mut b = fx.bytes.clone();
    let started = Instant::now();
    for (name, h, _) in &fx.parts {
        for off in *h as usize + 148..*h as usize + 156 {
            for bit in 0..8 {
                b[off] ^= 1 << bit;
                run_case(
                    &fx,
                    &mut t,
                    &format!("{name} checksum: flip byte {off} bit {bit}"),
                    &b,
                    DAMAGE_KINDS,
                );
                b[off] ^= 1 << bit;
            }
        }
    }
    t.report("checksum-field", true, started);
}
