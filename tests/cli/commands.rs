//! The `carevault` binary as a user or a script meets it: exit codes,
//! messages, JSON output, and the README's main command.

use crate::support::*;

#[test]
fn backup_list_show_verify_restore_delete_round_trip() {
    let c = Clinic::new();
    let out = run(&["list", "--home", c.h()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No Results Returned"));

    let file = c.backup();
    let out = run(&["--json", "list", "--home", c.h()]);
    let v = json(&out);
    let b = &v["backups"][0];
    assert_eq!(b["metadata"]["label"], "weekly");
    assert_eq!(b["metadata"]["encrypted"], true);
    assert_eq!(b["metadata"]["location"], "Private");
    assert_eq!(b["metadata"]["created_by"], "admin");
    let id = b["metadata"]["id"].as_str().unwrap().to_string();

    let out = run(&["show", &id, "--home", c.h()]);
    let text = String::from_utf8_lossy(&out.stdout);
    for field in [
        "Label/ID",
        "Timestamp",
        "Created By",
        "Location",
        "Encrypted",
        "Size",
    ] {
        assert!(text.contains(field), "show lacks {field}: {text}");
    }
    let out = run(&[
        "--json",
        "show",
        &id,
        "--home",
        c.h(),
        "--contents",
        "--passphrase-file",
        c.p(),
    ]);
    assert_eq!(json(&out)["contents"]["rows"]["patients"], 200);

    let out = run(&[
        "verify",
        "--home",
        c.h(),
        file.to_str().unwrap(),
        "--passphrase-file",
        c.p(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK:"));

    let before = data_tree(&c.home);
    let out = run(&[
        "restore",
        "--yes",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--dry-run",
        "--passphrase-file",
        c.p(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Would restore weekly") && text.contains("need") && text.contains("Dry run"),
        "{text}"
    );
    assert_eq!(data_tree(&c.home), before);

    let out = run(&[
        "--json",
        "restore",
        "--yes",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json(&out);
    assert_eq!(v["result"], "restored");
    assert!(v["safety_copy"].as_str().unwrap().contains("safety-copies"));
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["ok"] == true));

    let out = run(&["delete", &id, "--home", c.h()]);
    assert!(out.status.success());
    assert!(!file.exists());
    let out = run(&["delete", &id, "--home", c.h()]);
    assert_fails(&out, 3, "no backup");
}

#[test]
fn each_fault_has_its_own_message_and_exit_code() {
    let c = Clinic::new();
    let truncated = c.damaged_copy("cut.bin", |b| b.truncate(b.len() * 2 / 3));
    assert_fails(
        &run(&[
            "verify",
            "--home",
            c.h(),
            truncated.to_str().unwrap(),
            "--passphrase-file",
            c.p(),
        ]),
        5,
        "incomplete",
    );
    let flipped = c.damaged_copy("flip.bin", |b| {
        let i = b.len() / 2;
        b[i] ^= 4
    });
    assert_fails(
        &run(&[
            "verify",
            "--home",
            c.h(),
            flipped.to_str().unwrap(),
            "--passphrase-file",
            c.p(),
        ]),
        6,
        "damaged",
    );
    let wrong = c.root().join("wrong.txt");
    std::fs::write(&wrong, "not it\n").unwrap();
    let good = c.backup();
    assert_fails(
        &run(&[
            "verify",
            "--home",
            c.h(),
            good.to_str().unwrap(),
            "--passphrase-file",
            wrong.to_str().unwrap(),
        ]),
        4,
        "does not unlock",
    );
    let tampered = c.damaged_copy("tampered.bin", |b| {
        // Same length, so the container stays valid: only the sealed copy can tell.
        let pos = b
            .windows(7)
            .position(|w| w == b"\"admin\"")
            .expect("created_by in metadata");
        b[pos + 1..pos + 6].copy_from_slice(b"nurse");
        fix_first_header_checksum(b);
    });
    assert_fails(
        &run(&[
            "verify",
            "--home",
            c.h(),
            tampered.to_str().unwrap(),
            "--passphrase-file",
            c.p(),
        ]),
        7,
        // A signed backup's edited details are caught by its signature.
        "signed origin does not match",
    );
    let stranger = c.root().join("photo.bin");
    std::fs::write(&stranger, vec![0xffu8; 4096]).unwrap();
    assert_fails(
        &run(&["verify", "--home", c.h(), stranger.to_str().unwrap()]),
        15,
        "not a carevault backup",
    );
    assert_fails(
        &run(&[
            "verify",
            "--home",
            c.h(),
            c.root().join("nope.bin").to_str().unwrap(),
        ]),
        3,
        "does not exist",
    );
    // JSON errors carry the same kind and code.
    let out = run(&[
        "--json",
        "verify",
        "--home",
        c.h(),
        truncated.to_str().unwrap(),
        "--passphrase-file",
        c.p(),
    ]);
    assert_eq!(out.status.code(), Some(5));
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "truncated");
    assert_eq!(v["error"]["exit_code"], 5);
    // Restoring any of them changes nothing.
    let before = data_tree(&c.home);
    for bad in [&truncated, &flipped, &tampered] {
        let out = run(&[
            "restore",
            "--yes",
            bad.to_str().unwrap(),
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
        ]);
        assert!(!out.status.success());
        assert_eq!(data_tree(&c.home), before);
    }
    assert!(!c.home.join("safety-copies").exists());
}

#[test]
fn a_backup_without_a_passphrase_source_and_no_terminal_is_refused() {
    let c = Clinic::new();
    let out = bin()
        .args(["backup", "--home", c.h()])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_fails(&out, 2, "no terminal");
    let made = std::fs::read_dir(c.home.join("private/backups"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(made, 0);
}

#[test]
fn a_backup_during_a_sync_is_refused_with_the_guides_advice() {
    let c = Clinic::new();
    let lock = carevault_core::hostlock::HostLock::Sync
        .exclusive(&c.home)
        .unwrap();
    let out = run(&["backup", "--home", c.h(), "--passphrase-file", c.p()]);
    assert_fails(&out, 11, "synchronization is in progress");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Idle"));
    drop(lock);
    let out = run(&["backup", "--home", c.h(), "--passphrase-file", c.p()]);
    assert!(out.status.success());
}

#[test]
fn rekey_and_recovery_key_through_the_cli() {
    let c = Clinic::new();
    let key = c.root().join("facility.key");
    let out = run(&["--json", "keygen", "--out", key.to_str().unwrap()]);
    let public = json(&out)["public_key"].as_str().unwrap().to_string();
    let out = run(&[
        "--json",
        "backup",
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
        "--recovery-key",
        &public,
    ]);
    let file = json(&out)["backup"]["path"].as_str().unwrap().to_string();
    assert!(run(&[
        "verify",
        "--home",
        c.h(),
        &file,
        "--identity",
        key.to_str().unwrap()
    ])
    .status
    .success());
    let newp = c.root().join("new.txt");
    std::fs::write(&newp, "the new one\n").unwrap();
    let out = run(&[
        "rekey",
        &file,
        "--passphrase-file",
        c.p(),
        "--new-passphrase-file",
        newp.to_str().unwrap(),
        "--home",
        c.h(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_fails(
        &run(&["verify", "--home", c.h(), &file, "--passphrase-file", c.p()]),
        4,
        "does not unlock",
    );
    assert!(run(&[
        "verify",
        "--home",
        c.h(),
        &file,
        "--passphrase-file",
        newp.to_str().unwrap()
    ])
    .status
    .success());
    assert!(run(&[
        "verify",
        "--home",
        c.h(),
        &file,
        "--identity",
        key.to_str().unwrap()
    ])
    .status
    .success());
    // keygen never overwrites a key
    assert_fails(
        &run(&["keygen", "--out", key.to_str().unwrap()]),
        2,
        "already exists",
    );
}

#[test]
fn the_readme_demo_command_runs_the_whole_cycle() {
    let t = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(t.path())
        .args(["demo", "--patients", "500", "--photos", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "1. Create",
        "4. Back up",
        "5. List",
        "6. Verify",
        "7. Restore",
        "0 problems",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    assert!(!text.contains("DIFF"), "{text}");
    assert!(t
        .path()
        .join("carevault-demo/restored/data/clinical.db")
        .exists());
    // Item 17: the Public backup is on the clinic's Public medium (its
    // Documents folder), and the demo ends with what to try next, naming
    // the Backup Explorer and the demo users' passwords.
    let docs = t.path().join("carevault-demo/clinic/Documents");
    let made: Vec<_> = std::fs::read_dir(&docs)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bin"))
        .collect();
    assert_eq!(made.len(), 1, "one backup in {}", docs.display());
    assert!(!text.contains("--to "), "{text}");
    for words in [
        "What to try next:",
        "carevault serve --home",
        "http://127.0.0.1:8080",
        "nurse-demo-pass",
    ] {
        assert!(text.contains(words), "missing {words:?} in:\n{text}");
    }
    // The commands it suggests work as printed: status as the nurse.
    let home = t.path().join("carevault-demo/clinic");
    let out = bin()
        .env("CAREVAULT_USER", "nurse")
        .env("CAREVAULT_PASSWORD", "nurse-demo-pass")
        .args(["status", "--home", home.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // Its output folder is ignored by git.
    let ignore =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.gitignore")).unwrap();
    assert!(
        ignore.lines().any(|l| l.trim() == "/carevault-demo/"),
        "{ignore}"
    );
    // Running it again replaces its own previous run.
    let again = bin()
        .current_dir(t.path())
        .args(["demo", "--patients", "300", "--photos", "1"])
        .output()
        .unwrap();
    assert!(again.status.success());
}

/// Issue 15, item 7: `verify`, `restore` and `rekey` name a backup as `show`
/// and `delete` do (an ID, an ID prefix, a label or a path), and a file in
/// the working folder named like an ID is never taken for the backup.
#[test]
fn every_command_takes_an_id_a_label_or_a_path_the_same_way() {
    let c = Clinic::new();
    let file = c.backup();
    let v = json(&run(&["--json", "list", "--home", c.h()]));
    let id = v["backups"][0]["metadata"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for what in [id.as_str(), &id[..8], "weekly", file.to_str().unwrap()] {
        let out = run(&["verify", what, "--home", c.h(), "--passphrase-file", c.p()]);
        assert!(
            out.status.success(),
            "verify {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(&[
            "--json",
            "restore",
            "--yes",
            what,
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
            "--dry-run",
        ]);
        assert!(
            out.status.success(),
            "restore --dry-run {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let new_pass = c.root().join("new-pass.txt");
    std::fs::write(&new_pass, "another clinic passphrase\n").unwrap();
    let out = run(&[
        "rekey",
        "weekly",
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "rekey by label: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A plant in the working folder named like the ID is not the backup.
    let cwd = c.root().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    std::fs::write(cwd.join(&id), b"not a backup").unwrap();
    let out = bin()
        .current_dir(&cwd)
        .args([
            "verify",
            &id,
            "--home",
            c.h(),
            "--passphrase-file",
            new_pass.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verify by ID beside a file named like it: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A path that does not exist says so.
    let out = run(&["verify", "./missing.bin", "--home", c.h()]);
    assert_fails(&out, 3, "does not exist");
}

/// Issue 15, item 6: a wrong or missing `--home` says what is wrong with
/// the home, not that the password is wrong.
#[test]
fn a_wrong_home_is_reported_as_a_wrong_home_not_a_wrong_password() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("no-such-home");
    for args in [
        vec!["list"],
        vec!["status"],
        vec!["verify", "some-id"],
        vec!["users", "list"],
    ] {
        let mut a = args.clone();
        a.extend(["--home", missing.to_str().unwrap()]);
        let out = run(&a);
        assert_fails(&out, 3, "the app home does not exist");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("password"), "{args:?}: {err}");
    }
    // A folder that is not an app home (no users in it).
    let empty = t.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = run(&["list", "--home", empty.to_str().unwrap()]);
    assert_fails(&out, 3, "has no users yet");
    // A file given as the home.
    let file = t.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let out = run(&["status", "--home", file.to_str().unwrap()]);
    assert_fails(&out, 2, "is a file, not a folder");
}

fn restore_at_a_terminal(c: &Clinic, file: &std::path::Path, answer: &str) -> (String, i32) {
    let mut cmd = bin();
    cmd.args([
        "restore",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]);
    // A generous bound for a slow machine: the test waits on the prompt
    // itself, not on time.
    let mut s = rexpect::session::spawn_command(cmd, Some(120_000)).unwrap();
    let shown = s
        .exp_string("Type yes to restore, anything else to stop: ")
        .unwrap();
    s.send_line(answer).unwrap();
    let rest = s.exp_eof().unwrap();
    let code = match s.process.wait().unwrap() {
        rexpect::process::wait::WaitStatus::Exited(_, c) => c,
        other => panic!("restore ended with {other:?}"),
    };
    (format!("{shown}{rest}"), code)
}

/// Issue 15, item 4: over existing clinic data the CLI asks at a terminal,
/// showing the backup's time and author, patients now and in the backup,
/// and the outbox records that would be lost; "no" changes nothing; with
/// no terminal it refuses unless --yes is given.
#[test]
fn restore_over_existing_data_asks_at_a_terminal_and_needs_yes_in_a_script() {
    let c = Clinic::new();
    let file = c.backup();
    // A login opens users.db, and SQLite makes and removes its side files
    // (-wal, -shm) as connections come and go: they are not clinic data.
    let tree = |c: &Clinic| -> Vec<(String, u64)> {
        data_tree(&c.home)
            .into_iter()
            .filter(|(p, _)| !p.ends_with("-wal") && !p.ends_with("-shm"))
            .collect()
    };
    let before = tree(&c);
    // No terminal, no --yes: refused before anything is read.
    let out = run(&[
        "restore",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]);
    assert_fails(&out, 2, "must be confirmed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(tree(&c), before);
    // At a terminal, "no": the facts are shown and nothing changes.
    let (shown, code) = restore_at_a_terminal(&c, &file, "no");
    assert_eq!(code, 2, "{shown}");
    for fact in [
        "made ",
        " by admin",
        "patients   200 now, 200 in the backup",
        "outbox records not yet synchronized",
        "users after the restore: ",
        "admin (System Administrator)",
        "not confirmed, so nothing was changed",
    ] {
        assert!(shown.contains(fact), "{fact:?} not shown: {shown}");
    }
    assert_eq!(tree(&c), before);
    let v = json(&run(&["--json", "audit", "list", "--home", c.h()]));
    assert!(
        v.to_string().contains("not confirmed"),
        "the declined restore is not in the audit trail: {v}"
    );
    // "yes": restored.
    let (shown, code) = restore_at_a_terminal(&c, &file, "yes");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("Restored"), "{shown}");
}
