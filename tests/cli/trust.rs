//! Provenance and trust through the command line: the role x command x
//! provenance matrix, `trust add|list|remove`, signatures in `list` and
//! `show`, ID conflicts, the sync guard of restore, file modes under any
//! umask.

use crate::support::*;
use carevault_testkit::archive::data_of;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const USERS: [(&str, &str); 4] = [
    ("admin", "admin-demo-pass"),
    ("manager", "manager-demo-pass"),
    ("nurse", "nurse-demo-pass"),
    ("staff", "staff-demo-pass"),
];

/// The binary as `user` (`None`: no login at all).
fn as_user(user: Option<&str>) -> Command {
    let mut c = bin();
    match user {
        Some(u) => {
            let pw = USERS.iter().find(|x| x.0 == u).unwrap().1;
            c.env("CAREVAULT_USER", u).env("CAREVAULT_PASSWORD", pw);
        }
        None => {
            c.env_remove("CAREVAULT_USER")
                .env_remove("CAREVAULT_PASSWORD");
        }
    }
    c.env("CAREVAULT_PASSPHRASE", PASS)
        .env("CAREVAULT_NEW_PASSPHRASE", "another clinic passphrase");
    c
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn device_key(c: &Clinic) -> (String, String) {
    let out = run(&["--json", "trust", "list", "--home", c.h()]);
    ok(&out, "trust list");
    let v = json(&out);
    (
        v["device"]["key_id"].as_str().unwrap().to_string(),
        v["device"]["public_key"].as_str().unwrap().to_string(),
    )
}

fn backup_to(c: &Clinic, dir: &Path) -> PathBuf {
    let out = run(&[
        "--json",
        "backup",
        "--home",
        c.h(),
        "--to",
        dir.to_str().unwrap(),
        "--passphrase-file",
        c.p(),
    ]);
    ok(&out, "backup");
    PathBuf::from(json(&out)["backup"]["path"].as_str().unwrap())
}

fn allow_unencrypted(c: &Clinic) {
    c.set_profile(
        carevault_testkit::clinic::WORK_FACTOR,
        carevault_testkit::clinic::Media::PlainFoldersAllowed,
    );
}

fn cp_a(from: &Path, to: &Path) {
    let st = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(st.success());
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Prov {
    SignedHere,
    SignedTrusted,
    Foreign,
    Unsigned,
    UnencryptedOnPublic,
}

/// The expected exit code of `cmd` by `role` on a backup of provenance
/// `p`, over existing clinic data. Written from docs/ADMIN.md, not from
/// the code: care roles view, make and rekey; the admin alone deletes and
/// manages trust; a care role restores only what this tablet or a trusted
/// one signed (and not unencrypted on Public); no login is refused.
fn expected(role: Option<&str>, cmd: &str, p: Prov) -> i32 {
    let care = matches!(role, Some("admin" | "manager" | "nurse"));
    let admin = role == Some("admin");
    let unencrypted = matches!(p, Prov::Unsigned | Prov::UnencryptedOnPublic);
    let allowed = match cmd {
        "delete" | "trust" => admin,
        "restore" => admin || (care && matches!(p, Prov::SignedHere | Prov::SignedTrusted)),
        _ => care,
    };
    match (allowed, cmd) {
        (false, _) => 12,
        (true, "rekey") if unencrypted => 2,
        (true, _) => 0,
    }
}

#[test]
fn role_command_provenance_matrix_through_the_cli() {
    let a = Clinic::new();
    let b = Clinic::new();
    let foreign = Clinic::new();
    allow_unencrypted(&a);
    let files_dir = a.root().join("files");
    let signed_here = backup_to(&a, &files_dir);
    let signed_trusted = backup_to(&b, &files_dir);
    let foreign_file = backup_to(&foreign, &files_dir);
    let unsigned = files_dir.join("Backup-unsigned-v1.bin");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("crates/carevault-core/tests/vectors/good-v1-unencrypted.bin"),
        &unsigned,
    )
    .unwrap();
    let out = run(&[
        "--json",
        "backup",
        "--home",
        a.h(),
        "--medium",
        "public",
        "--no-encrypt",
    ]);
    ok(&out, "unencrypted backup to Public");
    let on_public = PathBuf::from(json(&out)["backup"]["path"].as_str().unwrap());
    let (_, b_key) = device_key(&b);
    ok(
        &run(&[
            "trust",
            "add",
            &b_key,
            "--name",
            "tablet B",
            "--home",
            a.h(),
        ]),
        "trust add",
    );
    let files = [
        (Prov::SignedHere, signed_here),
        (Prov::SignedTrusted, signed_trusted),
        (Prov::Foreign, foreign_file),
        (Prov::Unsigned, unsigned),
        (Prov::UnencryptedOnPublic, on_public),
    ];
    // What each file says in the listing.
    let out = run(&[
        "--json",
        "list",
        "--home",
        a.h(),
        "--in",
        files_dir.to_str().unwrap(),
    ]);
    ok(&out, "list");
    let listed = json(&out);
    for (p, f, level) in [
        (Prov::SignedHere, &files[0].1, "this_device"),
        (Prov::SignedTrusted, &files[1].1, "trusted"),
        (Prov::Foreign, &files[2].1, "not_trusted"),
        (Prov::Unsigned, &files[3].1, "unsigned"),
        (Prov::UnencryptedOnPublic, &files[4].1, "this_device"),
    ] {
        let item = listed["backups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str() == f.to_str())
            .unwrap_or_else(|| panic!("{p:?} not listed"));
        assert_eq!(item["trust"]["level"], level, "{p:?}");
    }
    let pristine = a.root().join("pristine");
    cp_a(&a.home.join("data"), &pristine);
    let scratch = a.root().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let roles = [
        Some("admin"),
        Some("manager"),
        Some("nurse"),
        Some("staff"),
        None,
    ];
    let mut cells = 0;
    for role in roles {
        for (prov, file) in &files {
            let f = file.to_str().unwrap();
            let dir = file.parent().unwrap().to_str().unwrap();
            for cmd in [
                "backup", "list", "show", "verify", "restore", "delete", "rekey", "trust",
            ] {
                let copy = scratch.join("copy.bin");
                let mut c = as_user(role);
                match cmd {
                    "backup" => c.args(["backup", "--to", scratch.to_str().unwrap()]),
                    "list" => c.args(["list", "--in", dir]),
                    "show" => c.args(["show", f]),
                    "verify" => c.args(["verify", f]),
                    "restore" => c.args(["restore", "--yes", f]),
                    "delete" | "rekey" => {
                        std::fs::copy(file, &copy).unwrap();
                        c.args([cmd, copy.to_str().unwrap()])
                    }
                    _ => c.args(["trust", "list"]),
                };
                let out = c.args(["--home", a.h()]).output().unwrap();
                let want = expected(role, cmd, *prov);
                assert_eq!(
                    out.status.code(),
                    Some(want),
                    "{role:?} {cmd} {prov:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                if want == 12 && role.is_some() {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert!(stderr.contains("System Administrator"), "{stderr}");
                }
                if cmd == "restore" && want == 0 {
                    std::fs::remove_dir_all(a.home.join("data")).unwrap();
                    cp_a(&pristine, &a.home.join("data"));
                }
                let _ = std::fs::remove_file(&copy);
                for e in std::fs::read_dir(&scratch).unwrap().flatten() {
                    let _ = std::fs::remove_file(e.path());
                }
                cells += 1;
            }
        }
    }
    assert_eq!(cells, 5 * 5 * 8);
}

#[test]
fn nurse_restoring_a_planted_backup_is_refused_and_the_admin_sees_the_users_change() {
    let a = Clinic::new();
    let evil = Clinic::new();
    // In the other home, "nurse" is a System Administrator.
    ok(
        &run(&[
            "users",
            "role",
            "nurse",
            "System Administrator",
            "--home",
            evil.h(),
        ]),
        "users role",
    );
    let docs = a.home.join("Documents");
    let planted = backup_to(&evil, &docs);
    let p = planted.to_str().unwrap();
    let out = as_user(Some("nurse"))
        .args(["restore", "--yes", p, "--home", a.h()])
        .output()
        .unwrap();
    assert_fails(&out, 12, "may not restore this backup");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not trust"));
    let out = as_user(Some("admin"))
        .args([
            "--json",
            "restore",
            "--yes",
            p,
            "--dry-run",
            "--home",
            a.h(),
        ])
        .output()
        .unwrap();
    ok(&out, "admin dry run");
    let plan = json(&out);
    let after = plan["changes"]["users_after"].as_array().unwrap();
    assert!(after
        .iter()
        .any(|u| u["username"] == "nurse" && u["role"] == "SystemAdministrator"));
    assert_eq!(plan["changes"]["provenance"]["level"], "not_trusted");
    assert_eq!(plan["changes"]["found"], "Public");
    let out = as_user(Some("admin"))
        .args(["restore", "--yes", p, "--dry-run", "--home", a.h()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nurse (System Administrator)"), "{text}");
    assert!(text.contains("needs a System Administrator"), "{text}");
}

#[test]
fn trust_add_list_remove_are_for_the_admin_and_audited() {
    let a = Clinic::new();
    let b = Clinic::new();
    let (b_id, b_key) = device_key(&b);
    let out = as_user(Some("nurse"))
        .args(["trust", "add", &b_key, "--name", "B", "--home", a.h()])
        .output()
        .unwrap();
    assert_fails(&out, 12, "may not manage the trusted signing keys");
    // A .pub file is accepted too.
    let pub_file = a.root().join("b.pub");
    std::fs::write(
        &pub_file,
        format!("untrusted comment: minisign public key\n{b_key}\n"),
    )
    .unwrap();
    let out = run(&[
        "--json",
        "trust",
        "add",
        pub_file.to_str().unwrap(),
        "--name",
        "B",
        "--home",
        a.h(),
    ]);
    ok(&out, "trust add");
    assert_eq!(json(&out)["key"]["key_id"], b_id.as_str());
    assert_fails(
        &run(&["trust", "add", &b_key, "--name", "B again", "--home", a.h()]),
        2,
        "trusted already",
    );
    assert_fails(
        &run(&["trust", "add", "RWnotakey", "--name", "x", "--home", a.h()]),
        2,
        "not a minisign public key",
    );
    let out = run(&["trust", "list", "--home", a.h()]);
    ok(&out, "trust list");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&b_id) && text.contains("This tablet"),
        "{text}"
    );
    ok(
        &run(&["trust", "remove", "B", "--home", a.h()]),
        "trust remove",
    );
    assert_fails(
        &run(&["trust", "remove", "B", "--home", a.h()]),
        3,
        "no trusted key",
    );
    let out = run(&["--json", "audit", "list", "--home", a.h()]);
    let entries: Vec<Value> = json(&out)["entries"].as_array().unwrap().clone();
    let actions: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("manage trust", "refused"),
        ("trust add", "success"),
        ("trust add", "failure"),
        ("trust remove", "success"),
    ] {
        assert!(
            actions.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {actions:?}"
        );
    }
}

#[test]
fn list_and_show_say_who_signed_and_a_shadowing_id_is_a_conflict() {
    let a = Clinic::new();
    let real = a.backup();
    let id = backup_id(&real);
    let out = run(&["show", &id, "--home", a.h()]);
    ok(&out, "show");
    let (key_id, _) = device_key(&a);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Signature   this device key {key_id}")),
        "{text}"
    );
    // A copy planted in Documents under another name shadows nothing now.
    // It differs by one byte of its manifest copy, outside the payload: a
    // copy that is the same outside its payload (a copy to USB) is the same
    // backup and no conflict.
    let docs = a.home.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    let mut bytes = std::fs::read(&real).unwrap();
    let at = data_of(&bytes, "manifest.json.age");
    bytes[at] ^= 0xff;
    std::fs::write(docs.join("Backup-planted.bin"), &bytes).unwrap();
    let out = run(&["list", "--home", a.h()]);
    ok(&out, "list");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("CONFLICT").count(), 2, "{text}");
    for cmd in [vec!["show", &id], vec!["delete", &id]] {
        let mut args = cmd.clone();
        args.extend(["--home", a.h()]);
        assert_fails(&run(&args), 2, "carry the backup ID");
    }
    assert!(real.exists());
}

#[test]
fn restore_refuses_during_a_sync_and_says_how_many_outbox_records_it_would_lose() {
    let a = Clinic::new();
    let file = a.backup();
    let mut sync = bin()
        .args(["demo", "sync", a.h(), "--seconds", "600"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the event: the sync lock is held.
    loop {
        let out = run(&["--json", "sync", "status", "--home", a.h()]);
        if json(&out)["sync"]["state"] == "running" {
            break;
        }
        assert!(
            sync.try_wait().unwrap().is_none(),
            "the sync simulator ended"
        );
    }
    let out = as_user(Some("nurse"))
        .args(["restore", "--yes", file.to_str().unwrap(), "--home", a.h()])
        .output()
        .unwrap();
    assert_fails(&out, 11, "outbox records are not yet synchronized");
    let out = as_user(Some("nurse"))
        .args([
            "restore",
            "--yes",
            file.to_str().unwrap(),
            "--wait-sync",
            "1",
            "--home",
            a.h(),
        ])
        .output()
        .unwrap();
    assert_fails(&out, 11, "still in progress after the wait");
    sync.kill().unwrap();
    sync.wait().unwrap();
    let out = as_user(Some("nurse"))
        .args(["restore", "--yes", file.to_str().unwrap(), "--home", a.h()])
        .output()
        .unwrap();
    ok(&out, "restore after the sync");
}

#[test]
fn state_files_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let a = Clinic::new();
    allow_unencrypted(&a);
    let cmd = format!(
        "umask 000; exec {} backup --no-encrypt --home {}",
        env!("CARGO_BIN_EXE_carevault"),
        a.h()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .env("CAREVAULT_USER", "nurse")
        .env("CAREVAULT_PASSWORD", "nurse-demo-pass")
        .output()
        .unwrap();
    ok(&out, "backup under umask 000");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let private = a.home.join("private");
    assert_eq!(mode(&private), 0o700);
    assert_eq!(mode(&private.join("backups")), 0o700);
    assert_eq!(mode(&private.join("device-signing.key")), 0o600);
    assert_eq!(mode(&private.join("audit.head")), 0o600);
    for e in std::fs::read_dir(private.join("backups"))
        .unwrap()
        .flatten()
    {
        assert_eq!(mode(&e.path()), 0o600, "{}", e.path().display());
    }
}

#[test]
fn a_facility_key_certifies_tablets_through_the_cli() {
    let a = Clinic::new();
    let b = Clinic::new();
    let fk = a.root().join("facility.key");
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .args([
            "--json",
            "trust",
            "facility-key",
            "--out",
            fk.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    ok(&out, "trust facility-key (no login)");
    let public = json(&out)["public_key"].as_str().unwrap().to_string();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&fk).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_fails(
        &run(&["trust", "facility-key", "--out", fk.to_str().unwrap()]),
        2,
        "already exists",
    );
    let out = as_user(Some("nurse"))
        .args([
            "trust",
            "certify",
            "--facility-key",
            fk.to_str().unwrap(),
            "--home",
            b.h(),
        ])
        .output()
        .unwrap();
    assert_fails(&out, 12, "may not manage the trusted signing keys");
    ok(
        &run(&[
            "trust",
            "certify",
            "--facility-key",
            fk.to_str().unwrap(),
            "--home",
            b.h(),
        ]),
        "trust certify",
    );
    ok(
        &run(&[
            "trust",
            "add",
            &public,
            "--name",
            "Facility",
            "--facility",
            "--home",
            a.h(),
        ]),
        "trust add --facility",
    );
    let file = backup_to(&b, &a.root().join("from-b"));
    let out = run(&["show", file.to_str().unwrap(), "--home", a.h()]);
    ok(&out, "show");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Signature   trusted (certified by Facility)"),
        "{text}"
    );
    let out = as_user(Some("nurse"))
        .args(["restore", "--yes", file.to_str().unwrap(), "--home", a.h()])
        .output()
        .unwrap();
    ok(&out, "nurse restores a certified tablet's backup");
}

/// A copy damaged only inside its payload carries the real payload's hash
/// outside it: it is the same backup, damaged, not a conflict. The listing
/// tells so without reading the payloads (it used to read both files in
/// full for every repeated ID), and verify refuses the damaged copy.
#[test]
fn a_copy_damaged_only_inside_its_payload_is_no_conflict_and_verify_refuses_it() {
    let a = Clinic::new();
    let real = a.backup();
    let mut bytes = std::fs::read(&real).unwrap();
    let payload = data_of(&bytes, "payload.tar.zst.age");
    let manifest = data_of(&bytes, "manifest.json.age");
    bytes[(payload + manifest) / 2] ^= 0x01;
    let docs = a.home.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    let copy = docs.join(real.file_name().unwrap());
    std::fs::write(&copy, &bytes).unwrap();
    let out = run(&["list", "--home", a.h()]);
    ok(&out, "list");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("CONFLICT").count(), 0, "{text}");
    let id = backup_id(&real);
    assert_eq!(text.matches(&id).count(), 2, "both listed: {text}");
    let out = run(&[
        "verify",
        copy.to_str().unwrap(),
        "--home",
        a.h(),
        "--passphrase-file",
        a.p(),
    ]);
    assert_fails(&out, 6, "damaged");
    ok(
        &run(&[
            "verify",
            real.to_str().unwrap(),
            "--home",
            a.h(),
            "--passphrase-file",
            a.p(),
        ]),
        "verify real",
    );
}

/// A byte-identical copy of a backup (what "Copy to USB" makes) is the
/// same backup: no conflict, and the backup is still used by its ID.
#[test]
fn a_byte_identical_copy_of_a_backup_is_no_conflict() {
    let a = Clinic::new();
    let real = a.backup();
    let id = backup_id(&real);
    let docs = a.home.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::copy(&real, docs.join(real.file_name().unwrap())).unwrap();
    let out = run(&["list", "--home", a.h()]);
    ok(&out, "list");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("CONFLICT").count(), 0, "{text}");
    assert_eq!(text.matches(&id).count(), 2, "both listed: {text}");
    ok(&run(&["show", &id, "--home", a.h()]), "show");
}
