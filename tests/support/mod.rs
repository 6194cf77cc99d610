//! Shared helpers for the command-line tests: a demo clinic with its demo
//! users, the binary with a login, JSON parsing and failure checks.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PASS: &str = "a clinic passphrase";

/// The `carevault` binary of this build, logged in as the demo System
/// Administrator, in English (see `carevault_testkit::command_env`).
pub fn bin() -> Command {
    carevault_testkit::bin()
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run carevault")
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// The shared demo clinic (`carevault_testkit::Clinic`: `TMP/clinic`, the
/// test profile) with a passphrase file `TMP/pass.txt` holding [`PASS`].
pub struct Clinic {
    kit: carevault_testkit::Clinic,
    pub pass_file: PathBuf,
}

impl std::ops::Deref for Clinic {
    type Target = carevault_testkit::Clinic;
    fn deref(&self) -> &carevault_testkit::Clinic {
        &self.kit
    }
}

impl Clinic {
    pub fn new() -> Clinic {
        Clinic::sized(200, 2)
    }
    /// A demo clinic of `patients` patients and `photos` photos, the data
    /// `carevault demo init` makes by default.
    pub fn sized(patients: u32, photos: u32) -> Clinic {
        let kit = carevault_testkit::Clinic::demo(
            patients.into(),
            photos.into(),
            carevault_testkit::clinic::CLI_DEMO_SEED,
        );
        let pass_file = kit.passphrase_file("pass.txt", PASS);
        Clinic { kit, pass_file }
    }
    pub fn p(&self) -> &str {
        self.pass_file.to_str().unwrap()
    }
    pub fn backup(&self) -> PathBuf {
        let out = run(&[
            "--json",
            "backup",
            "--home",
            self.h(),
            "--passphrase-file",
            self.p(),
            "--label",
            "weekly",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        PathBuf::from(json(&out)["backup"]["path"].as_str().unwrap())
    }
    pub fn damaged_copy(&self, name: &str, f: impl Fn(&mut Vec<u8>)) -> PathBuf {
        let src = self.backup();
        let mut b = std::fs::read(&src).unwrap();
        f(&mut b);
        let p = self.root().join(name);
        std::fs::write(&p, b).unwrap();
        p
    }
}

/// The backup ID in a backup's file name (`Backup-ID.bin`).
pub fn backup_id(file: &Path) -> String {
    file.file_stem()
        .unwrap()
        .to_string_lossy()
        .trim_start_matches("Backup-")
        .to_string()
}

pub fn assert_fails(out: &Output, code: i32, words: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(stderr.contains(words), "expected {words:?} in: {stderr}");
    assert!(stderr.contains("what to do:"), "no advice in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

pub fn data_tree(home: &Path) -> Vec<(String, u64)> {
    let mut v = Vec::new();
    let mut stack = vec![home.join("data")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                v.push((e.path().display().to_string(), e.metadata().unwrap().len()));
            }
        }
    }
    v.sort();
    v
}

/// Recomputes the checksum of the first tar header after an edit of equal length.
pub fn fix_first_header_checksum(b: &mut [u8]) {
    carevault_testkit::archive::fix_checksum(b);
}

/// True when every `(tool, Debian package)` is installed. With `CI` set, a
/// missing tool fails the test (naming the package); without it, the test
/// is told to return early, and says so.
pub fn tools_present(test: &str, tools: &[(&str, &str)]) -> bool {
    let missing: Vec<String> = tools
        .iter()
        .filter(|(tool, _)| {
            matches!(
                Command::new(tool)
                    .arg("--version")
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound
            )
        })
        .map(|(tool, pkg)| format!("{tool} (Debian package {pkg})"))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("{test}: missing {}", missing.join(", "));
    assert!(
        std::env::var_os("CI").is_none(),
        "{msg}; install it (.ci/run does)"
    );
    eprintln!("{msg}; skipped outside CI");
    false
}
