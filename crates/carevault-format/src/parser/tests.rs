//! The parser fed real containers (one written with carevault's own
//! headers, one by the `tar` program) whole, a byte at a time and with
//! seeks, and fed hostile ones: cut at every offset, padded, appended to.

use super::*;
use crate::container::header_block;
use std::process::Command;

/// The parts of an encrypted backup, in the container's order, with sizes
/// that leave every kind of padding (none, one byte, 511 bytes).
fn parts() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "carevault.json",
            br#"{"format":"carevault-backup"}"#.to_vec(),
        ),
        ("key-passphrase.age", vec![7u8; 512]),
        ("key-recovery.age", vec![8u8; 511]),
        ("payload.tar.zst.age", vec![9u8; 3000]),
        ("manifest.json.age", vec![10u8; 1]),
        ("payload.sha256", vec![b'a'; 84]),
    ]
}

/// A container as carevault writes it: its own headers (with the version
/// mark), zero padding, two zero blocks, nothing after.
fn carevault_container() -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in parts() {
        out.extend_from_slice(&header_block(name, data.len() as u64, 0).unwrap());
        out.extend_from_slice(&data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// The same parts packed by the `tar` program (GNU tar spells the
/// checksum `%06o\0 ` and pads the archive to a whole 10 KiB record).
fn tar_container() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<&str> = parts().iter().map(|(n, _)| *n).collect();
    for (name, data) in parts() {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    let out = dir.path().join("backup.tar");
    let status = Command::new("tar")
        .arg("--format=ustar")
        .arg("-cf")
        .arg(&out)
        .arg("-C")
        .arg(dir.path())
        .args(&names)
        .status()
        .expect("the tar program runs (Debian package tar)");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

/// Fed in slices of `chunk` bytes (entry data included).
fn fed_in_chunks(bytes: &[u8], chunk: usize) -> Result<Layout> {
    let mut p = Parser::new(bytes.len() as u64);
    let mut step = p.feed(&[])?;
    for piece in bytes.chunks(chunk) {
        step = p.feed(piece)?;
    }
    match step {
        Step::Done(l) => Ok(l),
        other => panic!("the whole file was fed, yet the parser says {other:?}"),
    }
}

/// Driven as a reader of a file does: read what it needs, seek past data.
fn driven(bytes: &[u8]) -> Result<Layout> {
    let mut p = Parser::new(bytes.len() as u64);
    let mut step = p.feed(&[])?;
    loop {
        let at = p.position() as usize;
        step = match step {
            Step::Need(n) => p.feed(&bytes[at..at + n])?,
            Step::Skip(n) => p.skip(n)?,
            Step::Done(l) => return Ok(l),
        };
    }
}

fn refusal_id(e: &Error) -> String {
    match e.message() {
        Some(m) => m.id().to_string(),
        None => "not-a-backup".into(),
    }
}

fn assert_layout_of_parts(l: &Layout) {
    assert_eq!(
        l.metadata,
        Extent {
            offset: 512,
            len: 29
        }
    );
    let slots: Vec<(&str, u64)> = l.slots.iter().map(|(n, e)| (n.as_str(), e.len)).collect();
    assert_eq!(
        slots,
        [("key-passphrase.age", 512), ("key-recovery.age", 511)]
    );
    assert_eq!(l.payload.0, "payload.tar.zst.age");
    assert_eq!(l.payload.1.len, 3000);
    assert_eq!(l.manifest.0, "manifest.json.age");
    assert_eq!(l.manifest.1.len, 1);
    assert_eq!(l.payload_sum.len, 84);
    assert_eq!(l.origin, None);
    // Six headers, 1 + 1 + 1 + 6 + 1 + 1 data blocks, two end blocks.
    assert_eq!(l.file_len, (6 + 11 + 2) * 512);
}

#[test]
fn a_carevault_container_gives_the_same_layout_fed_whole_byte_by_byte_or_with_seeks() {
    let bytes = carevault_container();
    let whole = fed_in_chunks(&bytes, bytes.len()).unwrap();
    assert_layout_of_parts(&whole);
    assert_eq!(whole.version_mark, Some((1, 1)));
    assert_eq!(fed_in_chunks(&bytes, 1).unwrap(), whole);
    assert_eq!(fed_in_chunks(&bytes, 700).unwrap(), whole);
    assert_eq!(driven(&bytes).unwrap(), whole);
}

#[test]
fn a_container_written_by_gnu_tar_gives_the_same_layout_fed_whole_or_byte_by_byte() {
    let bytes = tar_container();
    // tar pads to a whole record: accepted in a file without carevault's mark.
    assert_eq!(bytes.len() % 10_240, 0);
    let whole = fed_in_chunks(&bytes, bytes.len()).unwrap();
    assert_layout_of_parts(&whole);
    assert_eq!(whole.version_mark, None);
    assert_eq!(fed_in_chunks(&bytes, 1).unwrap(), whole);
    assert_eq!(driven(&bytes).unwrap(), whole);
}

#[test]
fn a_prefix_of_a_good_container_only_ever_asks_for_more() {
    let bytes = carevault_container();
    for cut in 0..bytes.len() {
        let mut p = Parser::new(bytes.len() as u64);
        match p.feed(&bytes[..cut]) {
            Ok(Step::Need(n)) => assert!(n > 0 && n <= 512, "cut {cut}: need {n}"),
            Ok(Step::Skip(n)) => assert!(n > 0, "cut {cut}"),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn a_container_cut_short_at_any_offset_is_truncated_never_a_panic() {
    let bytes = carevault_container();
    for cut in 0..bytes.len() {
        let cut_file = &bytes[..cut];
        for refused in [fed_in_chunks(cut_file, 512.max(cut)), driven(cut_file)] {
            let e = refused.expect_err("a cut file is refused");
            assert!(matches!(e, Error::Truncated(_)), "cut at {cut}: {e:?}");
        }
    }
}

#[test]
fn one_byte_after_the_end_of_a_marked_container_is_damage() {
    let mut bytes = carevault_container();
    bytes.push(0);
    let e = fed_in_chunks(&bytes, 1).unwrap_err();
    assert_eq!(refusal_id(&e), "core-bytes-after-end");
}

#[test]
fn tar_record_padding_must_be_zeros_and_end_at_the_record() {
    let mut bytes = tar_container();
    let last = bytes.len() - 1;
    bytes[last] = 1;
    assert_eq!(
        refusal_id(&fed_in_chunks(&bytes, 1).unwrap_err()),
        "core-bytes-after-end"
    );
    bytes[last] = 0;
    bytes.push(0);
    assert_eq!(
        refusal_id(&driven(&bytes).unwrap_err()),
        "core-bytes-after-end"
    );
}

#[test]
fn a_nonzero_padding_byte_is_damage_and_the_refusal_is_kept() {
    let mut bytes = carevault_container();
    // The metadata's padding: data at 512..541, padding to 1024.
    bytes[1000] = 1;
    let mut p = Parser::new(bytes.len() as u64);
    let e = p.feed(&bytes).unwrap_err();
    assert_eq!(refusal_id(&e), "core-padding-damaged");
    // Fed again, the parser says the same, and never a layout.
    let again = p.feed(&bytes[..10]).unwrap_err();
    assert_eq!(refusal_id(&again), "core-padding-damaged");
}

#[test]
fn a_damaged_end_marker_and_a_missing_part_are_refused() {
    let mut bytes = carevault_container();
    let n = bytes.len();
    bytes[n - 1] = 1;
    assert_eq!(
        refusal_id(&driven(&bytes).unwrap_err()),
        "core-end-marker-damaged"
    );

    let mut short = Vec::new();
    for (name, data) in parts().into_iter().take(3) {
        short.extend_from_slice(&header_block(name, data.len() as u64, 0).unwrap());
        short.extend_from_slice(&data);
        short.resize(short.len().div_ceil(512) * 512, 0);
    }
    short.resize(short.len() + 1024, 0);
    assert_eq!(
        refusal_id(&driven(&short).unwrap_err()),
        "core-missing-parts"
    );
}

#[test]
fn more_than_eight_parts_are_refused_before_their_data_is_read() {
    let mut bytes = Vec::new();
    for i in 0..9 {
        let name = if i == 0 { "carevault.json" } else { "extra" };
        bytes.extend_from_slice(&header_block(name, 0, 0).unwrap());
    }
    bytes.resize(bytes.len() + 1024, 0);
    assert_eq!(
        refusal_id(&fed_in_chunks(&bytes, 1).unwrap_err()),
        "core-too-many-parts"
    );
}

#[test]
fn a_size_near_two_to_the_64_is_truncation_not_an_overflow() {
    let mut bytes = carevault_container();
    // The metadata's size as a GNU base-256 number of all ones.
    bytes[124] = 0x80;
    bytes[125..128].fill(0);
    bytes[128..136].fill(0xff);
    bytes[148..156].fill(b' ');
    let sum: u32 = bytes[..512].iter().map(|&b| b as u32).sum();
    bytes[148..156].copy_from_slice(format!("{sum:07o}\0").as_bytes());
    let e = driven(&bytes).unwrap_err();
    assert!(matches!(e, Error::Truncated(_)), "{e:?}");
}

#[test]
fn a_file_of_another_kind_is_not_a_backup() {
    assert!(matches!(
        fed_in_chunks(b"%PDF-1.7 and more", 3).unwrap_err(),
        Error::NotABackup
    ));
    assert!(matches!(
        fed_in_chunks(&[b'x'; 2048], 100).unwrap_err(),
        Error::NotABackup
    ));
    // The start of a backup cut inside its first header is a cut backup.
    assert!(matches!(
        fed_in_chunks(b"carevault.js", 1).unwrap_err(),
        Error::Truncated(_)
    ));
    assert!(matches!(
        fed_in_chunks(b"", 1).unwrap_err(),
        Error::Truncated(_)
    ));
}

/// The checksum fix-up of the fuzz target `layout`, so that its inputs
/// reach the fields behind the checksum.
fn fix_checksums(data: &mut [u8]) {
    for block in data.chunks_exact_mut(512) {
        if &block[257..262] == b"ustar" {
            block[148..156].fill(b' ');
            let sum: u32 = block.iter().map(|&b| b as u32).sum();
            block[148..156].copy_from_slice(format!("{sum:07o}\0").as_bytes());
        }
    }
}

#[test]
fn the_layout_fuzz_regressions_replay_without_a_panic_and_decide_alike_fed_or_driven() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/layout");
    let mut replayed = 0;
    for f in std::fs::read_dir(dir).unwrap() {
        let mut data = std::fs::read(f.unwrap().path()).unwrap();
        fix_checksums(&mut data);
        let fed = fed_in_chunks(&data, data.len().max(1));
        let drove = driven(&data);
        assert_eq!(format!("{fed:?}"), format!("{drove:?}"));
        assert!(matches!(fed, Err(Error::Truncated(_))), "{fed:?}");
        replayed += 1;
    }
    assert!(replayed > 0);
}
