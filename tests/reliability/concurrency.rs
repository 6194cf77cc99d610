//! Concurrency: two carevault commands on one home at once, and a restore
//! while the demo app writer and the sync simulator run.
//!
//! Whatever the outcome (serialised, or refused with exit 11 "another
//! backup, restore or delete is running"), it must be clean: every backup
//! that exists verifies and restores to consistent data
//! (`demo::check_consistency` reports no problem, `PRAGMA integrity_check`
//! says ok), no temporary file or staging folder is left, and a refused
//! command changed nothing.

use crate::reliability_support::*;
use carevault_demo::check_consistency;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BUSY: &str = "another backup, restore or delete is running";

/// Rounds of the racing cases: 4 in CI, 20 under `CAREVAULT_SOAK=1`.
fn rounds() -> u64 {
    if soak() {
        20
    } else {
        4
    }
}

fn spawn(mut c: Command) -> Child {
    c.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn carevault")
}

fn finish(c: Child) -> Output {
    c.wait_with_output().expect("wait")
}

/// Longer than anything a loaded machine explains: only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Polls `cond` every millisecond for up to `within`.
fn wait_for(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    cond()
}

/// True when some process is blocked waiting for the lock file `name`
/// (`write-barrier.lock`, `sync.lock`, ...) of `home`: the kernel lists
/// blocked `flock` waiters in /proc/locks (`->`), with the file's inode.
fn someone_waits_for(home: &Path, name: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(carevault_core::hostlock::locks_dir(home).join(name)) else {
        return false;
    };
    let inode = meta.ino().to_string();
    std::fs::read_to_string("/proc/locks")
        .expect("/proc/locks")
        .lines()
        .filter(|l| l.contains("->"))
        .any(|l| {
            l.split_whitespace()
                .any(|f| f.contains(':') && f.rsplit(':').next() == Some(inode.as_str()))
        })
}

/// Spawns `cmd` while the test holds the write barrier shared (as the app
/// does around a change), and returns once the command is blocked on it:
/// a backup at its snapshot, a restore at its swap, each holding the
/// operation lock. The command goes on when the returned guard is dropped.
fn spawn_held_at_the_barrier(
    c: &Clinic,
    cmd: Command,
) -> (Child, carevault_core::hostlock::LockGuard) {
    let barrier = carevault_core::hostlock::HostLock::WriteBarrier
        .shared(&c.home)
        .expect("the write barrier, shared");
    let mut child = spawn(cmd);
    let blocked = wait_for(HANG_GUARD, || {
        someone_waits_for(&c.home, "write-barrier.lock")
            || child.try_wait().expect("try_wait").is_some()
    });
    assert!(
        blocked && child.try_wait().expect("try_wait").is_none(),
        "the command never came to the write barrier: {:?}",
        child.try_wait()
    );
    (child, barrier)
}

/// Outbox entries in `c`'s sync.db (the demo writer adds three a change).
fn outbox(c: &Clinic) -> i64 {
    rows(&c.data().join("sync.db"), "outbox")
}

/// Waits until the demo writer has committed a change.
fn wait_for_a_change(c: &Clinic, writer: &mut Bg) {
    let before = outbox(c);
    let child = writer.0.as_mut().expect("the writer");
    let changed = wait_for(HANG_GUARD, || {
        outbox(c) > before || child.try_wait().expect("try_wait").is_some()
    });
    assert!(
        changed && child.try_wait().expect("try_wait").is_none(),
        "the demo writer committed nothing"
    );
}

/// The error message of a failed command (plain or `--json`).
fn message(o: &Output) -> String {
    let e = stderr(o);
    if e.trim().is_empty() {
        serde_json::from_slice::<serde_json::Value>(&o.stdout)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| stdout(o))
    } else {
        e
    }
}

fn refused_busy(o: &Output, words: &str) {
    let m = message(o);
    assert_eq!(o.status.code(), Some(11), "expected exit 11 (busy): {m}");
    assert!(m.contains(words), "expected {words:?} in: {m}");
}

/// Every `.bin` in `dir` is listed and verifies; returns them.
fn all_verify(c: &Clinic, dir: &Path) -> Vec<PathBuf> {
    let listed = c.list(&[dir]);
    let bins = bin_files(dir);
    for b in &bins {
        assert!(
            listed.iter().any(|(p, s)| p == b && s == "ok"),
            "{} not listed as ok: {listed:?}",
            b.display()
        );
        ok(&c.verify(b, &c.pass_a), &format!("verify {}", b.display()));
    }
    assert_eq!(temps(dir), Vec::<String>::new(), "temporary files left");
    bins
}

/// Restores `file` into a fresh home (the first-run case, no login) and
/// checks that the data is consistent and every database intact.
fn restores_consistent(c: &Clinic, file: &Path, scratch: &Path) -> u64 {
    let _ = std::fs::remove_dir_all(scratch);
    let o = run_no_login(&[
        "--json",
        "restore",
        "--yes",
        file.to_str().unwrap(),
        "--home",
        scratch.to_str().unwrap(),
        "--passphrase-file",
        c.a(),
    ]);
    ok(&o, &format!("first-run restore of {}", file.display()));
    let data = scratch.join("data");
    let report = check_consistency(&data).unwrap();
    assert!(
        report.is_consistent(),
        "{} restores to inconsistent data: {:?}",
        file.display(),
        report.problems
    );
    assert_eq!(integrity_ok(&data), Vec::<String>::new());
    report.visits_from_writer
}

#[test]
fn two_backups_at_once_one_is_refused_or_both_run_in_turn() {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 5_000, 10, 10);
    let dir = c.private_backups();
    let mut tally = Tally::default();
    let mut made = 0;
    for round in 0..rounds() {
        let a = spawn(c.backup_cmd(None));
        // Second one a little later in some rounds, to vary who wins.
        std::thread::sleep(Duration::from_millis((round % 4) * 15));
        let b = spawn(c.backup_cmd(None));
        let (a, b) = (finish(a), finish(b));
        let codes = (a.status.code().unwrap(), b.status.code().unwrap());
        match codes {
            (0, 0) => made += 2,
            (0, 11) => {
                refused_busy(&b, BUSY);
                made += 1
            }
            (11, 0) => {
                refused_busy(&a, BUSY);
                made += 1
            }
            other => panic!(
                "two backups at once: {other:?}: {} / {}",
                message(&a),
                message(&b)
            ),
        }
        tally.add(format!("exit codes {codes:?}"));
        assert_eq!(
            all_verify(&c, &dir).len(),
            made,
            "one file per successful backup"
        );
        assert!(stagings(&c.home).is_empty());
    }
    // Two restores at once: the same rule.
    let file = bin_files(&dir)[0].clone();
    let a = spawn(c.restore_cmd(&file, &c.pass_a));
    let b = spawn(c.restore_cmd(&file, &c.pass_a));
    let (a, b) = (finish(a), finish(b));
    let codes = (a.status.code().unwrap(), b.status.code().unwrap());
    match codes {
        (0, 0) => {}
        (0, 11) => refused_busy(&b, BUSY),
        (11, 0) => refused_busy(&a, BUSY),
        other => panic!(
            "two restores at once: {other:?}: {} / {}",
            message(&a),
            message(&b)
        ),
    }
    tally.add(format!("two restores: exit codes {codes:?}"));
    assert!(stagings(&c.home).is_empty());
    let r = check_consistency(&c.data()).unwrap();
    assert!(r.is_consistent(), "{:?}", r.problems);
    report(&format!("concurrency/two at once: {}", tally.line()));
}

/// A clinic whose restore lasts ~0.5 s, with one backup of it in `backups/`.
fn slow_clinic(t: &Path) -> (Clinic, PathBuf) {
    let c = Clinic::create(t, 20_000, 10, 10);
    let file = c.backup(Some(&t.join("backups")));
    (c, file)
}

#[test]
fn a_backup_or_delete_during_a_restore_is_refused_and_the_restore_completes() {
    let t = tempfile::tempdir().unwrap();
    let (c, file) = slow_clinic(t.path());
    // Another backup, in the Private medium, for `delete` to aim at.
    let other = c.backup(None);
    let dir = c.private_backups();
    let mut lines = Vec::new();
    for (what, attempt) in [("backup", 0), ("delete", 1)] {
        // The restore holds the operation lock from its start to its end;
        // held at its swap, it is surely running while the other command
        // asks.
        let (restore, barrier) = spawn_held_at_the_barrier(&c, c.restore_cmd(&file, &c.pass_a));
        assert!(!stagings(&c.home).is_empty(), "the restore has staged");
        let o = if attempt == 0 {
            c.backup_cmd(None).output().unwrap()
        } else {
            run(&["delete", other.to_str().unwrap(), "--home", c.h()])
        };
        drop(barrier);
        let r = finish(restore);
        ok(&r, "the restore");
        refused_busy(&o, BUSY);
        assert_eq!(
            bin_files(&dir),
            vec![other.clone()],
            "the refused {what} changed the backups"
        );
        all_verify(&c, &dir);
        assert!(stagings(&c.home).is_empty());
        let r = check_consistency(&c.data()).unwrap();
        assert!(r.is_consistent(), "{:?}", r.problems);
        lines.push(format!("{what} during a restore: exit 11, restore exit 0"));
    }
    // And a restore during a backup (held at its snapshot).
    let before = bin_files(&dir).len();
    let (backup, barrier) = spawn_held_at_the_barrier(&c, c.backup_cmd(None));
    let o = c.restore_cmd(&file, &c.pass_a).output().unwrap();
    drop(barrier);
    let b = finish(backup);
    ok(&b, "the backup");
    assert_eq!(bin_files(&dir).len(), before + 1);
    refused_busy(&o, BUSY);
    all_verify(&c, &dir);
    assert!(stagings(&c.home).is_empty());
    lines.push("restore during a backup: exit 11, backup exit 0 and verifies".into());
    report(&format!(
        "concurrency/during a restore: {}",
        lines.join("; ")
    ));
}

#[test]
fn a_delete_during_a_verify_is_clean_either_way() {
    let t = tempfile::tempdir().unwrap();
    let (c, _) = slow_clinic(t.path());
    let mut tally = Tally::default();
    let start = Instant::now();
    let probe = c.backup(None);
    ok(&c.verify(&probe, &c.pass_a), "verify");
    let verify_takes = start.elapsed() / 2;
    std::fs::remove_file(&probe).unwrap();
    for i in 0..rounds() as u32 {
        let file = c.backup(None);
        let mut cmd = bin();
        cmd.args(["--json", "verify", "--home", c.h()])
            .arg(&file)
            .args(["--passphrase-file", c.a()]);
        let v = spawn(cmd);
        std::thread::sleep(verify_takes * (i % 4) / 4);
        let d = run(&["delete", file.to_str().unwrap(), "--home", c.h()]);
        let v = finish(v);
        // verify does not take the operation lock: the delete goes through,
        // and the verify either read the whole (unlinked) file or did not
        // find it.
        ok(&d, "delete during a verify");
        assert!(!file.exists());
        let code = v.status.code().unwrap();
        assert!(
            code == 0 || code == 3,
            "verify during a delete: exit {code}: {}",
            message(&v)
        );
        tally.add(format!("delete exit 0, verify exit {code}"));
        assert!(c.list(&[]).is_empty(), "a deleted backup is still listed");
        assert!(temps(&c.private_backups()).is_empty());
    }
    report(&format!(
        "concurrency/delete during verify: {}",
        tally.line()
    ));
}

/// A background `carevault demo ...` process; killed if the test panics
/// before it is stopped (the demo writer would otherwise run on).
struct Bg(Option<Child>);

impl Bg {
    /// Stops it as Ctrl-C would, and waits.
    fn interrupt(mut self) -> Output {
        let child = self.0.take().unwrap();
        let o = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .output()
            .unwrap();
        ok(&o, "kill -INT");
        finish(child)
    }
}

impl Drop for Bg {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn demo(args: &[&str]) -> Bg {
    let mut c = bin();
    c.arg("--json").arg("demo").args(args);
    Bg(Some(spawn(c)))
}

#[test]
fn a_restore_while_the_app_writes_and_syncs_is_serialised_and_every_backup_is_consistent() {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 5_000, 10, 10);
    let dir = c.private_backups();
    let mut lines = Vec::new();
    let mut writer = demo(&["write", c.h(), "--rate", "200"]);
    wait_for_a_change(&c, &mut writer);

    // A backup while the app writes.
    let first = c.backup(None);

    // A synchronization starts (it runs until it is interrupted): a backup
    // is refused (the guide's rule)...
    let sync = demo(&["sync", c.h(), "--seconds", "3600"]);
    assert!(
        wait_for(HANG_GUARD, || {
            carevault_core::hostlock::sync_running(&c.home).unwrap()
        }),
        "the sync simulator never took the sync lock"
    );
    let o = c.backup_cmd(None).output().unwrap();
    refused_busy(&o, "a synchronization is in progress");
    lines.push("backup during a sync: exit 11".to_string());

    // ...and so is a restore over the data (issue 10: it would lose the
    // outbox records the sync has not pushed yet, and says how many)...
    let o = c.restore_cmd(&first, &c.pass_a).output().unwrap();
    refused_busy(&o, "outbox records are not yet synchronized");
    lines.push("restore during a sync: exit 11".to_string());
    // ...while one that waits for the sync runs once it ends, with the
    // writer still going, serialised with it by the write barrier.
    let mut cmd = c.restore_cmd(&first, &c.pass_a);
    cmd.args(["--wait-sync", "600"]);
    let mut restore = spawn(cmd);
    let restore_err = restore.stderr.take().unwrap();
    let (said_tx, said_rx) = std::sync::mpsc::channel();
    let stderr_reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut text = String::new();
        for line in std::io::BufReader::new(restore_err).lines() {
            let line = line.unwrap_or_default();
            if line.contains("waiting for the running synchronization to end") {
                let _ = said_tx.send(());
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    // It says it waits (the sync cannot end on its own): now end the sync.
    said_rx
        .recv_timeout(HANG_GUARD)
        .expect("the restore never said it waits for the synchronization");
    assert!(
        restore.try_wait().unwrap().is_none(),
        "the restore ended while the sync ran"
    );
    let s = sync.interrupt();
    lines.push(format!(
        "sync simulator, interrupted: exit {} ({})",
        s.status.code().unwrap(),
        message(&s)
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect::<String>()
    ));
    let mut o = finish(restore);
    o.stderr = stderr_reader.join().unwrap().into_bytes();
    let restore_code = o.status.code().unwrap();
    lines.push(format!(
        "restore --wait-sync during writes and a sync: exit {restore_code}"
    ));
    ok(&o, "a restore that waits for the sync while the app writes");
    let v = json(&o);
    assert_eq!(v["result"], "restored");
    assert!(stagings(&c.home).is_empty());
    // Every line of the report agrees with the backup, although the app
    // writes on right after the swap (see also
    // `a_restore_while_the_app_writes_reports_success`).
    for check in v["checks"].as_array().unwrap() {
        assert_eq!(check["ok"], true, "a restore check failed: {check}");
    }

    // A backup with --wait-sync once the sync has ended, while the writer
    // goes on.
    let o = c
        .backup_cmd(None)
        .args(["--wait-sync", "600"])
        .output()
        .unwrap();
    ok(&o, "backup --wait-sync");
    lines.push("backup --wait-sync: exit 0".into());

    // One more while only the writer runs; then stop the writer.
    c.backup(None);
    let w = writer.interrupt();
    ok(&w, "the demo writer");
    let wj = json(&w);
    lines.push(format!(
        "writer: {} transactions, longest barrier wait {:.1} ms",
        wj["transactions"],
        wj["longest_wait_ms"].as_f64().unwrap_or(0.0)
    ));

    // The live data, at rest: consistent and intact.
    let live = check_consistency(&c.data()).unwrap();
    assert!(live.is_consistent(), "live data: {:?}", live.problems);
    assert_eq!(integrity_ok(&c.data()), Vec::<String>::new());
    // The replaced data is kept, and is consistent too.
    let kept: Vec<PathBuf> = std::fs::read_dir(c.home.join("safety-copies"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("data"))
        .collect();
    assert_eq!(kept.len(), 1);
    let r = check_consistency(&kept[0]).unwrap();
    assert!(r.is_consistent(), "safety copy: {:?}", r.problems);

    // Every backup verifies and restores to consistent data.
    let backups = all_verify(&c, &dir);
    assert_eq!(backups.len(), 3);
    let mut writer_txns = Vec::new();
    for b in &backups {
        writer_txns.push(restores_consistent(&c, b, &t.path().join("scratch")));
    }
    lines.push(format!(
        "{} backups verified and restored consistent (writer transactions in them: {writer_txns:?})",
        backups.len()
    ));
    report(&format!(
        "concurrency/restore under writer and sync: {}",
        lines.join("; ")
    ));
}

/// A delete that lands while a rekey copies the file: refused as busy (the
/// rekey holds the operation lock), or, if it came after, the backup stays
/// deleted; never "deleted" and then back.
#[test]
fn a_delete_during_a_rekey_is_refused_or_the_backup_stays_deleted() {
    let t = tempfile::tempdir().unwrap();
    // Many photos: a large file, so the rekey copies for a while.
    let c = Clinic::create(t.path(), 2_000, 250, 10);
    let dir = c.private_backups();
    let file = c.backup(None);
    let mut r = spawn(rekey_cmd(&c, &file));
    // The rekey is copying once its temporary file exists (or it ended
    // before that was seen: the delete then comes after it).
    let seen = wait_for(HANG_GUARD, || {
        !temps(&dir).is_empty() || r.try_wait().unwrap().is_some()
    }) && r.try_wait().unwrap().is_none();
    let d = run(&["delete", file.to_str().unwrap(), "--home", c.h()]);
    let r = finish(r);
    ok(&r, "the rekey");
    let dc = d.status.code().unwrap();
    if dc == 0 {
        assert!(
            !file.exists(),
            "delete said the backup was deleted (exit 0), but it is back after the rekey"
        );
    } else {
        refused_busy(&d, "running");
        ok(&c.verify(&file, &c.pass_b), "the rekeyed backup");
    }
    assert!(temps(&dir).is_empty());
    report(&format!(
        "concurrency/delete during a rekey: delete exit {dc}{}, rekey exit 0",
        if seen {
            ""
        } else {
            " (the rekey was not seen copying)"
        }
    ));
}

fn rekey_cmd(c: &Clinic, file: &Path) -> Command {
    let mut cmd = bin();
    cmd.args(["rekey", "--home", c.h()]).arg(file).args([
        "--passphrase-file",
        c.a(),
        "--new-passphrase-file",
        c.b(),
    ]);
    cmd
}

/// Two rekeys of one backup (same old and new passphrase): the second is
/// refused as busy while the first runs, or runs after it and finds the
/// passphrase already changed (exit 4); never an I/O error or a broken file.
#[test]
fn two_rekeys_at_once_are_serialised_cleanly() {
    let t = tempfile::tempdir().unwrap();
    // Many photos: a large file, so the rekey copies for a while.
    let c = Clinic::create(t.path(), 2_000, 250, 10);
    let dir = c.private_backups();
    let file = c.backup(None);
    let mut a = spawn(rekey_cmd(&c, &file));
    // The first is copying (or already done: the second then finds the
    // passphrase changed); either way the second starts after the first.
    assert!(wait_for(HANG_GUARD, || {
        !temps(&dir).is_empty() || a.try_wait().unwrap().is_some()
    }));
    let b = spawn(rekey_cmd(&c, &file));
    let (a, b) = (finish(a), finish(b));
    ok(&a, "the first rekey");
    let bc = b.status.code().unwrap();
    match bc {
        11 => refused_busy(&b, "running"),
        4 => {}
        _ => panic!("the second rekey: exit {bc}: {}", message(&b)),
    }
    ok(&c.verify(&file, &c.pass_b), "the new passphrase opens it");
    assert!(temps(&dir).is_empty());
    assert_eq!(bin_files(&dir), vec![file.clone()]);
    report(&format!(
        "concurrency/two rekeys at once: first exit 0, second exit {bc}"
    ));
}

/// The app keeps writing right after a restore's swap: the restore did
/// its work (the data is the backup's, then the app's new changes on top),
/// so it must report success.
#[test]
fn a_restore_while_the_app_writes_reports_success() {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 5_000, 4, 10);
    let file = c.backup(Some(&t.path().join("backups")));
    let mut writer = demo(&["write", c.h()]);
    wait_for_a_change(&c, &mut writer);
    let mut codes = Vec::new();
    for _ in 0..6 {
        let o = bin()
            .args(["restore", "--yes"])
            .arg(&file)
            .args(["--home", c.h(), "--passphrase-file", c.a()])
            .output()
            .unwrap();
        codes.push((
            o.status.code().unwrap(),
            stdout(&o)
                .lines()
                .filter(|l| l.contains("DIFF"))
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ));
    }
    ok(&writer.interrupt(), "the demo writer");
    assert!(
        codes.iter().all(|(c, _)| *c == 0),
        "restores while the app writes: {codes:?}"
    );
    let live = check_consistency(&c.data()).unwrap();
    assert!(live.is_consistent(), "live data: {:?}", live.problems);
    assert_eq!(integrity_ok(&c.data()), Vec::<String>::new());
    report(&format!(
        "concurrency/restores under a full-speed writer: exit codes {:?}",
        codes.iter().map(|(c, _)| *c).collect::<Vec<_>>()
    ));
}
