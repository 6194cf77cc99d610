//! The damage sweep: truncations at many offsets and bit flips in the
//! header, the asset table, the ciphertext and the gzip trailer of every
//! layout. No damaged file may import partially and report success: an
//! import either is refused (leaving nothing, with a message naming what
//! failed) or brings every asset over byte for byte (a flip the format
//! cannot see, such as one in the creation time).

use crate::common::writer::{self, Version};
use crate::common::*;
use carevault_core::Kind;

/// Words one of which every refusal names: the layer or check that failed.
const NAMES: [&str; 17] = [
    "magic",
    "creator",
    "creation time",
    "tar",
    "gzip",
    "bzip2",
    "AES",
    "padding",
    "header",
    "IV",
    "database",
    "asset",
    "passphrase",
    "encrypted",
    "file is empty",
    "SanteDB backup",
    "entry",
];

struct Tally {
    refused: usize,
    intact: usize,
}

fn check(
    h: &Home,
    what: &str,
    bytes: &[u8],
    pass: Option<&str>,
    exp: &Expect,
    must_refuse: bool,
    tally: &mut Tally,
) {
    let file = h.write_fixture("damaged.bin", bytes);
    match h.import(&file, pass, false) {
        Err(e) => {
            tally.refused += 1;
            assert!(
                NAMES.iter().any(|n| e.message().contains(n)),
                "{what}: the refusal names no layer: {e}"
            );
            assert!(!e.advice().is_empty(), "{what}");
            assert_ne!(e.kind(), Kind::Internal, "{what}: {e}");
            assert!(h.out_files().is_empty(), "{what}: left {:?}", h.out_files());
            if must_refuse {
                // A cut at a block boundary after complete tar data looks
                // like damage to the last block: it must say so.
                assert!(
                    e.kind() == Kind::Truncated
                        || (e.kind() == Kind::Corrupted && e.message().contains("cut short")),
                    "{what}: {e}"
                );
            }
        }
        Ok(out) => {
            assert!(!must_refuse, "{what}: a truncated file was imported");
            let path = out.backup.unwrap().path;
            let (restored, _t) = verify_and_restore(&path);
            for (p, b) in &exp.files {
                assert!(
                    restored.get(p) == Some(b),
                    "{what}: imported with {p} different: a partial import reported as success"
                );
            }
            std::fs::remove_file(&path).unwrap();
            tally.intact += 1;
        }
    }
}

fn sweep(v: Version, pass: Option<&str>) -> Tally {
    let clinic = Clinic::new();
    let (spec, exp) = spec(&clinic, v, pass);
    let bytes = writer::write(&spec);
    let h = Home::new();
    let n = bytes.len();
    let mut t = Tally {
        refused: 0,
        intact: 0,
    };
    // Truncations: every header byte boundary region, then spread offsets,
    // then the last bytes.
    let mut cuts: Vec<usize> = (0..64)
        .chain((0..24).map(|i| 64 + (n - 80) * i / 24))
        .collect();
    cuts.extend((1..=20).map(|k| n - k));
    cuts.sort();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|&c| c < n) {
        check(
            &h,
            &format!("{v:?} cut at {cut}/{n}"),
            &bytes[..cut],
            pass,
            &exp,
            true,
            &mut t,
        );
    }
    // Bit flips: header and table (first bytes), the body, the trailer.
    let table_end = (5 + 8 + 1 + spec.creator.len() + 8 + 272 * spec.entries.len() + 16).min(n);
    let mut flips: Vec<usize> = (0..24).collect();
    flips.extend((0..16).map(|i| 24 + (table_end.saturating_sub(24)) * i / 16));
    flips.extend((0..24).map(|i| table_end + (n - table_end - 1) * i / 24));
    flips.extend((1..=12).map(|k| n - k));
    flips.sort();
    flips.dedup();
    for at in flips.into_iter().filter(|&a| a < n) {
        let mut d = bytes.clone();
        d[at] ^= 0x04;
        check(
            &h,
            &format!("{v:?} flip at {at}/{n}"),
            &d,
            pass,
            &exp,
            false,
            &mut t,
        );
    }
    eprintln!(
        "{v:?} encrypted={}: {} damaged files refused, {} imported intact, 0 partial",
        pass.is_some(),
        t.refused,
        t.intact
    );
    t
}

#[test]
fn damage_sweep_current_layout_encrypted() {
    let t = sweep(Version::Sb1Bk, Some(SANTEDB_PASS));
    assert!(t.refused > 150, "{} refused", t.refused);
}

#[test]
fn damage_sweep_current_layout_plain() {
    let t = sweep(Version::Sb1Bk, None);
    assert!(t.refused > 150, "{} refused", t.refused);
}

#[test]
fn damage_sweep_bzip2_layouts() {
    for v in [Version::Sb0Bk2024, Version::Sb0BkJan2024] {
        sweep(v, Some(SANTEDB_PASS));
    }
    sweep(Version::Sdb3, Some(SANTEDB_PASS));
}

#[test]
fn damage_sweep_older_layouts() {
    sweep(Version::Sdb2, Some(SANTEDB_PASS));
    sweep(Version::TarGz, None);
    sweep(Version::Sb0Bk2025, Some(SANTEDB_PASS));
}
