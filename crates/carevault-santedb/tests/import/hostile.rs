//! What SanteDB cannot tell, the import tells; hostile SanteDB files are
//! refused in bounded time and memory, and nothing is left behind.

use crate::common::writer::{self, Entry, Spec, Version};
use crate::common::*;
use carevault_core::Kind;

fn refused(h: &Home, bytes: &[u8], pass: Option<&str>) -> carevault_core::Error {
    let file = h.write_fixture("hostile.bin", bytes);
    let e = match h.import(&file, pass, false) {
        Ok(o) => panic!("imported: {:?}", o.source.warnings),
        Err(e) => e,
    };
    assert!(
        h.out_files().is_empty(),
        "a refused import left {:?}",
        h.out_files()
    );
    e
}

fn small_spec(v: Version, pass: Option<&str>) -> (Spec, Expect) {
    let clinic = Clinic::new();
    spec(&clinic, v, pass)
}

#[test]
fn wrong_passphrase_is_told_apart_from_damage() {
    for v in [
        Version::Sdb2,
        Version::Sdb3,
        Version::Sb0Bk2023,
        Version::Sb0BkJan2024,
        Version::Sb0Bk2024,
        Version::Sb0Bk2025,
        Version::Sb1Bk,
    ] {
        let (spec, _) = small_spec(v, Some(SANTEDB_PASS));
        let h = Home::new();
        let e = refused(&h, &writer::write(&spec), Some("not the passphrase"));
        assert_eq!(e.kind(), Kind::WrongKey, "{v:?}: {e}");
        assert_eq!(e.kind().exit_code(), 4);
        assert!(e.message().contains("passphrase"), "{e}");
    }
}

#[test]
fn damaged_first_cipher_block_with_the_right_passphrase_is_damage_not_wrong_key() {
    let (spec, _) = small_spec(Version::Sb1Bk, Some(SANTEDB_PASS));
    let mut bytes = writer::write(&spec);
    // The ciphertext starts right after the IV; the clear header is
    // 5 + 8 + 1 + creator + 8 + 272 N + 16 bytes.
    let at = 5 + 8 + 1 + spec.creator.len() + 8 + 272 * spec.entries.len() + 16;
    bytes[at + 3] ^= 0x40;
    let h = Home::new();
    let e = refused(&h, &bytes, Some(SANTEDB_PASS));
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    assert!(e.message().contains("start of the encrypted data"), "{e}");
    // A flipped IV bit shows in the magic: damage too.
    let mut bytes = writer::write(&spec);
    bytes[at - 16] ^= 0x01;
    let e = refused(&h, &bytes, Some(SANTEDB_PASS));
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    assert!(e.message().contains("IV"), "{e}");
}

#[test]
fn a_flipped_bit_in_the_gzip_trailer_is_a_crc_failure() {
    let (spec, _) = small_spec(Version::Sb1Bk, None);
    let mut bytes = writer::write(&spec);
    let n = bytes.len();
    bytes[n - 6] ^= 0x10; // inside the CRC-32
    let h = Home::new();
    let e = refused(&h, &bytes, None);
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    assert!(
        e.message().contains("gzip") && e.message().contains("CRC"),
        "{e}"
    );
}

#[test]
fn a_damaged_last_block_is_a_padding_failure() {
    let (spec, _) = small_spec(Version::Sb1Bk, Some(SANTEDB_PASS));
    let mut bytes = writer::write(&spec);
    let n = bytes.len();
    bytes[n - 20] ^= 0x08; // the second-to-last block garbles the last one's padding
    let h = Home::new();
    let e = refused(&h, &bytes, Some(SANTEDB_PASS));
    assert!(matches!(e.kind(), Kind::Corrupted), "{e}");
    assert!(
        e.message().contains("padding") || e.message().contains("gzip"),
        "{e}"
    );
}

#[test]
fn truncated_files_are_refused_never_partially_imported() {
    for v in [
        Version::Sb1Bk,
        Version::Sb0Bk2024,
        Version::Sdb3,
        Version::TarGz,
    ] {
        let (spec, _) = small_spec(v, v.can_encrypt().then_some(SANTEDB_PASS));
        let bytes = writer::write(&spec);
        let h = Home::new();
        let e = refused(
            &h,
            &bytes[..bytes.len() * 2 / 3],
            spec.passphrase.as_deref(),
        );
        assert_eq!(e.kind(), Kind::Truncated, "{v:?}: {e}");
        assert_eq!(e.kind().exit_code(), 5);
    }
}

#[test]
fn an_asset_listed_in_the_header_but_missing_from_the_tar_is_refused() {
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    let mut rows: Vec<(&'static str, String)> = spec
        .entries
        .iter()
        .map(|e| (e.class.unwrap(), e.name.clone()))
        .collect();
    rows.push((LOGS, "santedb-20251130.log".into()));
    spec.table = Some(rows);
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    assert!(
        e.message().contains("santedb-20251130.log") && e.message().contains("no entry"),
        "{e}"
    );
}

#[test]
fn a_tar_entry_the_header_does_not_list_is_refused() {
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    let rows: Vec<(&'static str, String)> = spec
        .entries
        .iter()
        .skip(1)
        .map(|e| (e.class.unwrap(), e.name.clone()))
        .collect();
    spec.table = Some(rows);
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert!(e.message().contains("does not list"), "{e}");
}

#[test]
fn an_empty_sqlite_payload_is_refused_as_santedbs_silent_copy_failure() {
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    spec.entries[0].payload.clear();
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::CheckFailed, "{e}");
    assert!(
        e.message().contains("is empty") && e.message().contains("copy"),
        "{e}"
    );
}

#[test]
fn a_creator_name_over_255_bytes_is_refused_as_a_misaligned_header() {
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    spec.creator = "dr.".to_string() + &"mukasa".repeat(50); // 303 bytes
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    assert!(
        e.message().contains("303 bytes") && e.message().contains("misaligned"),
        "{e}"
    );
}

#[test]
fn names_santedbs_own_reader_could_not_match_are_reported_by_name() {
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    let i = spec
        .entries
        .iter()
        .position(|e| e.class == Some(LOGS))
        .unwrap();
    spec.entries[i].name = "C:\\SanteDB\\log\\santedb.log".into();
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert!(
        e.message().contains("SanteDB\\\\log") || e.message().contains("santedb.log"),
        "{e}"
    );
    assert!(e.message().contains("own reader"), "{e}");
}

#[test]
fn traversal_in_an_asset_name_or_a_folder_entry_is_refused() {
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    let i = spec
        .entries
        .iter()
        .position(|e| e.class == Some(LOGS))
        .unwrap();
    spec.entries[i].name = "../../../etc/cron.d/evil".into();
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert!(!h.t.path().join("etc").exists());

    let tar = writer::tar(&[("../outside.txt".into(), b"x".to_vec())], 0);
    let mut spec = Spec::new(Version::TarGz, vec![], None);
    spec.raw_tar = Some(tar);
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert!(!h.t.path().join("outside.txt").exists());
}

fn tar_with_kind(name: &str, kind: u8) -> Vec<u8> {
    let mut t = writer::header(name.as_bytes(), 0, Some(0), kind).to_vec();
    t.extend_from_slice(&[0u8; 1024]);
    t
}

#[test]
fn links_devices_and_pipes_are_refused() {
    for kind in [b'1', b'2', b'3', b'4', b'6'] {
        for v in [Version::TarGz, Version::Sb1Bk] {
            let name = if v == Version::TarGz {
                "ctxkey.key".to_string()
            } else {
                format!("{CTXKEY}/ctxkey.key")
            };
            let mut spec = Spec::new(v, vec![], None);
            spec.raw_tar = Some(tar_with_kind(&name, kind));
            spec.table = Some(vec![(CTXKEY, "ctxkey.key".into())]);
            let h = Home::new();
            let e = refused(&h, &writer::write(&spec), None);
            assert_eq!(e.kind(), Kind::UnsafeArchive, "{v:?} {}: {e}", kind as char);
        }
    }
}

#[test]
fn huge_claims_are_refused_before_any_work() {
    // A tar entry claiming 8 GiB in a file of a few kilobytes.
    let mut t = writer::header(
        format!("{LOGS}/big.log").as_bytes(),
        0o77777777777,
        Some(0),
        0,
    )
    .to_vec();
    t.extend_from_slice(&[0u8; 4096]);
    let mut spec = Spec::new(Version::Sb1Bk, vec![], None);
    spec.raw_tar = Some(t);
    spec.table = Some(vec![(LOGS, "big.log".into())]);
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert!(e.message().contains("claims"), "{e}");

    // An asset count of 2^40.
    let (spec, _) = small_spec(Version::Sb1Bk, None);
    let mut bytes = writer::write(&spec);
    let at = 5 + 8 + 1 + spec.creator.len();
    bytes[at + 5] = 1;
    let e = refused(&h, &bytes, None);
    assert_eq!(e.kind(), Kind::Corrupted, "{e}");
    assert!(e.message().contains("assets"), "{e}");

    // A long name of 1 GiB.
    let mut t = writer::header(b"././@LongLink", 1 << 30, None, b'L').to_vec();
    t.extend_from_slice(&[b'a'; 512]);
    let mut spec = Spec::new(Version::Sb1Bk, vec![], None);
    spec.raw_tar = Some(t);
    spec.table = Some(vec![]);
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert!(e.message().contains("long-name"), "{e}");
}

fn zero_entries(n: usize, size: usize) -> Vec<(String, Vec<u8>)> {
    (0..n)
        .map(|i| (format!("{LOGS}/zeros-{i}.log"), vec![0u8; size]))
        .collect()
}

#[test]
fn gzip_and_bzip2_bombs_are_refused() {
    // Each entry is honest about its size; together they decompress to far
    // more than the file could hold.
    let entries = zero_entries(8, 24 << 20);
    let table: Vec<(&'static str, String)> =
        (0..8).map(|i| (LOGS, format!("zeros-{i}.log"))).collect();
    for v in [Version::Sb1Bk, Version::Sdb3] {
        let mut spec = Spec::new(v, vec![], None);
        spec.raw_tar = Some(writer::tar(&entries, 0));
        spec.table = Some(table.clone());
        let bytes = writer::write(&spec);
        assert!(
            bytes.len() < 1 << 20,
            "{v:?}: a bomb is small ({} bytes)",
            bytes.len()
        );
        let h = Home::new();
        let e = refused(&h, &bytes, None);
        assert_eq!(e.kind(), Kind::UnsafeArchive, "{v:?}: {e}");
        assert!(e.message().contains("bomb"), "{e}");
        assert!(!h.to.exists() || h.out_files().is_empty());
    }
}

#[test]
fn long_names_come_over_and_overlong_ones_are_reported() {
    let name = format!("{}-{}.log", "santedb", "x".repeat(180));
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    let i = spec
        .entries
        .iter()
        .position(|e| e.class == Some(LOGS))
        .unwrap();
    spec.entries[i].name = name.clone();
    let h = Home::new();
    let file = h.write_fixture("long.bin", &writer::write(&spec));
    let out = h.import(&file, None, false).unwrap();
    assert!(out
        .source
        .assets
        .iter()
        .any(|a| a.path == format!("data/santedb/logs/{name}")));

    // Over 256 bytes: the table cuts the name, so it no longer matches.
    let (mut spec, _) = small_spec(Version::Sb1Bk, None);
    spec.entries[i].name = "y".repeat(300);
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
}

#[test]
fn a_file_that_is_no_santedb_backup_says_so() {
    let h = Home::new();
    let e = refused(&h, b"PK\x03\x04 this is a zip file", None);
    assert_eq!(e.kind(), Kind::NotABackup, "{e}");
    let e = refused(&h, b"", None);
    assert_eq!(e.kind(), Kind::Truncated, "{e}");
}

#[test]
fn a_sqlcipher_keyed_database_is_refused_plainly() {
    let (mut spec, _) = small_spec(Version::Sb0BkJan2024, None);
    let keyed: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
        .collect();
    spec.entries[0].payload = writer::env_v1("secret-db-key", &keyed);
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::UnsupportedVersion, "{e}");
    assert!(e.message().contains("SQLCipher"), "{e}");
}

#[test]
fn an_encrypted_backup_without_a_passphrase_asks_for_one() {
    let (spec, _) = small_spec(Version::Sb1Bk, Some(SANTEDB_PASS));
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), None);
    assert_eq!(e.kind(), Kind::Usage, "{e}");
}

#[test]
fn sdb2_later_entries_replace_earlier_ones_of_the_same_name() {
    let clinic = Clinic::new();
    let (mut entries, _) = crate::common::entries(&clinic, Version::Sdb2);
    entries.insert(
        0,
        Entry {
            class: None,
            name: "santedb.config.xml".into(),
            payload: b"<old/>".to_vec(),
        },
    );
    let spec = Spec::new(Version::Sdb2, entries, None);
    let h = Home::new();
    let file = h.write_fixture("b.sdbk", &writer::write(&spec));
    let out = h.import(&file, None, false).unwrap();
    let (restored, _t) = verify_and_restore(&out.backup.unwrap().path);
    assert_ne!(
        restored["data/santedb/folder/santedb.config.xml"],
        b"<old/>".to_vec()
    );
}

#[test]
fn a_refused_import_is_audited_as_a_failure_with_its_reason() {
    let (spec, _) = small_spec(Version::Sb1Bk, Some(SANTEDB_PASS));
    let h = Home::new();
    let e = refused(&h, &writer::write(&spec), Some("wrong"));
    let log = carevault_core::audit::read(&h.home).unwrap();
    let v = serde_json::to_value(log.last().unwrap()).unwrap();
    assert_eq!(v["action"], "import");
    assert_eq!(v["outcome"], "failure");
    assert_eq!(v["reason"], e.message());
}

#[test]
fn a_staging_folder_left_by_a_killed_import_is_removed_by_the_next() {
    let (spec, _) = small_spec(Version::Sb1Bk, None);
    let h = Home::new();
    let stale = h.to.join(".santedb-import-killed");
    std::fs::create_dir_all(stale.join("home/data")).unwrap();
    std::fs::write(stale.join(".lock"), b"import running\n").unwrap();
    std::fs::write(stale.join("home/data/half.db"), b"half an asset").unwrap();
    let file = h.write_fixture("b.bin", &writer::write(&spec));
    let out = h.import(&file, None, false).unwrap();
    assert!(!stale.exists());
    let name = out
        .backup
        .unwrap()
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(h.out_files(), vec![name]);
}

#[test]
fn entry_names_in_the_windows_code_page_match_their_utf8_asset() {
    // .NET Framework on Windows wrote tar names in the ANSI code page.
    let mut t = writer::header(
        format!("{LOGS}/caf\u{e9}.log")
            .replace('\u{e9}', "\u{1}")
            .as_bytes(),
        4,
        Some(0),
        0,
    )
    .to_vec();
    let at = t.iter().position(|&b| b == 1).unwrap();
    t[at] = 0xe9; // 'é' in Windows-1252
    t[148..156].fill(b' ');
    let sum: u32 = t.iter().map(|&b| b as u32).sum();
    t[148..156].copy_from_slice(format!("{:>7o} ", sum).as_bytes());
    t.extend_from_slice(b"log\n");
    t.resize(1024, 0);
    t.extend_from_slice(&[0u8; 1024]);
    let mut spec = Spec::new(Version::Sb1Bk, vec![], None);
    spec.raw_tar = Some(t);
    spec.table = Some(vec![(LOGS, "caf\u{e9}.log".into())]);
    let h = Home::new();
    let file = h.write_fixture("ansi.bin", &writer::write(&spec));
    let out = h.import(&file, None, false).unwrap();
    assert_eq!(out.source.assets[0].path, "data/santedb/logs/caf\u{e9}.log");
    assert!(
        out.source
            .warnings
            .iter()
            .map(|w| w.render(carevault_core::i18n::Lang::En))
            .any(|w| w.contains("Windows-1252")),
        "{:?}",
        out.source.warnings
    );
}

#[test]
fn random_bytes_after_every_magic_are_refused_without_a_panic() {
    let mut x: u64 = 0x2545f4914f6cdd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let h = Home::new();
    let magics: [&[u8]; 6] = [
        b"\x1f\x8b",
        b"SDB\x02\x01",
        b"SDB\x02\x00",
        b"BZh9",
        b"SB\x00BK",
        b"SB\x01BK",
    ];
    for m in magics {
        for len in [0usize, 3, 9, 20, 40, 300, 3000] {
            let mut b = m.to_vec();
            b.extend((0..len).map(|_| next() as u8));
            let file = h.write_fixture("random.bin", &b);
            let e = h.import(&file, Some(SANTEDB_PASS), true).unwrap_err();
            assert_ne!(e.kind(), Kind::Internal, "{e}");
        }
    }
}
