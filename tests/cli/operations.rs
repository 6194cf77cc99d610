//! Media and policy, the sync guard, the audit trail, automatic backups and
//! retention, and the status warning, through the CLI.

use crate::support::*;
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn ok(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(out)
}

#[test]
fn external_falls_back_to_public_until_a_medium_is_mounted() {
    let c = Clinic::new();
    let v = ok(&run(&[
        "--json",
        "backup",
        "--home",
        c.h(),
        "--medium",
        "external",
        "--passphrase-file",
        c.p(),
    ]));
    let b = &v["backup"];
    assert_eq!(b["destination"]["fell_back"], true);
    assert!(b["destination"]["note"]
        .as_str()
        .unwrap()
        .contains("No SD card or USB drive"));
    assert_eq!(b["metadata"]["location"], "Public");
    assert!(b["path"]
        .as_str()
        .unwrap()
        .starts_with(c.home.join("Documents").to_str().unwrap()));
    // A stick appears under the configured mount root.
    let stick = c.root().join("media/clinic/USB-STICK");
    std::fs::create_dir_all(&stick).unwrap();
    let v = ok(&run(&[
        "--json",
        "backup",
        "--home",
        c.h(),
        "--medium",
        "external",
        "--passphrase-file",
        c.p(),
    ]));
    let b = &v["backup"];
    assert_eq!(b["destination"]["fell_back"], false);
    assert_eq!(b["metadata"]["location"], "External");
    assert!(b["path"]
        .as_str()
        .unwrap()
        .starts_with(stick.join("carevault-backups").to_str().unwrap()));
    // The listing covers every medium, or one.
    let all = ok(&run(&["--json", "list", "--home", c.h()]));
    assert_eq!(all["backups"].as_array().unwrap().len(), 2);
    let ext = ok(&run(&[
        "--json",
        "list",
        "--home",
        c.h(),
        "--media",
        "external",
    ]));
    assert_eq!(ext["backups"].as_array().unwrap().len(), 1);
    assert_fails(
        &run(&["list", "--home", c.h(), "--media", "cloud"]),
        2,
        "not a storage medium",
    );
}

#[test]
fn the_encryption_policy_refuses_before_any_work() {
    let c = Clinic::new();
    for medium in ["public", "external"] {
        let out = run(&[
            "backup",
            "--home",
            c.h(),
            "--medium",
            medium,
            "--no-encrypt",
        ]);
        assert_fails(&out, 2, "must be encrypted");
    }
    assert!(!c.home.join("Documents").exists(), "nothing written");
    let audit = ok(&run(&["--json", "audit", "list", "--home", c.h()]));
    let refusals: Vec<_> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "create" && e["outcome"] == "refused")
        .collect();
    assert_eq!(refusals.len(), 2, "each policy refusal is audited");
    assert!(refusals[0]["reason"]
        .as_str()
        .unwrap()
        .contains("must be encrypted"));
    let v = ok(&run(&[
        "--json",
        "backup",
        "--home",
        c.h(),
        "--medium",
        "private",
        "--no-encrypt",
    ]));
    assert_eq!(v["backup"]["metadata"]["encrypted"], false);
}

fn sync_state(c: &Clinic) -> String {
    let v = ok(&run(&["--json", "sync", "status", "--home", c.h()]));
    v["sync"]["state"].as_str().unwrap().to_string()
}

/// Longer than anything a loaded machine explains: only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// `carevault demo sync` for an hour: it runs until it is interrupted.
fn start_sync(c: &Clinic) -> std::process::Child {
    let mut sync = bin()
        .args(["demo", "sync", c.h(), "--seconds", "3600"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while sync_state(c) != "running" {
        assert!(
            sync.try_wait().unwrap().is_none(),
            "the simulator ended before it ran"
        );
        assert!(t0.elapsed() < HANG_GUARD, "the simulator never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    sync
}

/// Interrupts the simulator as Ctrl-C would; it ends cleanly.
fn interrupt(mut sync: std::process::Child) {
    assert_eq!(unsafe { libc::kill(sync.id() as i32, libc::SIGINT) }, 0);
    assert!(sync.wait().unwrap().success());
}

/// Reads `child`'s standard error on a thread: the receiver gets a message
/// when a line containing `words` appears; the handle returns the whole text.
fn watch_stderr(
    child: &mut std::process::Child,
    words: &'static str,
) -> (
    std::sync::mpsc::Receiver<()>,
    std::thread::JoinHandle<String>,
) {
    use std::io::BufRead;
    let err = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in std::io::BufReader::new(err).lines() {
            let line = line.unwrap_or_default();
            if line.contains(words) {
                let _ = tx.send(());
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    (rx, reader)
}

#[test]
fn a_backup_waits_for_a_running_sync_when_asked() {
    let c = Clinic::new();
    assert_eq!(sync_state(&c), "idle");
    let sync = start_sync(&c);
    let v = ok(&run(&["--json", "sync", "status", "--home", c.h()]));
    assert!(v["sync"]["since"].as_str().is_some());
    // Refused outright...
    assert_fails(
        &run(&["backup", "--home", c.h(), "--passphrase-file", c.p()]),
        11,
        "synchronization is in progress",
    );
    // ...or made once the sync has ended.
    let mut backup = bin()
        .args([
            "--json",
            "backup",
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
            "--wait-sync",
            "600",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (waiting, stderr) = watch_stderr(&mut backup, "waiting for the running synchronization");
    waiting
        .recv_timeout(HANG_GUARD)
        .expect("the backup never said it waits for the sync");
    assert!(
        backup.try_wait().unwrap().is_none(),
        "the backup ended while the sync ran"
    );
    interrupt(sync);
    let mut out = backup.wait_with_output().unwrap();
    out.stderr = stderr.join().unwrap().into_bytes();
    let v = ok(&out);
    assert_eq!(v["result"], "created");
    assert_eq!(sync_state(&c), "idle");
    // A wait that is too short is refused with its own words (the sync
    // runs on for its hour).
    let sync = start_sync(&c);
    assert_fails(
        &run(&[
            "backup",
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
            "--wait-sync",
            "1",
        ]),
        11,
        "still in progress after the wait",
    );
    interrupt(sync);
}

#[test]
fn every_action_is_audited_and_tampering_is_found() {
    let c = Clinic::new();
    let file = c.backup();
    let f = file.to_str().unwrap();
    ok(&run(&[
        "--json",
        "verify",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]));
    let wrong = c.root().join("wrong.txt");
    std::fs::write(&wrong, "nope\n").unwrap();
    assert!(!run(&[
        "verify",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        wrong.to_str().unwrap()
    ])
    .status
    .success());
    ok(&run(&[
        "--json",
        "restore",
        "--yes",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]));
    let staff = bin()
        .env("CAREVAULT_USER", "staff")
        .env("CAREVAULT_PASSWORD", "staff-demo-pass")
        .args(["list", "--home", c.h()])
        .output()
        .unwrap();
    assert_eq!(staff.status.code(), Some(12));
    let bad_login = bin()
        .env("CAREVAULT_PASSWORD", "wrong")
        .args(["list", "--home", c.h()])
        .output()
        .unwrap();
    assert_eq!(bad_login.status.code(), Some(12));
    ok(&run(&["--json", "delete", f, "--home", c.h()]));

    let entries = ok(&run(&["--json", "audit", "list", "--home", c.h()]))["entries"]
        .as_array()
        .unwrap()
        .clone();
    let seen: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("create", "success"),
        ("verify", "success"),
        ("verify", "failure"),
        ("restore", "success"),
        ("view", "refused"),
        ("login", "failure"),
        ("delete", "success"),
    ] {
        assert!(
            seen.contains(&(want.0.to_string(), want.1.to_string())),
            "no {want:?} in {seen:?}"
        );
    }
    let create = entries.iter().find(|e| e["action"] == "create").unwrap();
    assert_eq!(create["user"], "admin");
    assert_eq!(create["medium"], "Private");
    assert!(create["backup"].as_str().unwrap().len() > 10);
    let v = ok(&run(&["--json", "audit", "verify", "--home", c.h()]));
    assert!(v["problems"].as_array().unwrap().is_empty());

    // The trail survived the restore (it lives in private/), and it is tamper-evident.
    let log = c.home.join("private/audit.log");
    let original = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let tamper = |text: String, what: &str| {
        std::fs::write(&log, text).unwrap();
        let out = run(&["audit", "verify", "--home", c.h()]);
        assert_eq!(out.status.code(), Some(7), "{what} went unnoticed");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("altered"),
            "{what}"
        );
    };
    tamper(
        original.replacen("\"outcome\":\"refused\"", "\"outcome\":\"success\"", 1),
        "an edited outcome",
    );
    let mut removed = lines.clone();
    removed.remove(2);
    tamper(removed.join("\n") + "\n", "a removed entry");
    let mut swapped = lines.clone();
    swapped.swap(1, 2);
    tamper(swapped.join("\n") + "\n", "reordered entries");
    tamper(
        lines[..lines.len() - 1].join("\n") + "\n",
        "a removed last entry",
    );
    std::fs::write(&log, &original).unwrap();
    ok(&run(&["--json", "audit", "verify", "--home", c.h()]));
}

#[test]
fn automatic_backups_keep_the_newest_and_never_delete_manual_ones() {
    let c = Clinic::new();
    let profile = std::fs::read_to_string(c.home.join("carevault.toml")).unwrap();
    std::fs::write(
        c.home.join("carevault.toml"),
        format!("{profile}[auto]\ninterval_hours = 0\nkeep = 2\n"),
    )
    .unwrap();
    let manual = c.backup();
    for _ in 0..4 {
        let v = ok(&run(&["--json", "auto", "--home", c.h()]));
        assert!(v["made"]["path"].is_string());
        // The next one is made in a later second than this one.
        next_second();
    }
    let listed = ok(&run(&[
        "--json",
        "list",
        "--home",
        c.h(),
        "--media",
        "private",
    ]))["backups"]
        .as_array()
        .unwrap()
        .clone();
    let autos: Vec<_> = listed
        .iter()
        .filter(|b| b["metadata"]["automatic"] == true)
        .collect();
    assert_eq!(
        autos.len(),
        2,
        "retention keeps the newest 2 automatic backups"
    );
    assert!(autos
        .iter()
        .all(|b| b["metadata"]["created_by"] == "auto" && b["metadata"]["encrypted"] == true));
    assert!(manual.exists(), "a manual backup is never deleted");
    // The device secret is random, private, and opens the automatic backups on this device.
    let secret = std::fs::read_to_string(c.home.join("private/device-secret")).unwrap();
    assert_eq!(secret.trim().len(), 64);
    assert!(!secret.contains("tablet") && !secret.contains("demo"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(c.home.join("private/device-secret"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let auto_file = autos[0]["path"].as_str().unwrap();
    ok(&bin()
        .env_remove("CAREVAULT_PASSPHRASE")
        .args(["--json", "verify", auto_file, "--home", c.h()])
        .stdin(Stdio::null())
        .output()
        .unwrap());
    // Not due: nothing made.
    std::fs::write(
        c.home.join("carevault.toml"),
        format!("{profile}[auto]\ninterval_hours = 24\nkeep = 2\n"),
    )
    .unwrap();
    let v = ok(&run(&["--json", "auto", "--home", c.h()]));
    assert!(v["made"].is_null());
    assert!(v["reason"].as_str().unwrap().contains("none due"));
}

#[test]
fn status_warns_when_no_copy_off_the_private_storage_is_under_a_week_old() {
    let c = Clinic::new();
    let v = ok(&run(&["--json", "status", "--home", c.h()]));
    assert!(v["warning"].as_str().unwrap().contains("no backup yet"));
    assert_eq!(v["sync"]["state"], "idle");
    assert_eq!(v["media"].as_array().unwrap().len(), 3);
    // A backup on the Private medium (where automatic backups go) is wiped
    // by "Clear Data" with the app's data: it does not silence the reminder.
    c.backup();
    let v = ok(&run(&["--json", "status", "--home", c.h()]));
    let w = v["warning"].as_str().expect("still a warning");
    assert!(w.contains("private storage") && w.contains("Public"), "{v}");
    // A copy on the Public medium does.
    let out = ok(&run(&[
        "--json",
        "backup",
        "--home",
        c.h(),
        "--medium",
        "public",
        "--passphrase-file",
        c.p(),
    ]));
    let file = std::path::PathBuf::from(out["backup"]["path"].as_str().unwrap());
    let v = ok(&run(&["--json", "status", "--home", c.h()]));
    assert!(v["warning"].is_null(), "{v}");
    assert!(v["newest"][0]["age_days"].as_f64().unwrap() < 0.1);
    // Age the only backup by ten days (the readable date, as a clock would).
    // A signed backup cannot be edited unnoticed any more, so the aged copy
    // is the unsigned (format 1.0) form: without the origin parts and the
    // `format_minor` field (blanked, so every offset stays the same).
    let mut bytes = std::fs::read(&file).unwrap();
    let (record, _) = carevault_core::archive::reader::Opened::open(&file)
        .unwrap()
        .layout
        .origin
        .unwrap();
    bytes.truncate(record.offset as usize - 512);
    bytes.resize(bytes.len() + 1024, 0);
    let minor = b"\"format_minor\": 1,";
    let m = bytes.windows(minor.len()).position(|w| w == minor).unwrap();
    bytes[m..m + minor.len()].fill(b' ');
    // The container's version mark says 1.0 as well.
    let mark = b"carevault-format-1.1";
    let g = bytes[..512]
        .windows(mark.len())
        .position(|w| w == mark)
        .unwrap();
    bytes[g + mark.len() - 1] = b'0';
    fix_first_header_checksum(&mut bytes);
    let text = String::from_utf8_lossy(&bytes[512..1536]).into_owned();
    let at = text.find("\"created_at\": \"").unwrap() + 512 + 15;
    let old = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(240))
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    bytes[at..at + 20].copy_from_slice(old.as_bytes());
    std::fs::write(&file, bytes).unwrap();
    let v = ok(&run(&["--json", "status", "--home", c.h()]));
    assert!(
        v["warning"]
            .as_str()
            .expect("a warning")
            .contains("outside the app's private storage is 10 days old"),
        "{v}"
    );
    let text = String::from_utf8_lossy(&run(&["status", "--home", c.h()]).stdout).into_owned();
    assert!(text.contains("WARNING"), "{text}");
}

/// Issue: a wrong passphrase after a good verify made `show` say
/// "Verified FAILED". A wrong key is not a verification result.
#[test]
fn a_wrong_passphrase_does_not_mark_a_good_backup_as_failed() {
    let c = Clinic::new();
    let file = c.backup();
    let f = file.to_str().unwrap();
    ok(&run(&[
        "--json",
        "verify",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]));
    let wrong = c.root().join("wrong.txt");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    let out = run(&[
        "--json",
        "verify",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    let v = ok(&run(&["--json", "show", f, "--home", c.h()]));
    assert_eq!(v["last_verification"]["ok"], true, "{v}");
}

fn as_user(user: &str, args: &[&str]) -> std::process::Output {
    bin()
        .env("CAREVAULT_USER", user)
        .env("CAREVAULT_PASSWORD", format!("{user}-demo-pass"))
        .args(args)
        .output()
        .unwrap()
}

/// Issue: every restore kept a safety copy that nothing listed, put back
/// or removed.
#[test]
fn safety_copies_are_listed_put_back_and_removed() {
    let c = Clinic::new();
    let file = c.backup();
    let note = c.home.join("data/files/written-after-the-backup.txt");
    std::fs::write(&note, "made after the backup\n").unwrap();
    ok(&run(&[
        "--json",
        "restore",
        "--yes",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]));
    assert!(!note.exists());
    let v = ok(&run(&["--json", "safety-copies", "list", "--home", c.h()]));
    let copies = v["safety_copies"].as_array().unwrap().clone();
    assert_eq!(copies.len(), 1, "{v}");
    let name = copies[0]["name"].as_str().unwrap().to_string();
    assert!(copies[0]["bytes"].as_u64().unwrap() > 0);
    let s = ok(&run(&["--json", "status", "--home", c.h()]));
    assert_eq!(s["safety_copies"]["count"], 1, "{s}");
    // Only a System Administrator puts one back (its provenance is not
    // recorded); then the note is there again, and the data it replaced is
    // a safety copy in turn.
    let out = as_user(
        "nurse",
        &["safety-copies", "restore", &name, "--home", c.h()],
    );
    assert_eq!(out.status.code(), Some(12));
    let v = ok(&run(&[
        "--json",
        "safety-copies",
        "restore",
        &name,
        "--home",
        c.h(),
    ]));
    assert_eq!(
        std::fs::read_to_string(&note).unwrap(),
        "made after the backup\n",
        "{v}"
    );
    let v = ok(&run(&["--json", "safety-copies", "list", "--home", c.h()]));
    let copies = v["safety_copies"].as_array().unwrap().clone();
    assert_eq!(copies.len(), 1, "{v}");
    let back = copies[0]["name"].as_str().unwrap().to_string();
    assert!(back.contains(&format!("before-return-{name}")), "{back}");
    // Only a System Administrator removes one; a name that is a path is not one.
    let out = as_user(
        "nurse",
        &["safety-copies", "remove", &back, "--home", c.h()],
    );
    assert_eq!(out.status.code(), Some(12));
    let out = run(&["safety-copies", "remove", "../data", "--home", c.h()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(c.home.join("data/files").exists());
    ok(&run(&[
        "--json",
        "safety-copies",
        "remove",
        &back,
        "--home",
        c.h(),
    ]));
    let v = ok(&run(&["--json", "safety-copies", "list", "--home", c.h()]));
    assert!(v["safety_copies"].as_array().unwrap().is_empty(), "{v}");
}

/// Item 12: `--wait-sync` says on standard error that it waits (even with
/// no terminal, where the bar is hidden), then makes the backup once the
/// synchronization ends. Synchronised on the pipe: the sync lock is let go
/// only after the line was read.
#[test]
fn wait_sync_prints_a_line_while_it_waits_for_the_synchronization() {
    use std::io::BufRead;
    let c = Clinic::new();
    let session = carevault_core::hostlock::SyncSession::begin(&c.home).unwrap();
    let mut child = bin()
        .args([
            "--json",
            "backup",
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
            "--wait-sync",
            "600",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert_eq!(
        line.trim_end(),
        "waiting for the running synchronization to end (--wait-sync) ...",
    );
    // Still waiting: nothing was made while the sync runs.
    assert!(child.try_wait().unwrap().is_none());
    drop(session);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["backup"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with(".bin")),
        "{v}"
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(!rest.contains("waiting"), "said more than once: {rest}");
}

/// Returns once the wall clock's second has changed (backup times have a
/// resolution of one second).
fn next_second() {
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let start = now();
    while now() == start {
        std::thread::sleep(Duration::from_millis(10));
    }
}
