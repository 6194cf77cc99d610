//! Damaged and altered backups: every kind is detected with its own error
//! kind, and a failed restore leaves the target exactly as it was.

use crate::common::*;
use carevault_core::archive::reader::Opened;
use carevault_core::format::container::header_block;
use carevault_core::{verify, Kind, NoProgress, Unlock};
use std::path::{Path, PathBuf};

struct Fixture {
    _t: tempfile::TempDir,
    home: PathBuf,
    file: PathBuf,
    work: PathBuf,
}

fn fixture(pass_: Option<&str>) -> Fixture {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let out = make_backup(&home, &t.path().join("docs"), pass_);
    let work = t.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    Fixture {
        home,
        file: out.path,
        work,
        _t: t,
    }
}

fn check(path: &Path, unlock: Option<&Unlock>) -> carevault_core::Result<()> {
    verify::verify_file(path, unlock, 18, &NoProgress).map(|_| ())
}

/// A failed restore must leave `home/data` byte-identical and no staging behind.
fn restore_fails_cleanly(f: &Fixture, bad: &Path, unlock: Option<&Unlock>) -> Kind {
    let before = tree(&f.home.join("data"));
    let err = restore_into(&f.home, bad, unlock, false).unwrap_err();
    assert_eq!(
        tree(&f.home.join("data")),
        before,
        "restore of a bad file changed the data"
    );
    let staged: Vec<_> = std::fs::read_dir(&f.home)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".carevault-staging")
        })
        .collect();
    assert!(staged.is_empty(), "staging left behind");
    assert!(!f.home.join("safety-copies").exists());
    err.kind()
}

#[test]
fn truncation_anywhere_is_reported_as_truncation() {
    let f = fixture(Some(PASS));
    let bytes = std::fs::read(&f.file).unwrap();
    let o = Opened::open(&f.file).unwrap();
    let p = o.layout.payload.1;
    let m = o.layout.manifest.1;
    let len = bytes.len();
    let offsets = [
        0,
        1,
        100,
        511,
        512,
        600,
        1100,
        p.offset as usize - 1,
        p.offset as usize + 10,
        (p.offset + p.len / 2) as usize,
        (p.offset + p.len) as usize - 1,
        m.offset as usize + 5,
        len - 1025,
        len - 1024,
        len - 513,
        len - 1,
    ];
    for (i, cut) in offsets.iter().enumerate() {
        let bad = f.work.join(format!("cut-{i}.bin"));
        std::fs::write(&bad, &bytes[..*cut]).unwrap();
        let e = check(&bad, Some(&pass(PASS))).unwrap_err();
        assert_eq!(
            e.kind(),
            Kind::Truncated,
            "cut at {cut}: {e} / {}",
            e.advice()
        );
        assert_eq!(e.kind().exit_code(), 5);
        if i % 4 == 0 {
            assert_eq!(
                restore_fails_cleanly(&f, &bad, Some(&pass(PASS))),
                Kind::Truncated
            );
        }
    }
}

#[test]
fn every_single_bit_flip_is_detected() {
    for encrypted in [true, false] {
        let f = fixture(encrypted.then_some(PASS));
        let unlock = pass(PASS);
        let unlock = encrypted.then_some(&unlock);
        let bytes = std::fs::read(&f.file).unwrap();
        let bad = f.work.join("flip.bin");
        // Every header and metadata byte at one bit, then a seeded spread over the rest.
        let mut offsets: Vec<usize> = (0..2048.min(bytes.len())).step_by(3).collect();
        let mut x: u64 = 0x9E3779B97F4A7C15;
        for _ in 0..300 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            offsets.push((x % bytes.len() as u64) as usize);
        }
        for (i, off) in offsets.iter().enumerate() {
            let mut b = bytes.clone();
            b[*off] ^= 1 << (i % 8);
            std::fs::write(&bad, &b).unwrap();
            let e = match check(&bad, unlock) {
                Ok(()) => panic!(
                    "flip at byte {off} bit {} went unnoticed (encrypted {encrypted})",
                    i % 8
                ),
                Err(e) => e,
            };
            assert!(
                matches!(
                    e.kind(),
                    Kind::Corrupted
                        | Kind::Tampered
                        | Kind::NotABackup
                        | Kind::UnsupportedVersion
                        | Kind::UnsafeArchive
                ),
                "flip at {off}: unexpected kind {:?}: {e}",
                e.kind()
            );
        }
        // A flip deep in the payload, through restore.
        let o = Opened::open(&f.file).unwrap();
        let mid = (o.layout.payload.1.offset + o.layout.payload.1.len / 2) as usize;
        let mut b = bytes.clone();
        b[mid] ^= 0x10;
        std::fs::write(&bad, &b).unwrap();
        assert_eq!(restore_fails_cleanly(&f, &bad, unlock), Kind::Corrupted);
    }
}

#[test]
fn wrong_passphrase_is_its_own_error_and_changes_nothing() {
    let f = fixture(Some(PASS));
    let e = check(&f.file, Some(&pass("not the passphrase"))).unwrap_err();
    assert_eq!(e.kind(), Kind::WrongKey);
    assert_eq!(e.kind().exit_code(), 4);
    assert!(e.message().contains("passphrase"), "{e}");
    assert_eq!(
        restore_fails_cleanly(&f, &f.file, Some(&pass("not the passphrase"))),
        Kind::WrongKey
    );
    let e = check(&f.file, None).unwrap_err();
    assert_eq!(e.kind(), Kind::WrongKey, "no passphrase given");
}

/// Rewrites one entry of a container (fixing its header), keeping the rest.
fn rewrite_entry(src: &Path, dst: &Path, name: &str, edit: impl Fn(Vec<u8>) -> Vec<u8>) {
    let o = Opened::open(src).unwrap();
    let bytes = std::fs::read(src).unwrap();
    let mut parts = vec![("carevault.json".to_string(), o.layout.metadata)];
    parts.extend(o.layout.slots.iter().cloned());
    parts.push(o.layout.payload.clone());
    parts.push(o.layout.manifest.clone());
    parts.push(("payload.sha256".to_string(), o.layout.payload_sum));
    if let Some((record, signature)) = o.layout.origin {
        parts.push(("origin.json".to_string(), record));
        parts.push(("origin.json.minisig".to_string(), signature));
    }
    let mut out = Vec::new();
    for (n, ext) in parts {
        let mut data = bytes[ext.offset as usize..(ext.offset + ext.len) as usize].to_vec();
        if n == name {
            data = edit(data);
        }
        out.extend_from_slice(&header_block(&n, data.len() as u64, 0).unwrap());
        let l = data.len();
        out.extend_from_slice(&data);
        out.resize(out.len() + (512 - l % 512) % 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    std::fs::write(dst, out).unwrap();
}

fn edit_json(bytes: Vec<u8>, f: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    f(&mut v);
    serde_json::to_vec_pretty(&v).unwrap()
}

#[test]
fn edited_readable_metadata_is_reported_as_tampering() {
    for encrypted in [true, false] {
        let f = fixture(encrypted.then_some(PASS));
        let unlock = pass(PASS);
        let unlock = encrypted.then_some(&unlock);
        for (field, value) in [
            ("label", "Totally legit"),
            ("created_by", "admin"),
            ("created_at", "2020-01-01T00:00:00Z"),
            ("facility", "Elsewhere"),
        ] {
            let bad = f.work.join(format!("edit-{field}.bin"));
            rewrite_entry(&f.file, &bad, "carevault.json", |b| {
                edit_json(b, |v| v[field] = value.into())
            });
            // The signed origin (format 1.1) shows the edit even to a
            // listing, without the key...
            let e = Opened::open(&bad)
                .err()
                .expect("an edited signed backup opens");
            assert_eq!(e.kind(), Kind::Tampered, "{field}: {e}");
            // ...and verify and restore catch it.
            let e = check(&bad, unlock).unwrap_err();
            assert_eq!(e.kind(), Kind::Tampered, "{field}: {e}");
            assert_eq!(e.kind().exit_code(), 7);
        }
        let bad = f.work.join("edit.bin");
        rewrite_entry(&f.file, &bad, "carevault.json", |b| {
            edit_json(b, |v| v["label"] = "x".into())
        });
        assert_eq!(restore_fails_cleanly(&f, &bad, unlock), Kind::Tampered);
    }
}

/// A newer version says so in the container header (covered by its
/// checksum) as well as in the readable details.
#[test]
fn a_newer_format_version_is_refused_with_its_own_message() {
    let f = fixture(Some(PASS));
    let bad = f.work.join("v2.bin");
    rewrite_entry(&f.file, &bad, "carevault.json", |b| {
        edit_json(b, |v| v["format_version"] = 2.into())
    });
    // The readable details alone saying 2 is damage...
    let e = Opened::open(&bad).err().expect("refused");
    assert_eq!(e.kind(), Kind::Tampered, "{e}");
    // ...a header that says 2 as well is a newer file.
    let mut bytes = std::fs::read(&bad).unwrap();
    let md_len = tar::Header::from_byte_slice(&bytes[..512]).size().unwrap();
    bytes[..512].copy_from_slice(
        &carevault_core::format::container::header_block_of_version(
            "carevault.json",
            md_len,
            0,
            (2, 0),
        )
        .unwrap(),
    );
    std::fs::write(&bad, &bytes).unwrap();
    let e = Opened::open(&bad).err().expect("refused");
    assert_eq!(e.kind(), Kind::UnsupportedVersion);
    assert_eq!(e.kind().exit_code(), 8);
    assert!(e.message().contains("version 2"), "{e}");
    assert!(e.advice().contains("update"), "{}", e.advice());
    assert_eq!(
        restore_fails_cleanly(&f, &bad, Some(&pass(PASS))),
        Kind::UnsupportedVersion
    );
}

#[test]
fn appended_garbage_and_swapped_key_slots_are_detected() {
    let f = fixture(Some(PASS));
    let mut bytes = std::fs::read(&f.file).unwrap();
    bytes.extend_from_slice(b"garbage after the end");
    let bad = f.work.join("append.bin");
    std::fs::write(&bad, &bytes).unwrap();
    assert_eq!(
        check(&bad, Some(&pass(PASS))).unwrap_err().kind(),
        Kind::Corrupted
    );
    // A passphrase slot taken from another backup: damage, not a wrong passphrase.
    let other = fixture(Some(PASS));
    let o = Opened::open(&other.file).unwrap();
    let slot = o.slots()[0].1.clone();
    let bad = f.work.join("foreign-slot.bin");
    rewrite_entry(&f.file, &bad, "key-passphrase.age", |_| slot.clone());
    assert_eq!(
        check(&bad, Some(&pass(PASS))).unwrap_err().kind(),
        Kind::Corrupted
    );
}
