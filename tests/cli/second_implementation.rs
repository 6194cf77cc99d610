//! A second implementation of the format, written from docs/FORMAT.md
//! alone (`tests/second_implementation/pack.py`: Python's tarfile, sqlite3
//! and json with the standard `zstd` and `age` tools), makes backups of a
//! demo clinic that carevault must verify and restore byte for byte. It
//! uses what the format allows but carevault does not write: Python's
//! header checksum spelling and record padding, ustar-prefix and PAX names,
//! an unknown key-slot field, uppercase hex digests.

use crate::support::*;
use rusqlite::Connection;
use std::path::Path;
use std::process::Command;

const TOOLS: &[(&str, &str)] = &[
    ("python3", "python3"),
    ("zstd", "zstd"),
    ("age", "age"),
    ("age-keygen", "age"),
];

fn rows(db: &Path) -> Vec<(String, i64)> {
    let c = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    names
        .into_iter()
        .map(|t| {
            let n = c
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

fn ok(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn round_trip(encrypted: bool) {
    let needed = if encrypted { TOOLS } else { &TOOLS[..2] };
    if !tools_present("second_implementation", needed) {
        return;
    }
    let c = Clinic::new();
    // A long folder name (ustar prefix or PAX) and a non-ASCII one.
    let long = c
        .home
        .join(format!("data/files/{}", "scanned-documents-".repeat(5)));
    std::fs::create_dir_all(&long).unwrap();
    std::fs::write(long.join("consent.txt"), "signed\n").unwrap();
    std::fs::create_dir_all(c.home.join("data/files/re\u{301}sume\u{301}")).unwrap();
    std::fs::write(
        c.home.join("data/files/re\u{301}sume\u{301}/fiche.txt"),
        "fiche\n",
    )
    .unwrap();
    let key = c.root().join("recovery.txt");
    ok(&run(&["keygen", "--out", key.to_str().unwrap()]), "keygen");
    let text = std::fs::read_to_string(&key).unwrap();
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_string();
    let file = c.root().join("Backup-py.bin");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/second_implementation/pack.py"
    );
    let mut cmd = Command::new("python3");
    cmd.arg(script)
        .arg(c.home.join("data"))
        .arg(&file)
        .arg(if encrypted { "age" } else { "plain" });
    if encrypted {
        cmd.arg(&public);
    }
    ok(&cmd.output().unwrap(), "pack.py");
    let mut verify = vec!["verify", file.to_str().unwrap(), "--home", c.h()];
    if encrypted {
        verify.extend(["--identity", key.to_str().unwrap()]);
    }
    ok(&run(&verify), "carevault verify");
    let fresh = c.root().join("fresh");
    let mut restore = vec![
        "restore",
        "--yes",
        file.to_str().unwrap(),
        "--home",
        fresh.to_str().unwrap(),
    ];
    if encrypted {
        restore.extend(["--identity", key.to_str().unwrap()]);
    }
    ok(&run(&restore), "carevault restore");
    // Every file byte for byte; every database with the same rows.
    let mut stack = vec![c.home.join("data")];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(&c.home).unwrap();
            let name = p.to_string_lossy();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else if name.ends_with("-wal") || name.ends_with("-shm") {
                continue;
            } else if std::fs::read(&p).unwrap().starts_with(b"SQLite format 3\0") {
                assert_eq!(rows(&p), rows(&fresh.join(rel)), "{}", rel.display());
                seen += 1;
            } else {
                assert_eq!(
                    std::fs::read(&p).unwrap(),
                    std::fs::read(fresh.join(rel)).unwrap(),
                    "{}",
                    rel.display()
                );
                seen += 1;
            }
        }
    }
    assert!(seen > 5, "{seen}");
}

#[test]
fn a_plain_backup_written_by_a_second_implementation_restores() {
    round_trip(false);
}

#[test]
fn an_encrypted_backup_written_by_a_second_implementation_restores() {
    round_trip(true);
}
