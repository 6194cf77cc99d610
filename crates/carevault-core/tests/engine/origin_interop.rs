//! Interoperability of the signed origin: the standard `minisign` CLI
//! checks a real backup's `origin.json` with the commands of
//! docs/FORMAT.md ("Checking where a backup comes from"), and `sha256sum`
//! ties the record to the parts it names. Each command used here is first
//! checked to be in that section verbatim.
//!
//! Needs `tar`, `sha256sum` and `minisign` (Debian packages tar, coreutils,
//! minisign). With the environment variable `CI` set a missing tool fails
//! the test; otherwise the test says so and checks nothing.

use crate::common::*;
use carevault_core::archive::reader::Opened;
use carevault_core::provenance::device_key;
use std::path::Path;
use std::process::Command;

const EXTRACT: &str = "tar -xf ../Backup-X.bin origin.json origin.json.minisig";
const VERIFY: &str = "minisign -Vm origin.json -P RW...";
const HASHES: &str = "sha256sum payload.tar.zst.age manifest.json.age";

fn tools_present() -> bool {
    let missing: Vec<&str> = ["tar", "sha256sum", "minisign"]
        .into_iter()
        .filter(|t| {
            Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {t}"))
                .output()
                .map(|o| !o.status.success())
                .unwrap_or(true)
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("missing tools {missing:?}: apt-get install tar coreutils minisign");
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED (not in CI): {msg}");
    false
}

fn doc_section() -> String {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/FORMAT.md"))
            .unwrap();
    let start = doc
        .find("## Checking where a backup comes from")
        .expect("FORMAT.md has the section");
    let rest = &doc[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

fn sh(dir: &Path, cmd: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn the_minisign_cli_checks_a_real_backups_origin_as_format_md_says() {
    let section = doc_section();
    for c in [EXTRACT, VERIFY, HASHES] {
        assert!(section.contains(c), "FORMAT.md lacks {c:?}");
    }
    if !tools_present() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let h = small_home(t.path());
    let out = t.path().join("out");
    let file = make_backup(&h, &out, Some(PASS)).path;
    std::fs::rename(&file, out.join("Backup-X.bin")).unwrap();
    let x = out.join("x");
    std::fs::create_dir(&x).unwrap();
    let o = sh(&x, EXTRACT);
    assert!(o.status.success(), "{o:?}");

    let key = device_key::load(&h).unwrap().unwrap();
    let verify = VERIFY.replace("RW...", &key.public_key());
    let o = sh(&x, &verify);
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "minisign refused a good origin: {text}");
    assert!(text.contains("verified"), "{text}");
    let id = Opened::open(&out.join("Backup-X.bin"))
        .unwrap()
        .metadata
        .sealed
        .id;
    assert!(text.contains(&format!("carevault backup {id}")), "{text}");

    // sha256sum gives the hashes origin.json names.
    let o = sh(
        &x,
        "tar -xf ../Backup-X.bin payload.tar.zst.age manifest.json.age payload.sha256",
    );
    assert!(o.status.success());
    let o = sh(&x, HASHES);
    assert!(o.status.success());
    let sums = String::from_utf8(o.stdout).unwrap();
    let origin: serde_json::Value =
        serde_json::from_slice(&std::fs::read(x.join("origin.json")).unwrap()).unwrap();
    for part in ["payload", "manifest"] {
        let want = format!(
            "{}  {}",
            origin[part]["sha256"].as_str().unwrap(),
            origin[part]["name"].as_str().unwrap()
        );
        assert!(sums.contains(&want), "{part}: {sums}");
    }
    let line = std::fs::read_to_string(x.join("payload.sha256")).unwrap();
    assert!(line.starts_with(origin["payload"]["sha256"].as_str().unwrap()));

    // An edited record fails the standard tool too, and so does another key.
    let mut rec = std::fs::read_to_string(x.join("origin.json")).unwrap();
    rec = rec.replacen("Test HC", "Test HD", 1);
    std::fs::write(x.join("origin.json"), rec).unwrap();
    assert!(
        !sh(&x, &verify).status.success(),
        "an edited origin.json verified"
    );
    let other = small_home(&t.path().join("other"));
    make_backup(&other, &t.path().join("out2"), None);
    let other_key = device_key::load(&other).unwrap().unwrap().public_key();
    sh(&x, EXTRACT);
    assert!(!sh(&x, &VERIFY.replace("RW...", &other_key))
        .status
        .success());
}
