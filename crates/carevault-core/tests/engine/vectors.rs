//! Test vectors (issue 5, like age's testkit): every `tests/vectors/NAME.bin`
//! is verified and must give what its `NAME.expect` says. The files are
//! checked in and never regenerated here, so a reader change that stops an
//! old backup from opening, or reports a damaged one differently, fails.
//! See `tests/vectors/README.md`; `examples/make_vectors.rs` made them.

use crate::common;
use carevault_core::archive::reader::Opened;
use carevault_core::{verify, NoProgress, SecretString, Unlock};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const KINDS: &[&str] = &[
    "ok",
    "truncated",
    "corrupted",
    "tampered",
    "wrong_key",
    "unsupported_version",
    "unsafe_archive",
    "not_a_backup",
];

/// Kept small so the repository stays light (one file, the chunk swap, needs 137 KiB).
const MAX_FOLDER_BYTES: u64 = 300 * 1024;

struct Vector {
    name: String,
    bin: PathBuf,
    expect: String,
    passphrase: Option<String>,
    comment: String,
}

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn load() -> Vec<Vector> {
    let dir = folder();
    let mut names = BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = n.strip_suffix(".bin").or_else(|| n.strip_suffix(".expect")) {
            names.insert(stem.to_string());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let bin = dir.join(format!("{name}.bin"));
            assert!(bin.exists(), "{name}.expect has no {name}.bin");
            let text = std::fs::read_to_string(dir.join(format!("{name}.expect")))
                .unwrap_or_else(|_| panic!("{name}.bin has no {name}.expect"));
            let field = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key}:")))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_else(|| panic!("{name}.expect has no {key}: line"))
            };
            let expect = field("expect");
            assert!(
                KINDS.contains(&expect.as_str()),
                "{name}: unknown expect {expect:?}"
            );
            let passphrase = Some(field("passphrase")).filter(|p| !p.is_empty());
            let comment = field("comment");
            assert!(!comment.is_empty(), "{name}: say what the file is");
            Vector {
                name,
                bin,
                expect,
                passphrase,
                comment,
            }
        })
        .collect()
}

fn unlock(v: &Vector) -> Option<Unlock> {
    v.passphrase
        .as_ref()
        .map(|p| Unlock::Passphrase(SecretString::from(p.clone())))
}

#[test]
fn every_vector_gives_what_it_expects() {
    let vectors = load();
    let mut failures = vec![];
    for v in &vectors {
        let got = match verify::verify_file(&v.bin, unlock(v).as_ref(), 18, &NoProgress) {
            Ok(_) => "ok".to_string(),
            Err(e) => {
                // The exit code documented for the kind goes with it.
                assert!((4..=15).contains(&e.kind().exit_code()), "{}: {e}", v.name);
                e.kind().code().to_string()
            }
        };
        println!("vector {}: {got} ({})", v.name, v.comment);
        if got != v.expect {
            failures.push(format!("{}: expected {}, got {got}", v.name, v.expect));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{} vectors", vectors.len());
}

#[test]
fn the_folder_covers_every_failure_mode_and_stays_small() {
    let vectors = load();
    let expects: BTreeSet<&str> = vectors.iter().map(|v| v.expect.as_str()).collect();
    for k in KINDS {
        assert!(expects.contains(k), "no vector expects {k}");
    }
    for name in [
        "good-v1-encrypted",
        "good-v1-unencrypted",
        "truncated-header",
        "truncated-metadata",
        "truncated-payload",
        "truncated-last-chunk",
        "bitflip-payload",
        "wrong-passphrase",
        "tampered-label",
        "unknown-version-2",
        "path-traversal",
        "symlink-entry",
        "duplicate-entry",
        "excessive-work-factor",
        "appended-garbage",
        "swapped-chunks",
    ] {
        assert!(
            vectors.iter().any(|v| v.name == name),
            "missing vector {name}"
        );
    }
    let total: u64 = std::fs::read_dir(folder())
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert!(
        total < MAX_FOLDER_BYTES,
        "tests/vectors holds {total} bytes"
    );
}

/// Every released format version keeps a good file that must still open and
/// restore (docs/FORMAT.md, "Version rules").
#[test]
fn the_good_files_of_every_released_version_restore() {
    for v in load().iter().filter(|v| v.expect == "ok") {
        let o = Opened::open(&v.bin).unwrap();
        assert_eq!(o.metadata.sealed.format_version, 1, "{}", v.name);
        assert_eq!(o.metadata.sealed.label, "Test vector", "{}", v.name);
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("home");
        common::restore_into(&home, &v.bin, unlock(v).as_ref(), false)
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let db = home.join("data/clinical.db");
        assert_eq!(common::integrity(&db), "ok", "{}", v.name);
        assert_eq!(
            common::dump(&db)
                .iter()
                .filter(|r| r.starts_with("patients:"))
                .count(),
            2,
            "{}",
            v.name
        );
        assert_eq!(
            std::fs::read_to_string(home.join("data/files/note.txt")).unwrap(),
            "consent form\n"
        );
    }
}
