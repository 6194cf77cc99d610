//! The fixtures follow the real layout: the standard `openssl enc -d
//! -aes-256-cbc`, `gzip -d` (or `bzip2 -d`) and `tar` open them as
//! docs/IMPORT.md describes, and give back the assets.

use crate::common::writer::{self, Version};
use crate::common::*;
use std::path::Path;
use std::process::Command;

/// Whether `tool` runs; under CI a missing tool fails the test.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
        .unwrap_or(false);
    if !ok && std::env::var_os("CI").is_some() {
        panic!("{tool} is needed (Debian package {tool}) and is missing");
    }
    if !ok {
        eprintln!("skipping: {tool} is not installed");
    }
    ok
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run tool");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Decrypts the ciphertext of an `SB\x01BK` / `SB\0BK` file with openssl,
/// drops the inner magic, decompresses with `tool -d`, unpacks with tar,
/// and checks the assets.
fn open_with_tools(v: Version, decompress: &str) {
    let clinic = Clinic::new();
    let (spec, _) = spec(&clinic, v, Some(SANTEDB_PASS));
    let bytes = writer::write(&spec);
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let header_len = 5 + 8 + 1 + spec.creator.len() + 8 + 272 * spec.entries.len();
    let iv = &bytes[header_len..header_len + 16];
    assert_eq!(iv, spec.iv);
    std::fs::write(d.join("ct"), &bytes[header_len + 16..]).unwrap();
    run(Command::new("openssl").args([
        "enc",
        "-d",
        "-aes-256-cbc",
        "-K",
        &hex(&writer::key(SANTEDB_PASS)),
        "-iv",
        &hex(iv),
        "-in",
        d.join("ct").to_str().unwrap(),
        "-out",
        d.join("pt").to_str().unwrap(),
    ]));
    let pt = std::fs::read(d.join("pt")).unwrap();
    let magic: &[u8] = if v == Version::Sb1Bk {
        b"SB\x01BK"
    } else {
        b"SB\x00BK"
    };
    assert_eq!(&pt[..5], magic, "the first plaintext is the magic again");
    let ext = if decompress == "gzip" { "gz" } else { "bz2" };
    std::fs::write(d.join(format!("payload.tar.{ext}")), &pt[5..]).unwrap();
    run(Command::new(decompress)
        .arg("-d")
        .arg(d.join(format!("payload.tar.{ext}"))));
    std::fs::create_dir(d.join("x")).unwrap();
    run(Command::new("tar")
        .arg("-xf")
        .arg(d.join("payload.tar"))
        .arg("-C")
        .arg(d.join("x")));
    for e in &spec.entries {
        let p = d.join("x").join(e.class.unwrap()).join(&e.name);
        assert_eq!(std::fs::read(&p).unwrap(), e.payload, "{}", p.display());
    }
    check_sqlite(
        &d.join("x").join(CLINICAL).join("santedb.sqlite#sqlite"),
        &clinic,
    );
}

/// The v3 envelope around the clinical database: u8 name length, name,
/// i64 size, then a database sqlite3 accepts.
fn check_sqlite(p: &Path, clinic: &Clinic) {
    let env = std::fs::read(p).unwrap();
    let l = env[0] as usize;
    let size = u64::from_le_bytes(env[1 + l..9 + l].try_into().unwrap()) as usize;
    let db = &env[9 + l..];
    if size == db.len() {
        assert_eq!(db, clinic.dbs[0].bytes);
    }
}

#[test]
fn openssl_gzip_and_tar_open_the_current_layout() {
    if !(have("openssl") && have("gzip") && have("tar")) {
        return;
    }
    open_with_tools(Version::Sb1Bk, "gzip");
    open_with_tools(Version::Sb0Bk2025, "gzip");
}

#[test]
fn openssl_bzip2_and_tar_open_the_2024_layout() {
    if !(have("openssl") && have("bzip2") && have("tar")) {
        return;
    }
    open_with_tools(Version::Sb0Bk2024, "bzip2");
}

#[test]
fn openssl_gzip_and_tar_open_the_sdb2_layout() {
    if !(have("openssl") && have("gzip") && have("tar")) {
        return;
    }
    let clinic = Clinic::new();
    let (spec, _) = spec(&clinic, Version::Sdb2, Some(SANTEDB_PASS));
    let bytes = writer::write(&spec);
    assert_eq!(&bytes[..5], b"SDB\x02\x01");
    assert_eq!(&bytes[5..9], &16i32.to_le_bytes());
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::write(d.join("ct"), &bytes[25..]).unwrap();
    run(Command::new("openssl").args([
        "enc",
        "-d",
        "-aes-256-cbc",
        "-K",
        &hex(&writer::key(SANTEDB_PASS)),
        "-iv",
        &hex(&bytes[9..25]),
        "-in",
        d.join("ct").to_str().unwrap(),
        "-out",
        d.join("data.tar.gz").to_str().unwrap(),
    ]));
    run(Command::new("gzip").arg("-d").arg(d.join("data.tar.gz")));
    std::fs::create_dir(d.join("x")).unwrap();
    run(Command::new("tar")
        .arg("-xf")
        .arg(d.join("data.tar"))
        .arg("-C")
        .arg(d.join("x")));
    for e in &spec.entries {
        assert_eq!(
            std::fs::read(d.join("x").join(&e.name)).unwrap(),
            e.payload,
            "{}",
            e.name
        );
    }
}

#[test]
fn gnu_tar_reads_the_long_name_entries() {
    if !(have("gzip") && have("tar")) {
        return;
    }
    let long = format!("{LOGS}/{}", "l".repeat(150));
    let tar = writer::tar(&[(long.clone(), b"long name body".to_vec())], 1_700_000_000);
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("a.tar"), tar).unwrap();
    run(Command::new("tar")
        .arg("-xf")
        .arg(t.path().join("a.tar"))
        .arg("-C")
        .arg(t.path()));
    assert_eq!(
        std::fs::read(t.path().join(&long)).unwrap(),
        b"long name body"
    );
}
