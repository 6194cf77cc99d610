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

pub struct Clinic {
    pub t: tempfile::TempDir,
    pub home: PathBuf,
    pub pass_file: PathBuf,
}

impl Clinic {
    pub fn new() -> Clinic {
        Clinic::sized(200, 2)
    }
    /// A demo clinic of `patients` patients and `photos` photos.
    pub fn sized(patients: u32, photos: u32) -> Clinic {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("clinic");
        let out = run(&[
            "demo",
            "init",
            home.to_str().unwrap(),
            "--patients",
            &patients.to_string(),
            "--photos",
            &photos.to_string(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let profile = format!(
            "[encryption]\nwork_factor = 10\n[media]\nexternal_roots = [\"{}/media/*/*\"]\n",
            t.path().display()
        );
        std::fs::write(home.join("carevault.toml"), profile).unwrap();
        let pass_file = t.path().join("pass.txt");
        std::fs::write(&pass_file, format!("{PASS}\n")).unwrap();
        Clinic { t, home, pass_file }
    }
    pub fn h(&self) -> &str {
        self.home.to_str().unwrap()
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
        let p = self.t.path().join(name);
        std::fs::write(&p, b).unwrap();
        p
    }
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
