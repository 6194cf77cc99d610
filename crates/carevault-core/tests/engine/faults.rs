//! Fault sweep: make the Nth file-system operation of a backup or a restore
//! fail, for N = 1, 2, 3... until none fires, on three data shapes and with
//! ENOSPC, EIO and EACCES. After every fault: no file is listed as a backup
//! unless it verifies; the restore target is exactly as before or exactly
//! the backup; leftovers are gone after the next run; the message names the
//! cause.

use crate::common::*;
use carevault_core::fault::{arm, disarm};
use carevault_core::fsutil::clean_stale_temps;
use carevault_core::{restore, verify, Kind, NoProgress};
use std::collections::BTreeMap;
use std::path::Path;

const ERRNOS: [(i32, &str); 3] = [
    (28, "disk is full"),
    (5, "could not complete"),
    (13, "permission denied"),
];

/// A home of the given shape.
fn shaped_home(root: &Path, shape: &str) -> std::path::PathBuf {
    let home = small_home(root);
    let data = home.join("data");
    match shape {
        "tiny" => {
            std::fs::remove_dir_all(data.join("files")).unwrap();
        }
        "many-small-files" => {
            for i in 0..150 {
                let d = data.join(format!("files/scans/{:02}", i % 10));
                std::fs::create_dir_all(&d).unwrap();
                std::fs::write(
                    d.join(format!("scan-{i}.txt")),
                    format!("scan {i}\n").repeat(40),
                )
                .unwrap();
            }
        }
        "large-database" => {
            let c = rusqlite::Connection::open(data.join("clinical.db")).unwrap();
            c.execute_batch("BEGIN").unwrap();
            for i in 0..12_000 {
                c.execute(
                    "INSERT INTO visits(patient, note) VALUES (?1, ?2)",
                    (i, format!("visit {i} {}", "notes ".repeat(30))),
                )
                .unwrap();
            }
            c.execute_batch("COMMIT").unwrap();
        }
        _ => unreachable!(),
    }
    home
}

/// Contents of a data folder: SQL rows for databases, bytes for other files.
fn state(data: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (rel, bytes) in tree(data) {
        if rel.ends_with(".db") {
            out.insert(rel.clone(), dump(&data.join(&rel)));
        } else {
            out.insert(rel, vec![format!("{:x?}", sha(&bytes))]);
        }
    }
    out
}

fn sha(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
}

fn listed_backups_all_verify(dir: &Path) {
    for l in catalog_scan(dir) {
        let r = verify::verify_file(&l, Some(&pass(PASS)), 18, &NoProgress);
        assert!(
            r.is_ok(),
            "{} is listed but does not verify: {:?}",
            l.display(),
            r.err()
        );
    }
}

fn catalog_scan(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "bin"))
                .collect()
        })
        .unwrap_or_default()
}

fn temps_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(".carevault-tmp")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn backup_fault_sweep() {
    let mut injected = 0;
    for shape in ["tiny", "many-small-files", "large-database"] {
        let t = tempfile::tempdir().unwrap();
        let home = shaped_home(t.path(), shape);
        let dest = t.path().join("docs");
        for n in 1.. {
            let (errno, words) = ERRNOS[n as usize % 3];
            let req = request(&home, &dest, Some(PASS));
            let permit = carevault_core::auth::permit(&home, "nurse", NURSE_PW).unwrap();
            arm(n, errno, None);
            let result = carevault_core::backup::create(&permit, &req, &NoProgress);
            let report = disarm();
            match (&report.fired, result) {
                (None, Ok(_)) => {
                    println!(
                        "backup/{shape}: {} operations, {} faults injected",
                        report.operations,
                        n - 1
                    );
                    break;
                }
                (Some((op, path)), Err(e)) => {
                    injected += 1;
                    let text = format!("{} {}", e.message(), e.cause().unwrap_or_default());
                    assert!(text.contains(words) || e.kind() == Kind::NoSpace, "backup/{shape} fault {n} ({op:?} {path:?}): message lacks the cause: {text}");
                    if errno == 28 {
                        assert_eq!(e.kind(), Kind::NoSpace);
                    }
                    listed_backups_all_verify(&dest);
                    assert_eq!(
                        temps_in(&dest),
                        0,
                        "backup/{shape} fault {n}: temporary file left after the failure"
                    );
                }
                (Some((op, _)), Ok(o)) => {
                    panic!(
                        "backup/{shape} fault {n} at {op:?} was swallowed; {} reported as made",
                        o.path.display()
                    );
                }
                (None, Err(e)) => panic!("backup/{shape}: failed without a fault: {e}"),
            }
            assert!(n < 500, "backup never finished");
        }
        // The next run works and cleans anything stale.
        clean_stale_temps(&dest);
        assert_eq!(temps_in(&dest), 0);
        listed_backups_all_verify(&dest);
    }
    println!("backup fault sweep: {injected} faults injected");
}

#[test]
fn restore_fault_sweep() {
    let mut injected = 0;
    let mut outcomes = BTreeMap::<&str, u32>::new();
    for shape in ["tiny", "many-small-files", "large-database"] {
        let t = tempfile::tempdir().unwrap();
        let home = shaped_home(t.path(), shape);
        let backup = make_backup(&home, &t.path().join("docs"), Some(PASS));
        // The clinic changed after the backup: "before" differs from the backup.
        let c = rusqlite::Connection::open(home.join("data/clinical.db")).unwrap();
        c.execute(
            "INSERT INTO patients(name) VALUES ('registered after the backup')",
            [],
        )
        .unwrap();
        drop(c);
        std::fs::write(home.join("data/files-after.txt"), "new file\n").unwrap();
        let pristine = t.path().join("pristine");
        copy_tree(&home, &pristine);
        let before = state(&home.join("data"));
        let target_state = {
            let fresh = t.path().join("reference");
            restore_into(&fresh, &backup.path, Some(&pass(PASS)), false).unwrap();
            state(&fresh.join("data"))
        };
        assert_ne!(before, target_state);
        for n in 1.. {
            let (errno, words) = ERRNOS[n as usize % 3];
            let work = t.path().join(format!("work-{n}"));
            copy_tree(&pristine, &work);
            let permit = carevault_core::auth::permit(&work, "nurse", NURSE_PW).unwrap();
            let req = restore::RestoreRequest {
                file: &backup.path,
                unlock: Some(&pass(PASS)),
                max_log_n: 18,
                dry_run: false,
                expect_id: None,
            };
            arm(n, errno, None);
            let result = restore::restore(&permit, &req, &NoProgress);
            let report = disarm();
            match (&report.fired, &result) {
                (None, Ok(_)) => {
                    assert_eq!(state(&work.join("data")), target_state);
                    println!(
                        "restore/{shape}: {} operations, {} faults injected",
                        report.operations,
                        n - 1
                    );
                    std::fs::remove_dir_all(&work).unwrap();
                    break;
                }
                (Some((op, path)), r) => {
                    injected += 1;
                    if let Err(e) = r {
                        let text = format!("{} {}", e.message(), e.cause().unwrap_or_default());
                        assert!(text.contains(words), "restore/{shape} fault {n} ({op:?} {path:?}): message lacks the cause: {text}");
                    }
                    // The next run of any command repairs what is left.
                    restore::recover(&work).unwrap();
                    let now = state(&work.join("data"));
                    let which = if now == before {
                        "old state"
                    } else if now == target_state {
                        "new state"
                    } else {
                        panic!("restore/{shape} fault {n} at {op:?} {path:?}: the data is neither the old nor the new state")
                    };
                    *outcomes.entry(which).or_default() += 1;
                    let names: Vec<String> = std::fs::read_dir(&work)
                        .unwrap()
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    assert!(
                        !names.iter().any(|n| n.starts_with(".carevault-staging")),
                        "restore/{shape} fault {n}: staging left after recovery: {names:?}"
                    );
                    if which == "new state" {
                        // The replaced data is kept, intact.
                        let copies: Vec<_> = std::fs::read_dir(work.join("safety-copies"))
                            .unwrap()
                            .flatten()
                            .collect();
                        assert_eq!(copies.len(), 1, "restore/{shape} fault {n}: safety copy");
                        assert_eq!(
                            state(&copies[0].path().join("data")),
                            before,
                            "restore/{shape} fault {n}: safety copy damaged"
                        );
                    }
                    std::fs::remove_dir_all(&work).unwrap();
                }
                (None, Err(e)) => panic!("restore/{shape}: failed without a fault: {e}"),
            }
            assert!(n < 2000, "restore never finished");
        }
    }
    println!("restore fault sweep: {injected} faults injected, outcomes {outcomes:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}
