//! Full disk: small file systems the test owns (tmpfs mounts, unmounted by
//! a guard even on panic), a backup written onto one that is too small,
//! restores into a home that lives on one, a rekey on one.
//!
//! Expected everywhere: exit 10 (`no_space`), with "need X, have Y" when a
//! restore can tell up front, else a message saying the disk is full;
//! nothing lost (the home's data unchanged, byte for byte); nothing
//! half-written (no temporary file, no staging folder, no `.bin` that does
//! not verify); and once space is freed the same command succeeds.
//!
//! Needs root (mount). Without it, or if mounting fails: fails when `CI`
//! is set, else prints a notice and passes.

use crate::reliability_support::*;
use carevault_core::{Phase, Progress};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A tmpfs mounted on a fresh folder; unmounted on drop (lazily if busy),
/// before its temporary folder is removed.
struct Disk {
    mount: PathBuf,
    _t: tempfile::TempDir,
}

impl Disk {
    /// Mounts a tmpfs with `options` (e.g. `size=2m`), or explains why not.
    fn tmpfs(options: &str) -> Option<Disk> {
        let t = tempfile::tempdir().unwrap();
        let mount = t.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&mount)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Disk { mount, _t: t }),
            Ok(o) => skip(&format!("mount -t tmpfs failed: {}", stderr(&o).trim())),
            Err(e) => skip(&format!("mount could not run: {e}")),
        }
    }

    fn path(&self) -> &Path {
        &self.mount
    }

    fn remount(&self, options: &str) {
        let o = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.mount)
            .output()
            .unwrap();
        ok(&o, &format!("mount -o remount,{options}"));
    }

    /// (bytes used, inodes used) as the file system counts them.
    fn used(&self) -> (u64, u64) {
        let o = Command::new("stat")
            .args(["-f", "-c", "%S %b %f %c %d"])
            .arg(&self.mount)
            .output()
            .unwrap();
        ok(&o, "stat -f");
        let v: Vec<u64> = stdout(&o)
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        ((v[1] - v[2]) * v[0], v[3] - v[4])
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.mount)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn skip<T>(why: &str) -> Option<T> {
    let why = format!("{why} (running as root: {})", is_root());
    if ci() {
        panic!("the full-disk tests need to mount a small file system on CI: {why}");
    }
    report(&format!(
        "notice: full-disk test skipped: {why}; run as root to include it"
    ));
    None
}

/// Exit 10 with the usual advice, and no panic. Returns the message (from
/// standard error, or from the JSON error on standard output).
fn fails_no_space(o: &std::process::Output, words: &[&str]) -> String {
    let e = stderr(o);
    let message = if e.trim().is_empty() {
        let v = json(o);
        assert_eq!(v["error"]["kind"], "no_space", "{v}");
        assert!(
            !v["error"]["advice"].as_str().unwrap_or("").is_empty(),
            "no advice: {v}"
        );
        v["error"]["message"].as_str().unwrap().to_string()
    } else {
        assert!(e.contains("what to do:"), "no advice in: {e}");
        e.lines().next().unwrap_or("").to_string()
    };
    assert_eq!(
        o.status.code(),
        Some(10),
        "expected exit 10 (no_space): {e} {}",
        stdout(o)
    );
    assert!(
        words.iter().any(|w| message.contains(w)),
        "expected one of {words:?} in: {message}"
    );
    assert!(!e.contains("panicked"), "{e}");
    message
}

/// Nothing half-written in a backup folder: no temporary file, and every
/// `.bin` there is listed and verifies.
fn no_half_written_backup(c: &Clinic, dir: &Path) -> usize {
    assert_eq!(
        temps(dir),
        Vec::<String>::new(),
        "temporary files left in {}",
        dir.display()
    );
    let bins = bin_files(dir);
    let listed = c.list(&[dir]);
    for b in &bins {
        assert!(
            listed.iter().any(|(p, s)| p == b && s == "ok"),
            "{} is not listed as a backup",
            b.display()
        );
        ok(&c.verify(b, &c.pass_a), &format!("verify {}", b.display()));
    }
    bins.len()
}

/// After a failed restore: the data as before, no staging folder, no
/// safety copy.
fn restore_changed_nothing(c: &Clinic, before: &Fingerprint) {
    let now = raw_fingerprint(&c.data());
    assert!(
        &now == before,
        "a failed restore changed the data: {}",
        diff(before, &now)
    );
    assert_eq!(
        stagings(&c.home),
        Vec::<String>::new(),
        "a staging folder is left"
    );
    assert!(
        !c.home.join("safety-copies").exists()
            || std::fs::read_dir(c.home.join("safety-copies"))
                .unwrap()
                .next()
                .is_none(),
        "a safety copy although nothing was replaced"
    );
}

fn size_of(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

#[test]
fn a_backup_onto_a_disk_too_small_fails_cleanly_then_succeeds_with_room() {
    let Some(disk) = Disk::tmpfs("size=2m") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 5_000, 10, 10);
    let before = raw_fingerprint(&c.data());
    let o = c.backup_cmd(Some(disk.path())).output().unwrap();
    fails_no_space(&o, &["disk is full"]);
    assert_eq!(no_half_written_backup(&c, disk.path()), 0);
    assert_eq!(
        std::fs::read_dir(disk.path()).unwrap().count(),
        0,
        "something was left on the full disk"
    );
    assert_eq!(raw_fingerprint(&c.data()), before);
    assert!(stagings(&c.home).is_empty());
    // The failure is in the audit trail, with its reason.
    let o = run(&["--json", "audit", "list", "--home", c.h()]);
    ok(&o, "audit list");
    let entries = json(&o)["entries"].as_array().unwrap().clone();
    let last = entries.last().unwrap();
    assert_eq!(last["action"], "create", "{last}");
    assert_eq!(last["outcome"], "failure", "{last}");
    assert!(
        last["reason"].as_str().unwrap().contains("disk is full"),
        "{last}"
    );
    // With room, the same backup works.
    disk.remount("size=64m");
    let file = c.backup(Some(disk.path()));
    assert_eq!(no_half_written_backup(&c, disk.path()), 1);
    report(&format!(
        "full-disk/backup: 2 MB disk, backup of {} bytes: exit 10 \"disk is full\", nothing left; after growing the disk the backup succeeded",
        size_of(&file)
    ));
}

#[test]
fn a_backup_a_few_pages_short_of_space_fails_cleanly_and_one_that_just_fits_succeeds() {
    let Some(disk) = Disk::tmpfs("size=64m") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 5_000, 10, 10);
    // The size a backup of this data takes (within a tar block: the
    // manifest records the barrier time, so its compressed size varies).
    let probe = c.backup(Some(&t.path().join("probe")));
    let size = size_of(&probe);
    let pages = size.div_ceil(4096);
    let mut lines = Vec::new();
    for short_pages in [2u64, 16, 256] {
        let limit = (pages - short_pages) * 4096;
        disk.remount(&format!("size={limit}"));
        let o = c.backup_cmd(Some(disk.path())).output().unwrap();
        fails_no_space(&o, &["disk is full"]);
        assert_eq!(no_half_written_backup(&c, disk.path()), 0);
        assert_eq!(std::fs::read_dir(disk.path()).unwrap().count(), 0);
        lines.push(format!("{short_pages} page(s) short: exit 10"));
    }
    // Just enough pages for the file (one spare): it must fit and verify.
    disk.remount(&format!("size={}", (pages + 1) * 4096));
    let o = c.backup_cmd(Some(disk.path())).output().unwrap();
    ok(&o, "a backup onto a disk just its size");
    assert_eq!(no_half_written_backup(&c, disk.path()), 1);
    lines.push("one page to spare: created and verified".into());
    report(&format!(
        "full-disk/backup near the limit (backup {size} bytes): {}",
        lines.join(", ")
    ));
}

#[test]
fn a_restore_into_a_home_short_of_space_is_refused_up_front() {
    let Some(disk) = Disk::tmpfs("size=28m") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(disk.path(), 5_000, 10, 10);
    let file = c.backup(Some(t.path()));
    ok(&run(&["demo", "write", c.h(), "--max", "5"]), "demo write");
    let before = raw_fingerprint(&c.data());
    let o = c.restore_cmd(&file, &c.pass_a).output().unwrap();
    let e = fails_no_space(&o, &["not enough free space to restore: need"]);
    assert!(e.contains(", have "), "{e}");
    restore_changed_nothing(&c, &before);
    // Room made (a bigger disk): the restore goes through.
    disk.remount("size=96m");
    ok(
        &c.restore_cmd(&file, &c.pass_a).output().unwrap(),
        "restore with room",
    );
    assert_ne!(raw_fingerprint(&c.data()), before);
    assert!(stagings(&c.home).is_empty());
    report(&format!(
        "full-disk/restore up front: refused with exit 10: {e}"
    ));
}

#[test]
fn a_restore_that_runs_out_of_inodes_midway_fails_cleanly() {
    let Some(disk) = Disk::tmpfs("size=96m,nr_inodes=4000") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(disk.path(), 2_000, 6, 10);
    let file = c.backup(Some(t.path()));
    ok(&run(&["demo", "write", c.h(), "--max", "5"]), "demo write");
    // Let the home make its lock, audit and verification files first.
    ok(&c.verify(&file, &c.pass_a), "verify");
    let before = raw_fingerprint(&c.data());
    let (_, inodes) = disk.used();
    disk.remount(&format!("nr_inodes={}", inodes + 8));
    let o = c.restore_cmd(&file, &c.pass_a).output().unwrap();
    let e = fails_no_space(&o, &["disk is full"]);
    restore_changed_nothing(&c, &before);
    disk.remount("nr_inodes=4000");
    ok(
        &c.restore_cmd(&file, &c.pass_a).output().unwrap(),
        "restore with room",
    );
    assert!(stagings(&c.home).is_empty());
    report(&format!(
        "full-disk/restore out of inodes midway: exit 10: {e}"
    ));
}

/// A home whose data holds `n` small documents: the space a restore needs
/// is mostly block rounding, which a sum of entry sizes does not see.
fn many_small_files_home(disk: &Disk, n: usize) -> (Clinic, PathBuf, tempfile::TempDir) {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(disk.path(), 500, 2, 10);
    let notes = c.data().join("files/notes");
    std::fs::create_dir_all(&notes).unwrap();
    for i in 0..n {
        std::fs::write(
            notes.join(format!("note-{i:05}.txt")),
            format!("visit note {i}: seen, treated, sent home\n"),
        )
        .unwrap();
    }
    let file = c.backup(Some(t.path()));
    (c, file, t)
}

/// Another program fills the disk while a restore is staging: the restore
/// fails cleanly (exit 10, "disk is full"), the data is unchanged and
/// nothing is left; with the space back, the same restore succeeds.
#[test]
fn a_restore_during_which_the_disk_fills_up_fails_cleanly() {
    let Some(disk) = Disk::tmpfs("size=512m") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(disk.path(), 20_000, 10, 10);
    let file = c.backup(Some(t.path()));
    ok(&run(&["demo", "write", c.h(), "--max", "5"]), "demo write");
    let before = raw_fingerprint(&c.data());
    // Just the room the restore asks for, and 8 MiB more.
    let plan = c
        .restore_cmd(&file, &c.pass_a)
        .arg("--dry-run")
        .output()
        .unwrap();
    ok(&plan, "restore --dry-run");
    let needed = json(&plan)["space_needed"].as_u64().unwrap();
    let (used, _) = disk.used();
    disk.remount(&format!("size={}", used + needed + 8 * 1024 * 1024));
    let filler = disk.path().join("another-app.dat");
    // The restore runs here, in the test's process, so that the disk is
    // filled at a known point of it: from its progress callback, the first
    // time it reads backup bytes with its staging folder in place and less
    // than half of the payload read. The other half must still be written,
    // to a disk with no room left.
    let fill_mid_staging = FillMidStaging {
        home: &c.home,
        filler: &filler,
        reading: AtomicBool::new(false),
        total: AtomicU64::new(0),
        read: AtomicU64::new(0),
        filled: AtomicBool::new(false),
    };
    let permit = carevault_core::auth::permit::<carevault_core::auth::Restore>(
        &c.home,
        "admin",
        "admin-demo-pass",
    )
    .unwrap();
    let unlock =
        carevault_core::Unlock::Passphrase(carevault_core::SecretString::from(PASS_A.to_string()));
    let req = carevault_core::restore::RestoreRequest {
        file: &file,
        unlock: Some(&unlock),
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    let r = carevault_core::restore::restore(&permit, &req, &fill_mid_staging);
    assert!(
        fill_mid_staging.filled.load(Ordering::SeqCst),
        "the disk was never filled while staging"
    );
    std::fs::remove_file(&filler).unwrap();
    let err = r.expect_err("a restore onto a full disk succeeded");
    assert_eq!(err.kind(), carevault_core::Kind::NoSpace, "{err}");
    assert_eq!(err.kind().exit_code(), 10);
    assert!(err.message().contains("disk is full"), "{err}");
    assert!(!err.advice().is_empty(), "no advice: {err}");
    let e = format!("{err} (at {:?})", err.path());
    restore_changed_nothing(&c, &before);
    ok(
        &c.restore_cmd(&file, &c.pass_a).output().unwrap(),
        "the restore with the space back",
    );
    assert_ne!(raw_fingerprint(&c.data()), before);
    assert!(stagings(&c.home).is_empty());
    report(&format!(
        "full-disk/restore, the disk filled by another program while staging: exit 10: {e}"
    ));
}

/// The disk fills up after every file is staged, while the restore checks
/// the staged databases (and sets their journal mode back): that is a full
/// disk too, and must say so (exit 10, free space), not blame the backup.
#[test]
fn a_restore_whose_database_checks_meet_a_full_disk_says_the_disk_is_full() {
    let Some(disk) = Disk::tmpfs("size=512m") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(disk.path(), 20_000, 10, 10);
    let file = c.backup(Some(t.path()));
    let before = raw_fingerprint(&c.data());
    let staged_files = files_under(&c.data())
        .iter()
        .filter(|f| !(f.ends_with("-wal") || f.ends_with("-shm")))
        .count();
    let filler = disk.path().join("another-app.dat");
    // The restore stops itself once every file is staged, before the
    // checks of its databases end (the binary's stop seam, seen through
    // waitid): the disk fills while it is stopped, then it goes on.
    let mut cmd = c.restore_cmd(&file, &c.pass_a);
    cmd.env(
        carevault_core::stop_point::STOP_AT_ENV,
        carevault_core::stop_point::RESTORE_STREAMED,
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    assert!(
        wait_stopped(&child),
        "the restore ended before all its files were staged"
    );
    let staged = stagings(&c.home);
    assert_eq!(staged.len(), 1);
    assert!(files_under(&c.home.join(&staged[0]).join("data")).len() >= staged_files);
    fill(&filler);
    signal(&child, libc::SIGCONT);
    let mut o = child.wait_with_output().unwrap();
    std::fs::remove_file(&filler).unwrap();
    restore_changed_nothing(&c, &before);
    // The seam's own line comes first; the error follows it.
    let text = String::from_utf8_lossy(&o.stderr).into_owned();
    let (seam, rest) = text.split_once('\n').unwrap_or((&text, ""));
    assert!(seam.contains("stopping at restore-streamed"), "{text}");
    o.stderr = rest.as_bytes().to_vec();
    fails_no_space(&o, &["disk is full"]);
}

/// Writes zeros to `path` until the file system is full.
fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 1 << 20];
    loop {
        if let Err(e) = f.write_all(&block) {
            assert_eq!(e.raw_os_error(), Some(28), "filling the disk: {e}");
            break;
        }
    }
    let small = [0u8; 4096];
    while f.write_all(&small).is_ok() {}
}

/// With many small files the space a restore needs is mostly block
/// rounding; the up-front check must see it ("need X, have Y"), not fail
/// midway.
#[test]
fn a_restore_of_many_small_files_short_of_space_is_refused_up_front() {
    let Some(disk) = Disk::tmpfs("size=256m") else {
        return;
    };
    let (c, file, _t) = many_small_files_home(&disk, 3_000);
    let before = raw_fingerprint(&c.data());
    let (used, _) = disk.used();
    // Room for the sum of the entry sizes, far from room for the files.
    disk.remount(&format!("size={}", used + 6 * 1024 * 1024));
    let o = c.restore_cmd(&file, &c.pass_a).output().unwrap();
    let e = fails_no_space(&o, &["not enough free space to restore: need"]);
    restore_changed_nothing(&c, &before);
    disk.remount("size=256m");
    ok(
        &c.restore_cmd(&file, &c.pass_a).output().unwrap(),
        "restore with room",
    );
    report(&format!(
        "full-disk/restore of 3000 small files with 6 MB free: refused up front, exit 10: {e}"
    ));
}

#[test]
fn a_rekey_on_a_full_disk_keeps_the_old_passphrase_and_leaves_nothing() {
    let Some(disk) = Disk::tmpfs("size=64m") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 5_000, 10, 10);
    let file = c.backup(Some(disk.path()));
    // Room for the file, not for a second copy of it.
    let (used, _) = disk.used();
    disk.remount(&format!("size={}", used + size_of(&file) / 2));
    let o = bin()
        .args(["rekey", "--home", c.h()])
        .arg(&file)
        .args(["--passphrase-file", c.a(), "--new-passphrase-file", c.b()])
        .output()
        .unwrap();
    fails_no_space(&o, &["disk is full"]);
    assert_eq!(no_half_written_backup(&c, disk.path()), 1);
    ok(
        &c.verify(&file, &c.pass_a),
        "the old passphrase still opens it",
    );
    report("full-disk/rekey: exit 10, the file still opens with the old passphrase, no temporary file left");
}

/// Sends `sig` to a child process that has not been waited for.
fn signal(child: &std::process::Child, sig: libc::c_int) {
    // SAFETY: kill(2) on the pid of our own unreaped child.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(rc, 0, "kill({sig}) failed");
}

/// A restore's progress that fills the disk (as another program would) the
/// first time the restore reads backup bytes while its staging folder
/// exists and less than half of the payload has been read.
struct FillMidStaging<'a> {
    home: &'a Path,
    filler: &'a Path,
    reading: AtomicBool,
    total: AtomicU64,
    read: AtomicU64,
    filled: AtomicBool,
}

impl Progress for FillMidStaging<'_> {
    fn start(&self, phase: Phase, total: u64) {
        self.reading.store(phase == Phase::Read, Ordering::SeqCst);
        self.total.store(total, Ordering::SeqCst);
        self.read.store(0, Ordering::SeqCst);
    }

    fn advance(&self, n: u64) {
        let read = self.read.fetch_add(n, Ordering::SeqCst) + n;
        if self.reading.load(Ordering::SeqCst)
            && !self.filled.load(Ordering::SeqCst)
            && read < self.total.load(Ordering::SeqCst) / 2
            && !stagings(self.home).is_empty()
        {
            fill(self.filler);
            self.filled.store(true, Ordering::SeqCst);
        }
    }
}
