//! Every role x action pair through the CLI, allowed and refused, and the
//! audit entry each refusal leaves.

use crate::support::*;
use serde_json::Value;
use std::process::Output;

const USERS: [(&str, &str); 5] = [
    ("admin", "admin-demo-pass"),
    ("manager", "manager-demo-pass"),
    ("nurse", "nurse-demo-pass"),
    ("staff", "staff-demo-pass"),
    ("volunteer", "volunteer-pass"),
];

fn as_user(c: &Clinic, user: &str, args: &[&str]) -> Output {
    let pw = USERS.iter().find(|u| u.0 == user).unwrap().1;
    let mut cmd = bin();
    cmd.env("CAREVAULT_USER", user)
        .env("CAREVAULT_PASSWORD", pw)
        .env("CAREVAULT_PASSPHRASE", PASS);
    cmd.args(args).args(["--home", c.h()]).output().unwrap()
}

fn audit_entries(c: &Clinic) -> Vec<Value> {
    let out = run(&["--json", "audit", "list", "--home", c.h()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)["entries"].as_array().unwrap().clone()
}

#[test]
fn every_role_and_action() {
    let c = Clinic::new();
    // A role carevault does not know counts as Clinic Staff.
    let out = bin()
        .env("CAREVAULT_NEW_PASSWORD", "volunteer-pass")
        .args([
            "users",
            "add",
            "volunteer",
            "--role",
            "Clinic Staff",
            "--home",
            c.h(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = rusqlite::Connection::open(c.home.join("data/users.db")).unwrap();
    db.execute(
        "UPDATE users SET role = 'Volunteer' WHERE username = 'volunteer'",
        [],
    )
    .unwrap();
    drop(db);

    let file = c.backup();
    let f = file.to_str().unwrap();
    let id = backup_id(&file);
    // (action, args, roles allowed)
    let care = ["admin", "manager", "nurse"];
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("list", vec!["list"], care.to_vec()),
        ("show", vec!["show", &id], care.to_vec()),
        ("verify", vec!["verify", f], care.to_vec()),
        ("backup", vec!["backup"], care.to_vec()),
        ("restore", vec!["restore", "--yes", f], care.to_vec()),
        ("users list", vec!["users", "list"], vec!["admin"]),
        ("audit list", vec!["audit", "list"], vec!["admin"]),
        ("status", vec!["status"], care.to_vec()),
    ];
    for (action, args, allowed) in &cases {
        for (user, _) in USERS {
            let before = audit_entries(&c).len();
            let out = as_user(&c, user, args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if allowed.contains(&user) {
                assert!(
                    out.status.success(),
                    "{user} should be allowed to {action}: {stderr}"
                );
            } else {
                assert_eq!(
                    out.status.code(),
                    Some(12),
                    "{user} should be refused {action}: {stderr}"
                );
                assert!(
                    stderr.contains("may not") && stderr.contains("ask someone with the role"),
                    "{stderr}"
                );
                let after = audit_entries(&c);
                assert_eq!(
                    after.len(),
                    before + 1,
                    "{user}/{action}: the refusal is audited"
                );
                let last = after.last().unwrap();
                assert_eq!(last["outcome"], "refused");
                assert_eq!(last["user"], *user);
            }
        }
    }
    // Delete: System Administrator only; the others are refused first.
    for user in ["manager", "nurse", "staff", "volunteer"] {
        let out = as_user(&c, user, &["delete", &id]);
        assert_eq!(out.status.code(), Some(12), "{user} delete");
        assert!(String::from_utf8_lossy(&out.stderr).contains("System Administrator"));
    }
    assert!(file.exists());
    let out = as_user(&c, "admin", &["delete", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!file.exists());
}

#[test]
fn a_wrong_password_is_refused_and_audited_without_saying_which_part() {
    let c = Clinic::new();
    for (user, pw) in [("nurse", "not-it"), ("nobody", "whatever")] {
        let out = bin()
            .env("CAREVAULT_USER", user)
            .env("CAREVAULT_PASSWORD", pw)
            .args(["list", "--home", c.h()])
            .output()
            .unwrap();
        assert_fails(&out, 12, "the user name or password is wrong");
    }
    let entries = audit_entries(&c);
    let fails: Vec<_> = entries
        .iter()
        .filter(|e| e["action"] == "login" && e["outcome"] == "failure")
        .collect();
    assert_eq!(fails.len(), 2);
    // No user given at all.
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .args(["list", "--home", c.h()])
        .output()
        .unwrap();
    assert_fails(&out, 12, "needs a login");
}

#[test]
fn first_run_restore_needs_no_login_but_a_filled_home_does() {
    let c = Clinic::new();
    let file = c.backup();
    let fresh = c.root().join("new-tablet");
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .env_remove("CAREVAULT_PASSWORD")
        .args([
            "restore",
            "--yes",
            file.to_str().unwrap(),
            "--home",
            fresh.to_str().unwrap(),
            "--passphrase-file",
            c.p(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The users came back with the data: the nurse can log in on the new tablet.
    let out = bin()
        .env("CAREVAULT_USER", "nurse")
        .env("CAREVAULT_PASSWORD", "nurse-demo-pass")
        .args([
            "list",
            "--home",
            fresh.to_str().unwrap(),
            "--in",
            file.parent().unwrap().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Now it holds data: a second restore without a login is refused.
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .args([
            "restore",
            "--yes",
            file.to_str().unwrap(),
            "--home",
            fresh.to_str().unwrap(),
            "--passphrase-file",
            c.p(),
        ])
        .output()
        .unwrap();
    assert_fails(&out, 12, "needs a login");
}

#[test]
fn users_are_managed_by_the_system_administrator_only() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("empty");
    let h = home.to_str().unwrap();
    // First user of an empty home: no login, and must be an administrator.
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .env("CAREVAULT_NEW_PASSWORD", "first-admin-pw")
        .args(["users", "add", "ana", "--role", "Clinic Nurse", "--home", h])
        .output()
        .unwrap();
    assert_fails(&out, 2, "must be a System Administrator");
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .env("CAREVAULT_NEW_PASSWORD", "first-admin-pw")
        .args([
            "users",
            "add",
            "ana",
            "--role",
            "System Administrator",
            "--home",
            h,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Afterwards a login is needed, as an administrator.
    let out = bin()
        .env_remove("CAREVAULT_USER")
        .env("CAREVAULT_NEW_PASSWORD", "second-pw-123")
        .args(["users", "add", "ben", "--role", "Clinic Nurse", "--home", h])
        .output()
        .unwrap();
    assert_fails(&out, 12, "needs a login");
    let admin = |args: &[&str]| {
        bin()
            .env("CAREVAULT_USER", "ana")
            .env("CAREVAULT_PASSWORD", "first-admin-pw")
            .env("CAREVAULT_NEW_PASSWORD", "second-pw-123")
            .args(args)
            .args(["--home", h])
            .output()
            .unwrap()
    };
    assert!(admin(&["users", "add", "ben", "--role", "Clinic Nurse"])
        .status
        .success());
    assert!(admin(&["users", "role", "ben", "Clinical Manager"])
        .status
        .success());
    let out = admin(&["--json", "users", "list"]);
    let v = json(&out);
    let ben = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "ben")
        .unwrap()
        .clone();
    assert_eq!(ben["effective_role"], "ClinicalManager");
    assert_fails(&admin(&["users", "role", "ben", "Chief"]), 2, "not a role");
    let nurse = bin()
        .env("CAREVAULT_USER", "ben")
        .env("CAREVAULT_PASSWORD", "second-pw-123")
        .args(["users", "list", "--home", h])
        .output()
        .unwrap();
    assert_fails(&nurse, 12, "may not manage users");
}
