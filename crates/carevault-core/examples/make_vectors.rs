//! Writes the test vectors of `tests/vectors/`: small backup files, one per
//! failure mode, and one good file per released format version, each with
//! a `NAME.expect` sidecar (`expect:`, `passphrase:`, `comment:`).
//!
//! The vectors are generated once and checked in: `tests/vectors.rs` reads
//! them and never regenerates them, so a change that stops old files from
//! opening is caught. Run this only to add vectors (or after a deliberate,
//! versioned format change), and review the diff:
//!
//! ```sh
//! cargo run -p carevault-core --example make_vectors [-- OUT_DIR]
//! ```

use carevault_core::archive::reader::Opened;
use carevault_core::auth::{self, Role};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::format::container::header_block;
use carevault_core::profile::Profile;
use carevault_core::{NoProgress, SecretString};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The passphrase of every encrypted vector.
const PASSPHRASE: &str = "carevault test vectors";
const PASSWORD: &str = "vector nurse password";

type Parts = Vec<(String, u64, Vec<u8>)>;

fn main() {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"));
    std::fs::create_dir_all(&out).unwrap();
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.ends_with(".bin") || n.ends_with(".expect") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let t = tempfile::tempdir().unwrap();
    let home = tiny_home(t.path());
    let enc = make(&home, t.path(), Some(PASSPHRASE));
    let plain = make(&home, t.path(), None);
    let v = Writer { out: out.clone() };

    v.put(
        "good-v1-encrypted",
        &enc,
        "ok",
        true,
        "a good format-1 backup, encrypted (passphrase slot, scrypt work factor 10)",
    );
    v.put(
        "good-v1-unencrypted",
        &plain,
        "ok",
        false,
        "a good format-1 backup, unencrypted",
    );

    let o = layout(&enc);
    v.put("empty", &[], "truncated", false, "a file of zero bytes");
    v.put(
        "truncated-header",
        &enc[..300],
        "truncated",
        true,
        "cut 300 bytes into the first container header",
    );
    let (md_at, md_len) = o.metadata;
    v.put(
        "truncated-metadata",
        &enc[..md_at + md_len / 2],
        "truncated",
        true,
        "cut in the middle of carevault.json",
    );
    let (p_at, p_len) = o.payload;
    v.put(
        "truncated-payload",
        &enc[..p_at + p_len / 2],
        "truncated",
        true,
        "cut in the middle of the encrypted payload",
    );
    v.put(
        "truncated-last-chunk",
        &enc[..p_at + p_len - 7],
        "truncated",
        true,
        "cut 7 bytes before the end of the payload, inside the tag of its last age chunk",
    );
    v.put(
        "truncated-end-marker",
        &enc[..enc.len() - 512],
        "truncated",
        true,
        "the second end-of-archive block is missing",
    );

    let mut flipped = enc.clone();
    flipped[p_at + p_len / 2] ^= 0x10;
    v.put(
        "bitflip-payload",
        &flipped,
        "corrupted",
        true,
        "one bit flipped in the middle of the encrypted payload (age chunk MAC)",
    );
    let po = layout(&plain);
    let mut flipped = plain.clone();
    flipped[po.payload.0 + po.payload.1 / 2] ^= 0x01;
    v.put("bitflip-payload-unencrypted", &flipped, "corrupted", false,
        "one bit flipped in the middle of an unencrypted payload (zstd, entry and payload checksums)");

    v.put_with(
        "wrong-passphrase",
        &enc,
        "wrong_key",
        Some("not the passphrase"),
        "a good backup opened with another passphrase",
    );

    let parts = split(&enc);
    let edit_md = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut p = parts.clone();
        let mut md: serde_json::Value = serde_json::from_slice(&p[0].2).unwrap();
        f(&mut md);
        p[0].2 = serde_json::to_vec_pretty(&md).unwrap();
        join(&p)
    };
    v.put(
        "tampered-label",
        &edit_md(&|m| m["label"] = "Totally legit".into()),
        "tampered",
        true,
        "the readable label was edited; the sealed copy in the manifest disagrees",
    );
    // A newer version says so in the container's version mark too.
    let mut newer = edit_md(&|m| m["format_version"] = 2.into());
    let md_len = tar::Header::from_byte_slice(&newer[..512]).size().unwrap();
    let mtime = tar::Header::from_byte_slice(&newer[..512]).mtime().unwrap();
    newer[..512].copy_from_slice(
        &carevault_core::format::container::header_block_of_version(
            "carevault.json",
            md_len,
            mtime,
            (2, 0),
        )
        .unwrap(),
    );
    v.put(
        "unknown-version-2",
        &newer,
        "unsupported_version",
        true,
        "format_version 2 and the container's version mark 2: newer than this reader",
    );

    // Excessive scrypt work factor: the slot's stanza says 40 (2^40 x 1 KiB).
    let mut p = parts.clone();
    let slot = p[1].2.clone();
    let end = slot.windows(4).position(|w| w == b"\n---").unwrap();
    let head = String::from_utf8(slot[..end].to_vec()).unwrap();
    let line = head
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .unwrap()
        .to_string();
    let salt = line.split(' ').nth(2).unwrap();
    let new_slot = [
        head.replace(&line, &format!("-> scrypt {salt} 40"))
            .as_bytes(),
        &slot[end..],
    ]
    .concat();
    let mut md: serde_json::Value = serde_json::from_slice(&p[0].2).unwrap();
    md["key_slots"][0]["sha256"] = hex::encode(Sha256::digest(&new_slot)).into();
    p[0].2 = serde_json::to_vec_pretty(&md).unwrap();
    p[1].2 = new_slot;
    v.put(
        "excessive-work-factor",
        &join(&p),
        "unsafe_archive",
        true,
        "the passphrase slot asks for scrypt work factor 40; refused before any work (cap 18)",
    );

    v.put(
        "appended-garbage",
        &[enc.as_slice(), b"garbage after the end\n"].concat(),
        "corrupted",
        true,
        "bytes after the end-of-archive blocks",
    );

    // Hostile payloads: unencrypted, with one entry injected at the start.
    let inject = |entry: Vec<u8>| with_payload_tar(&plain, |tar| [entry.as_slice(), tar].concat());
    let tar = payload_tar(&plain);
    let note = first_entry(&tar, "data/files/note.txt");
    v.put(
        "path-traversal",
        &inject(entry(b"data/../../evil.txt", b'0', b"", b"x")),
        "unsafe_archive",
        false,
        "a payload entry named data/../../evil.txt",
    );
    v.put(
        "symlink-entry",
        &inject(entry(b"data/files/link", b'2', b"/etc/passwd", b"")),
        "unsafe_archive",
        false,
        "a payload entry that is a symbolic link to /etc/passwd",
    );
    v.put(
        "duplicate-entry",
        &inject(note),
        "unsafe_archive",
        false,
        "data/files/note.txt appears twice in the payload",
    );

    let mut not = entry(b"readme.txt", b'0', b"", b"this is a plain tar file\n");
    not.resize(not.len() + 1024, 0);
    v.put(
        "not-a-backup",
        &not,
        "not_a_backup",
        false,
        "a plain tar file whose first entry is not carevault.json",
    );

    // Swapped chunks need two full 64 KiB age chunks: back up 130 KB of noise.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let noise: Vec<u8> = (0..130_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(home.join("data/files/noise.bin"), noise).unwrap();
    let big = make(&home, t.path(), Some(PASSPHRASE));
    let bo = layout(&big);
    let (p_at, p_len) = bo.payload;
    let payload = &big[p_at..p_at + p_len];
    let mac = payload.windows(5).position(|w| w == b"\n--- ").unwrap();
    let first =
        p_at + mac + 1 + payload[mac + 1..].iter().position(|&b| b == b'\n').unwrap() + 1 + 16;
    const CHUNK: usize = 64 * 1024 + 16;
    assert!(first + 2 * CHUNK < p_at + p_len, "two full chunks");
    let mut swapped = big.clone();
    swapped[first..first + CHUNK].copy_from_slice(&big[first + CHUNK..first + 2 * CHUNK]);
    swapped[first + CHUNK..first + 2 * CHUNK].copy_from_slice(&big[first..first + CHUNK]);
    v.put(
        "swapped-chunks",
        &swapped,
        "corrupted",
        true,
        "the payload's first two 64 KiB age chunks swapped",
    );

    let total: u64 = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    println!("wrote the vectors to {} ({total} bytes)", out.display());
}

struct Writer {
    out: PathBuf,
}

impl Writer {
    fn put(&self, name: &str, bytes: &[u8], expect: &str, encrypted: bool, comment: &str) {
        self.put_with(
            name,
            bytes,
            expect,
            encrypted.then_some(PASSPHRASE),
            comment,
        );
    }

    fn put_with(&self, name: &str, bytes: &[u8], expect: &str, pass: Option<&str>, comment: &str) {
        std::fs::write(self.out.join(format!("{name}.bin")), bytes).unwrap();
        let text = format!(
            "expect: {expect}\npassphrase: {}\ncomment: {comment}\n",
            pass.unwrap_or("")
        );
        std::fs::write(self.out.join(format!("{name}.expect")), text).unwrap();
        println!("{name}.bin: {} bytes, expect {expect}", bytes.len());
    }
}

/// A home small enough for vectors of a few kilobytes: one database, the
/// app settings, one document, one user.
fn tiny_home(root: &Path) -> PathBuf {
    let home = root.join("home");
    let data = home.join("data");
    std::fs::create_dir_all(data.join("config")).unwrap();
    std::fs::create_dir_all(data.join("files")).unwrap();
    let c = rusqlite::Connection::open(data.join("clinical.db")).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE patients(id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO patients(name) VALUES ('test patient one'), ('test patient two');",
    )
    .unwrap();
    drop(c);
    std::fs::write(
        data.join("config/app.toml"),
        "realm = \"vectors\"\nsync_endpoint = \"https://sync.example.org\"\nfacility = \"Vector HC\"\ndevice_name = \"tab-v\"\n",
    )
    .unwrap();
    std::fs::write(data.join("files/note.txt"), "consent form\n").unwrap();
    auth::add_user(&home, "nurse", Role::ClinicNurse, PASSWORD).unwrap();
    std::fs::write(
        home.join("carevault.toml"),
        "[encryption]\nwork_factor = 10\n[media]\nrequire_encryption = []\n",
    )
    .unwrap();
    home
}

fn make(home: &Path, root: &Path, pass: Option<&str>) -> Vec<u8> {
    let mut req = BackupRequest::new(
        &Profile::load(home).unwrap(),
        Target::Folder(root.join("out")),
    );
    req.passphrase = pass.map(|p| SecretString::from(p.to_string()));
    req.scrypt_log_n = 10;
    req.label = Some("Test vector".into());
    let permit = auth::permit(home, "nurse", PASSWORD).unwrap();
    let outcome = backup::create(&permit, &req, &NoProgress).unwrap();
    let bytes = std::fs::read(&outcome.path).unwrap();
    std::fs::remove_file(&outcome.path).unwrap();
    bytes
}

struct Where {
    metadata: (usize, usize),
    payload: (usize, usize),
}

fn layout(bytes: &[u8]) -> Where {
    let t = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(t.path(), bytes).unwrap();
    let o = Opened::open(t.path()).unwrap();
    let m = o.layout.metadata;
    let p = o.layout.payload.1;
    Where {
        metadata: (m.offset as usize, m.len as usize),
        payload: (p.offset as usize, p.len as usize),
    }
}

/// The container's entries: (name, mtime, data).
fn split(bytes: &[u8]) -> Parts {
    let mut out = vec![];
    let mut at = 0;
    while bytes[at..at + 512].iter().any(|&b| b != 0) {
        let h = tar::Header::from_byte_slice(&bytes[at..at + 512]);
        let name = String::from_utf8(h.path_bytes().into_owned()).unwrap();
        let len = h.entry_size().unwrap() as usize;
        out.push((
            name,
            h.mtime().unwrap(),
            bytes[at + 512..at + 512 + len].to_vec(),
        ));
        at += 512 + len.div_ceil(512) * 512;
    }
    out
}

/// A container of `parts`, with fresh headers and the end-of-archive blocks.
fn join(parts: &Parts) -> Vec<u8> {
    let mut out = vec![];
    for (name, mtime, data) in parts {
        out.extend_from_slice(&header_block(name, data.len() as u64, *mtime).unwrap());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// The decompressed payload tar of an unencrypted backup.
fn payload_tar(plain: &[u8]) -> Vec<u8> {
    let parts = split(plain);
    let z = &parts.iter().find(|p| p.0 == "payload.tar.zst").unwrap().2;
    let mut tar = vec![];
    zstd::stream::read::Decoder::new(&z[..])
        .unwrap()
        .read_to_end(&mut tar)
        .unwrap();
    tar
}

/// The unencrypted backup with its payload tar rewritten by `edit`, and the
/// payload checksum entry made to match (anyone can do this).
fn with_payload_tar(plain: &[u8], edit: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let tar = edit(&payload_tar(plain));
    let z = zstd::encode_all(&tar[..], 3).unwrap();
    let mut parts = split(plain);
    for p in parts.iter_mut() {
        if p.0 == "payload.tar.zst" {
            p.2 = z.clone();
        } else if p.0 == "payload.sha256" {
            p.2 = format!("{}  payload.tar.zst\n", hex::encode(Sha256::digest(&z))).into_bytes();
        }
    }
    join(&parts)
}

/// One tar entry with raw name and link bytes.
fn entry(name: &[u8], kind: u8, link: &[u8], data: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_cksum();
    let mut v = h.as_bytes().to_vec();
    v.extend_from_slice(data);
    v.resize(v.len().div_ceil(512) * 512, 0);
    v
}

/// The bytes (header, data, padding) of the entry `name` in `tar`.
fn first_entry(tar: &[u8], name: &str) -> Vec<u8> {
    let mut at = 0;
    loop {
        let h = tar::Header::from_byte_slice(&tar[at..at + 512]);
        let len = h.entry_size().unwrap() as usize;
        let end = at + 512 + len.div_ceil(512) * 512;
        if h.path_bytes().as_ref() == name.as_bytes() {
            return tar[at..end].to_vec();
        }
        at = end;
    }
}
