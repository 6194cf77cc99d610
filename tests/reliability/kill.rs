//! Kill -9 at seeded random moments during `backup`, `restore` and `rekey`
//! (the real binary, SIGKILL). Uninterrupted runs are measured first;
//! each delay is then drawn from one of N equal slices of `[0, duration]`
//! (stratified, shuffled), so the start, the middle and the end of the
//! operation are all hit; `duration` shrinks to the shortest run that
//! finished before its kill, so a slow first measurement wastes nothing.
//!
//! After every kill:
//! - no file in the backup folder is listed as a backup unless it
//!   verifies, and every `*.bin` there is listed (nothing half-written
//!   carries a backup's name);
//! - a restore target holds exactly its data from before, or exactly what
//!   an uninterrupted restore makes (file bytes; SQL rows of every table
//!   as the fallback), and that is checked once to be the backed-up rows;
//! - the next command recovers: stale `.carevault-tmp-*` files are gone
//!   after the next backup (or rekey) in that folder, no
//!   `.carevault-staging-*` folder is left after the next command (each
//!   of restore --dry-run, list, backup, status, verify, delete and auto
//!   in turn), and when the swap had happened the replaced data is under
//!   `safety-copies/`, byte for byte;
//! - a killed rekey leaves a file that opens (and verifies) with the old or
//!   the new passphrase, never neither.
//!
//! About 40 kills per operation in CI; `CAREVAULT_SOAK=1` runs 300 (or
//! `CAREVAULT_KILLS=N`); `CAREVAULT_SEED=N` repeats a run. Each test prints
//! its counts to standard error (visible without `--nocapture`).

use crate::reliability_support::*;
use carevault_core::stop_point::{
    REKEY_UNLOCKED, REKEY_WRITTEN, RESTORE_FILING, RESTORE_STAGED, RESTORE_SWAPPED,
};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// Patients and photos of the demo clinic: a backup takes ~0.3 s and a
/// restore ~0.6 s on a 2-core machine in a debug build.
const PATIENTS: u64 = 20_000;
const PHOTOS: u64 = 10;

fn kills() -> usize {
    std::env::var("CAREVAULT_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if soak() { 300 } else { 40 })
}

/// The duration the delays are drawn from: the shortest uninterrupted
/// run seen so far (a run that finished before its kill is one), so that
/// a first measurement slowed by other work does not waste kills.
fn shorter(d: Duration, ended: &Ended, took: Duration) -> Duration {
    if *ended == Ended::Exited(0) {
        d.min(took)
    } else {
        d
    }
}

fn label(e: &Ended) -> String {
    match e {
        Ended::Killed => "killed".into(),
        Ended::Exited(0) => "finished before the kill".into(),
        Ended::Exited(c) => format!("exited {c}"),
    }
}

/// Every `*.bin` in `dir` is listed, as `ok`, and verifies with `pass`;
/// returns the backups that were checked.
fn every_listed_backup_verifies(c: &Clinic, dir: &Path, pass: &Path) -> Vec<PathBuf> {
    let listed = c.list(&[dir]);
    let mut listed_paths: Vec<PathBuf> = listed.iter().map(|(p, _)| p.clone()).collect();
    listed_paths.sort();
    listed_paths.dedup();
    assert_eq!(
        listed_paths,
        bin_files(dir),
        "every .bin file in the folder must be listed, and only those"
    );
    for (p, status) in &listed {
        assert_eq!(status, "ok", "{} is listed as {status}", p.display());
        let o = c.verify(p, pass);
        ok(&o, &format!("verify of listed backup {}", p.display()));
    }
    listed_paths
}

#[test]
fn backup_killed_at_random_moments_never_lists_a_broken_backup() {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), PATIENTS, PHOTOS, 10);
    // Kills alternate between the Private medium and a folder given with
    // `--to` (which `list` and `verify` do not tidy): in both, the next
    // backup must clear what a killed one left.
    let folders = [c.private_backups(), t.path().join("usb")];
    let before = raw_fingerprint(&c.data());
    let duration = measure(3, || c.backup_cmd(None));
    for p in every_listed_backup_verifies(&c, &folders[0], &c.pass_a) {
        std::fs::remove_file(p).unwrap();
    }
    let (mut rng, seed) = Rng::from_env(20_261_101);
    let n = kills();
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut removed_by_next_backup = 0;
    let mut removed_by_list_or_verify = 0;
    let mut stale: [Vec<String>; 2] = Default::default();
    let measured = duration;
    let mut duration = duration;
    for (i, frac) in rng.stratified(n).into_iter().enumerate() {
        let delay = duration.mul_f64(frac);
        let k = i % 2;
        let dir = &folders[k];
        let to = (k == 1).then_some(dir.as_path());
        let what = format!("case {i} (seed {seed}, delay {delay:?}, {})", dir.display());
        let (ended, took) = run_and_kill(c.backup_cmd(to), delay);
        duration = shorter(duration, &ended, took);
        assert!(
            matches!(ended, Ended::Killed | Ended::Exited(0)),
            "{what}: backup {}",
            label(&ended)
        );
        // What the run left, before any other command looks at the folder.
        let left = temps(dir);
        let new_bins = bin_files(dir);
        let own: Vec<String> = left
            .iter()
            .filter(|n| !stale[k].contains(n))
            .cloned()
            .collect();
        assert!(own.len() <= 1, "{what}: {own:?}");
        // A run that got as far as creating its own temporary file (or
        // further) has passed the point where it clears stale ones: every
        // temporary file an earlier killed run left there must be gone.
        let reached_its_temp_file =
            !own.is_empty() || !new_bins.is_empty() || ended == Ended::Exited(0);
        let was = stale[k].len();
        stale[k].retain(|n| left.contains(n));
        removed_by_next_backup += was - stale[k].len();
        assert!(
            !reached_its_temp_file || stale[k].is_empty(),
            "{what}: the next backup did not remove the stale temporary files {:?}",
            stale[k]
        );
        if ended == Ended::Exited(0) {
            assert!(left.is_empty(), "{what}: a finished backup left {left:?}");
        }
        // Then: every file that looks like a backup is listed and verifies.
        let complete = every_listed_backup_verifies(&c, dir, &c.pass_a);
        assert_eq!(complete, new_bins);
        let state = match (complete.is_empty(), own.is_empty()) {
            (false, _) => "a complete backup, listed and verified",
            (true, false) => "its temporary file (not listed)",
            (true, true) => "nothing of its own",
        };
        tally.add(format!("{}, left {state}", label(&ended)));
        stale[k].extend(own);
        let was = stale[k].len();
        stale[k].retain(|n| dir.join(n).exists());
        removed_by_list_or_verify += was - stale[k].len();
        for p in complete {
            std::fs::remove_file(p).unwrap();
        }
        assert!(stagings(&c.home).is_empty());
    }
    // One more uninterrupted backup into each folder: no temporary file left.
    for (k, dir) in folders.iter().enumerate() {
        let last = c.backup((k == 1).then_some(dir.as_path()));
        assert_eq!(
            temps(dir),
            Vec::<String>::new(),
            "the last backup left stale temporary files in {}",
            dir.display()
        );
        removed_by_next_backup += stale[k].len();
        every_listed_backup_verifies(&c, dir, &c.pass_a);
        std::fs::remove_file(last).unwrap();
    }
    assert_eq!(
        raw_fingerprint(&c.data()),
        before,
        "a backup changed the clinic data"
    );
    report(&format!(
        "kill/backup: {n} kills (seed {seed}, delays in [0, {} ms] (first measured {} ms), {:.1} s): {}; stale temporary files removed by the next backup: {removed_by_next_backup}, by list/verify in between: {removed_by_list_or_verify}",
        duration.as_millis(),
        measured.as_millis(),
        started.elapsed().as_secs_f64(),
        tally.line()
    ));
}

/// The template for restore kills: data that differs from the backup
/// (writer transactions after it, a new document, a removed photo).
struct RestoreSetup {
    _t: tempfile::TempDir,
    root: PathBuf,
    template: PathBuf,
    backup: PathBuf,
    /// Bytes of the template's data (what "as before" means).
    before: Fingerprint,
    /// Bytes of the data an uninterrupted restore of `backup` produces.
    after: Fingerprint,
    /// SQL rows and file bytes of the same two states.
    before_rows: Fingerprint,
    backup_rows: Fingerprint,
}

impl RestoreSetup {
    fn new() -> RestoreSetup {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().to_path_buf();
        let c = Clinic::create(&root.join("tpl"), PATIENTS, PHOTOS, 10);
        let backup = c.backup(Some(&root.join("backups")));
        let backup_rows = fingerprint(&c.data());
        ok(&run(&["demo", "write", c.h(), "--max", "25"]), "demo write");
        std::fs::write(
            c.data()
                .join("files/documents/written-after-the-backup.txt"),
            "a note written after the backup\n",
        )
        .unwrap();
        let photos = c.data().join("files/photos");
        let first = std::fs::read_dir(&photos)
            .unwrap()
            .flatten()
            .next()
            .unwrap();
        std::fs::remove_file(first.path()).unwrap();
        let before_rows = fingerprint(&c.data());
        assert_ne!(before_rows, backup_rows);
        let mut s = RestoreSetup {
            before: raw_fingerprint(&c.data()),
            after: Fingerprint::new(),
            template: c.home.clone(),
            _t: t,
            root,
            backup,
            before_rows,
            backup_rows,
        };
        // What an uninterrupted restore makes: exactly the backed-up rows
        // and files, and the replaced data kept, byte for byte.
        let c = s.case();
        ok(
            &c.restore_cmd(&s.backup, &c.pass_a).output().unwrap(),
            "restore",
        );
        let restored = fingerprint(&c.data());
        assert_eq!(
            restored,
            s.backup_rows,
            "a restore does not reproduce the backed-up data: {}",
            diff(&s.backup_rows, &restored)
        );
        s.after = raw_fingerprint(&c.data());
        let (full, _) = safety_copies(&c.home);
        assert_eq!(full.len(), 1);
        assert_eq!(raw_fingerprint(&full[0]), s.before);
        s
    }

    /// A fresh copy of the template in `root/case/clinic` (its data files
    /// hard-linked: carevault never writes into live files, it swaps
    /// folders; the template is checked unchanged at the end).
    fn case(&self) -> Clinic {
        let case_root = self.root.join("case");
        let _ = std::fs::remove_dir_all(&case_root);
        let home = case_root.join("clinic");
        for e in std::fs::read_dir(&self.template).unwrap().flatten() {
            let dest = home.join(e.file_name());
            if e.file_name() == "data" {
                link_tree(&e.path(), &dest);
            } else if e.file_type().unwrap().is_dir() {
                copy_tree(&e.path(), &dest);
            } else {
                std::fs::create_dir_all(&home).unwrap();
                std::fs::copy(e.path(), &dest).unwrap();
            }
        }
        Clinic::at(&case_root, &home)
    }

    /// "before" or "backup", by bytes, else by SQL rows; panics on neither.
    fn classify(&self, data: &Path, what: &str) -> (&'static str, bool) {
        let raw = raw_fingerprint(data);
        if raw == self.before {
            return ("before", false);
        }
        if raw == self.after {
            return ("backup", false);
        }
        let rows = fingerprint(data);
        if rows == self.before_rows {
            ("before", true)
        } else if rows == self.backup_rows {
            ("backup", true)
        } else {
            panic!(
                "{what}: the data is neither as before ({}) nor the backup ({})",
                diff(&self.before_rows, &rows),
                diff(&self.backup_rows, &rows)
            )
        }
    }
}

fn link_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            link_tree(&e.path(), &dest);
        } else {
            std::fs::hard_link(e.path(), &dest).unwrap();
        }
    }
}

/// Folders under `safety-copies/`: (those holding `data/`, empty ones).
fn safety_copies(home: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut full, mut empty) = (vec![], vec![]);
    if let Ok(rd) = std::fs::read_dir(home.join("safety-copies")) {
        for e in rd.flatten() {
            if e.path().join("data").is_dir() {
                full.push(e.path().join("data"));
            } else {
                empty.push(e.path());
            }
        }
    }
    (full, empty)
}

/// The commands that may come next in a home where a restore was killed;
/// each must repair it first.
const NEXT_COMMANDS: [&str; 9] = [
    "restore --dry-run",
    "list",
    "backup",
    "status",
    "verify",
    "delete",
    "show",
    "rekey",
    "auto",
];

/// Runs `which` in `c`'s home (backups and rekeyed copies go to `scratch`).
fn next_command(which: &str, c: &Clinic, s: &RestoreSetup, scratch: &Path) -> Output {
    std::fs::create_dir_all(scratch).unwrap();
    let b = s.backup.to_str().unwrap();
    match which {
        "restore --dry-run" => c
            .restore_cmd(&s.backup, &c.pass_a)
            .arg("--dry-run")
            .output()
            .unwrap(),
        "backup" => {
            let o = c.backup_cmd(Some(scratch)).output().unwrap();
            for f in bin_files(scratch) {
                std::fs::remove_file(f).unwrap();
            }
            o
        }
        "list" | "status" => run(&[which, "--home", c.h()]),
        "verify" => c.verify(&s.backup, &c.pass_a),
        "show" => run(&["show", b, "--home", c.h()]),
        "delete" => {
            let victim = c.private_backups().join("Backup-to-delete.bin");
            std::fs::create_dir_all(c.private_backups()).unwrap();
            std::fs::copy(&s.backup, &victim).unwrap();
            run(&["delete", victim.to_str().unwrap(), "--home", c.h()])
        }
        "rekey" => {
            let copy = scratch.join("rekeyed.bin");
            std::fs::copy(&s.backup, &copy).unwrap();
            let o = rekey_cmd(c, &copy, &c.pass_a, &c.pass_b).output().unwrap();
            std::fs::remove_file(copy).unwrap();
            o
        }
        "auto" => {
            let o = run(&["auto", "--home", c.h()]);
            for f in bin_files(&c.private_backups()) {
                std::fs::remove_file(f).unwrap();
            }
            o
        }
        other => unreachable!("{other}"),
    }
}

#[test]
fn restore_killed_at_random_moments_leaves_old_or_new_data_and_recovers() {
    let s = RestoreSetup::new();
    // Measure uninterrupted restores.
    let mut duration = Duration::MAX;
    for _ in 0..3 {
        let c = s.case();
        let start = Instant::now();
        ok(
            &c.restore_cmd(&s.backup, &c.pass_a).output().unwrap(),
            "restore",
        );
        duration = duration.min(start.elapsed());
        assert_eq!(
            s.classify(&c.data(), "an uninterrupted restore").0,
            "backup"
        );
    }
    let (mut rng, seed) = Rng::from_env(20_261_102);
    let n = kills();
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut by_rows = 0;
    let scratch = s.root.join("scratch-backups");
    let measured = duration;
    for (i, frac) in rng.stratified(n).into_iter().enumerate() {
        let delay = duration.mul_f64(frac);
        let c = s.case();
        let (ended, took) = run_and_kill(c.restore_cmd(&s.backup, &c.pass_a), delay);
        duration = shorter(duration, &ended, took);
        let what = format!("case {i} (seed {seed}, delay {delay:?})");
        assert!(
            matches!(ended, Ended::Killed | Ended::Exited(0)),
            "{what}: restore {}",
            label(&ended)
        );
        let (state, rows) = s.classify(&c.data(), &what);
        by_rows += usize::from(rows);
        let staging_left = !stagings(&c.home).is_empty();
        let (filed_before, _) = safety_copies(&c.home);
        // The next command in this home, in turn each of them: it must
        // succeed and finish any repair first.
        let next = NEXT_COMMANDS[i % NEXT_COMMANDS.len()];
        ok(
            &next_command(next, &c, &s, &scratch),
            &format!("{what}: {next} after the kill"),
        );
        assert_eq!(
            stagings(&c.home),
            Vec::<String>::new(),
            "{what}: a staging folder is left after the next command ({next})"
        );
        assert_eq!(
            s.classify(&c.data(), &what).0,
            state,
            "{what}: the next command changed the data"
        );
        let (full, empty) = safety_copies(&c.home);
        assert!(
            empty.is_empty(),
            "{what}: empty safety-copy folders left: {empty:?}"
        );
        if state == "backup" {
            assert_eq!(
                full.len(),
                1,
                "{what}: the replaced data must be kept once, in safety-copies: {full:?}"
            );
            assert_eq!(
                raw_fingerprint(&full[0]),
                s.before,
                "{what}: the safety copy is not the replaced data"
            );
        } else {
            assert!(
                full.is_empty(),
                "{what}: a safety copy although the data was not replaced: {full:?}"
            );
        }
        if ended == Ended::Exited(0) {
            assert_eq!(
                state, "backup",
                "{what}: a restore that finished left the old data"
            );
        }
        let safety = match (full.is_empty(), filed_before.is_empty()) {
            (true, _) => "",
            (false, false) => ", safety copy filed by the restore",
            (false, true) => ", safety copy filed by the next command",
        };
        tally.add(format!(
            "{} -> data {}{}{safety}",
            label(&ended),
            if state == "before" {
                "as before"
            } else {
                "= the backup"
            },
            if staging_left {
                ", staging folder left"
            } else {
                ""
            }
        ));
    }
    assert_eq!(
        raw_fingerprint(&s.template.join("data")),
        s.before,
        "the template's data changed"
    );
    report(&format!(
        "kill/restore: {n} kills (seed {seed}, delays in [0, {} ms] (first measured {} ms), {:.1} s): {}; states told by SQL rows rather than bytes: {by_rows}",
        duration.as_millis(),
        measured.as_millis(),
        started.elapsed().as_secs_f64(),
        tally.line()
    ));
}

/// Which passphrase opens (and fully verifies) `file`: `Some(true)` for
/// `first`, `Some(false)` for `second`, `None` for neither.
fn opens_with(c: &Clinic, file: &Path, first: &Path, second: &Path) -> Option<bool> {
    let o = c.verify(file, first);
    if o.status.success() {
        return Some(true);
    }
    assert_eq!(
        o.status.code(),
        Some(4),
        "verify failed otherwise than with a wrong key: {}",
        stderr(&o)
    );
    let o = c.verify(file, second);
    if o.status.success() {
        return Some(false);
    }
    None
}

fn rekey_cmd(c: &Clinic, file: &Path, old: &Path, new: &Path) -> std::process::Command {
    let mut cmd = bin();
    cmd.args(["rekey", "--home", c.h()])
        .arg(file)
        .arg("--passphrase-file")
        .arg(old)
        .arg("--new-passphrase-file")
        .arg(new);
    cmd
}

#[test]
fn rekey_killed_at_random_moments_leaves_the_old_or_the_new_passphrase() {
    let t = tempfile::tempdir().unwrap();
    // A 35 MB backup (many photos) and scrypt work factor 12: a rekey
    // lasts ~0.2 s, about half of it starting, unlocking and sealing the
    // key, half copying the file (the part where a kill matters). The file
    // is in a folder given with `--to`, which `list` and `verify` do not
    // tidy: the next rekey must clear what a killed one left.
    let c = Clinic::create(t.path(), PATIENTS, 100, 12);
    let dir = t.path().join("usb");
    let file = c.backup(Some(&dir));
    let mut current_is_a = true;
    let mut duration = Duration::MAX;
    for _ in 0..3 {
        let (old, new) = passphrases(&c, current_is_a);
        let start = Instant::now();
        ok(&rekey_cmd(&c, &file, old, new).output().unwrap(), "rekey");
        duration = duration.min(start.elapsed());
        current_is_a = !current_is_a;
    }
    // The bytes of the file as last verified, with the passphrase that opened it.
    let mut verified = sha_hex(&std::fs::read(&file).unwrap());
    let (mut rng, seed) = Rng::from_env(20_261_103);
    let n = kills();
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut stale: Vec<String> = Vec::new();
    let mut removed_by_next_rekey = 0;
    let measured = duration;
    for (i, frac) in rng.stratified(n).into_iter().enumerate() {
        let delay = duration.mul_f64(frac);
        let (old, new) = passphrases(&c, current_is_a);
        let (ended, took) = run_and_kill(rekey_cmd(&c, &file, old, new), delay);
        duration = shorter(duration, &ended, took);
        let what = format!("case {i} (seed {seed}, delay {delay:?})");
        assert!(
            matches!(ended, Ended::Killed | Ended::Exited(0)),
            "{what}: rekey {}",
            label(&ended)
        );
        let left = temps(&dir);
        let own: Vec<String> = left
            .iter()
            .filter(|n| !stale.contains(n))
            .cloned()
            .collect();
        assert!(own.len() <= 1, "{what}: {own:?}");
        // Unchanged bytes: still the file that verified with `old`.
        // Changed: it must verify completely with `new`, and `old` must no
        // longer open it.
        let now = sha_hex(&std::fs::read(&file).unwrap());
        let changed = now != verified;
        let state = if !changed {
            "opens with the old passphrase (file untouched)"
        } else {
            match opens_with(&c, &file, new, old) {
                Some(true) => {}
                Some(false) => {
                    panic!("{what}: the file changed but still opens with the old passphrase")
                }
                None => panic!("{what}: the file opens with neither passphrase"),
            }
            verified = now;
            current_is_a = !current_is_a;
            "opens with the new passphrase (verified)"
        };
        if ended == Ended::Exited(0) {
            assert!(
                changed,
                "{what}: a finished rekey must leave the new passphrase"
            );
            assert!(left.is_empty(), "{what}: a finished rekey left {left:?}");
        }
        // A rekey that reached its own temporary file had cleared the
        // stale ones first.
        let reached_its_temp_file = changed || !own.is_empty();
        let was = stale.len();
        stale.retain(|n| left.contains(n));
        removed_by_next_rekey += was - stale.len();
        assert!(
            !reached_its_temp_file || stale.is_empty(),
            "{what}: the next rekey did not remove the stale temporary files {stale:?}"
        );
        // Only the one backup is listed, and nothing else looks like one.
        let listed = c.list(&[&dir]);
        assert_eq!(listed, vec![(file.clone(), "ok".to_string())], "{what}");
        assert_eq!(bin_files(&dir), vec![file.clone()], "{what}");
        tally.add(format!(
            "{} -> {state}{}",
            label(&ended),
            if own.is_empty() {
                ""
            } else {
                ", temporary file left"
            }
        ));
        stale.extend(own);
    }
    // One more, uninterrupted: it succeeds and leaves no temporary file.
    let (old, new) = passphrases(&c, current_is_a);
    ok(
        &rekey_cmd(&c, &file, old, new).output().unwrap(),
        "the last rekey",
    );
    assert_eq!(
        temps(&dir),
        Vec::<String>::new(),
        "the last rekey left stale temporary files"
    );
    removed_by_next_rekey += stale.len();
    ok(&c.verify(&file, new), "verify after the last rekey");
    report(&format!(
        "kill/rekey: {n} kills (seed {seed}, delays in [0, {} ms] (first measured {} ms), {:.1} s): {}; stale temporary files removed by the next rekey: {removed_by_next_rekey}",
        duration.as_millis(),
        measured.as_millis(),
        started.elapsed().as_secs_f64(),
        tally.line()
    ));
}

fn passphrases(c: &Clinic, a_opens: bool) -> (&Path, &Path) {
    if a_opens {
        (&c.pass_a, &c.pass_b)
    } else {
        (&c.pass_b, &c.pass_a)
    }
}

/// A killed rekey may leave its temporary file in the backup's folder;
/// the next rekey of that backup must still work and clear it. The rekey
/// is killed at the moment its rekeyed copy is written in full and not yet
/// renamed (the binary's stop seam: no delay is measured or guessed).
#[test]
fn a_rekey_after_a_killed_rekey_succeeds_and_clears_its_temporary_file() {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 2_000, 40, 12);
    let dir = t.path().join("usb");
    let file = c.backup(Some(&dir));
    let before = std::fs::read(&file).unwrap();
    let (old, new) = passphrases(&c, true);
    kill_at(rekey_cmd(&c, &file, old, new), REKEY_WRITTEN);
    assert_eq!(
        temps(&dir).len(),
        1,
        "the killed rekey left no temporary file"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the killed rekey changed the backup"
    );
    ok(
        &c.verify(&file, old),
        "verify with the old passphrase after the kill",
    );
    let o = rekey_cmd(&c, &file, old, new).output().unwrap();
    ok(&o, "the rekey after a killed rekey");
    assert_eq!(temps(&dir), Vec::<String>::new());
    ok(&c.verify(&file, new), "verify with the new passphrase");
}

/// A rekey copies the very file it opened and unlocked, and replaces only
/// that file: a backup renamed over its path meanwhile is neither mixed
/// into the copy nor replaced by it. The rekey is stopped right after it
/// unlocked the file (the binary's stop seam), the other backup is renamed
/// over the path, then it goes on: it refuses (exit 14), and the other
/// backup is there, whole, under its old passphrase.
#[test]
fn a_rekey_copies_the_file_it_unlocked_not_one_swapped_in_at_its_path() {
    let t = tempfile::tempdir().unwrap();
    let c = Clinic::create(t.path(), 2_000, 40, 12);
    let dir = t.path().join("usb");
    let file = c.backup(Some(&dir));
    let other_dir = t.path().join("other");
    let other = c.backup(Some(&other_dir));
    let other_id = carevault_core::catalog::id_of(&other).unwrap();
    let (old, new) = passphrases(&c, true);
    let mut cmd = rekey_cmd(&c, &file, old, new);
    cmd.env(carevault_core::stop_point::STOP_AT_ENV, REKEY_UNLOCKED)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    assert!(
        wait_stopped(&child),
        "the rekey ended before it unlocked the file"
    );
    std::fs::rename(&other, &file).unwrap();
    // SAFETY: kill(2) on the pid of our own stopped, unreaped child.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGCONT) },
        0
    );
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(14),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("replaced while its passphrase"));
    assert_eq!(
        carevault_core::catalog::id_of(&file).as_deref(),
        Some(other_id.as_str())
    );
    ok(
        &c.verify(&file, old),
        "the other backup still opens with its passphrase",
    );
    assert_eq!(
        temps(&dir),
        Vec::<String>::new(),
        "the refused rekey left its copy"
    );
}

/// Each command, run right after a restore was killed while staging
/// (the backup staged and checked, the data not yet swapped: the binary's
/// stop seam), must repair the home first: no staging folder left, the
/// data as before.
#[test]
fn every_next_command_repairs_a_killed_restore() {
    let s = RestoreSetup::new();
    let scratch = s.root.join("scratch");
    let mut fine = Vec::new();
    let mut not = Vec::new();
    for next in NEXT_COMMANDS {
        let c = s.case();
        kill_at(c.restore_cmd(&s.backup, &c.pass_a), RESTORE_STAGED);
        assert_eq!(
            stagings(&c.home).len(),
            1,
            "{next}: no staging folder left by the kill"
        );
        assert_eq!(s.classify(&c.data(), "after the kill").0, "before");
        ok(&next_command(next, &c, &s, &scratch), next);
        assert_eq!(s.classify(&c.data(), next).0, "before");
        assert!(
            safety_copies(&c.home).0.is_empty(),
            "{next}: a safety copy of unreplaced data"
        );
        if stagings(&c.home).is_empty() {
            fine.push(next);
        } else {
            not.push(next);
        }
    }
    report(&format!(
        "kill/restore, next command: repaired by {fine:?}; not repaired by {not:?}"
    ));
    assert!(not.is_empty(), "a staging folder survives: {not:?}");
}

/// After the next command completed a restore killed after its swap: the
/// audit trail records the restore, by the user, as completed, and the
/// Backup Explorer's mark names the backup the data now comes from.
fn interrupted_restore_recorded(c: &Clinic, s: &RestoreSetup, what: &str) {
    let id = carevault_core::catalog::id_of(&s.backup).unwrap();
    let last = carevault_core::audit::read(&c.home)
        .unwrap()
        .into_iter()
        .rev()
        .find(|r| r.event.action == "restore")
        .unwrap_or_else(|| panic!("{what}: no restore in the audit trail"))
        .event;
    assert_eq!(
        last.outcome,
        carevault_core::audit::Outcome::Success,
        "{what}"
    );
    assert_eq!(last.backup.as_deref(), Some(id.as_str()), "{what}");
    assert_eq!(last.user, "admin", "{what}");
    assert!(
        last.reason
            .as_deref()
            .is_some_and(|r| r.contains("interrupted")),
        "{what}: {last:?}"
    );
    let mark = carevault_core::restored_from::current(&c.home).unwrap();
    assert_eq!(
        mark.map(|m| m.id),
        Some(id),
        "{what}: the restored-from mark"
    );
}

/// The narrowest moment: right after the swap, before the replaced data
/// is filed under `safety-copies/` (the binary's stop seam). The next
/// command, each in turn, must file the replaced data as a safety copy,
/// intact, and leave no staging folder.
#[test]
fn a_restore_killed_right_after_the_swap_is_completed_by_the_next_command() {
    let s = RestoreSetup::new();
    let scratch = s.root.join("scratch");
    for next in NEXT_COMMANDS {
        let c = s.case();
        kill_at(c.restore_cmd(&s.backup, &c.pass_a), RESTORE_SWAPPED);
        assert_eq!(s.classify(&c.data(), next).0, "backup");
        let pending = stagings(&c.home)
            .iter()
            .any(|n| c.home.join(n).join("data").is_dir());
        assert!(
            pending,
            "{next}: the replaced data is not in staging after the kill"
        );
        assert!(
            safety_copies(&c.home).0.is_empty(),
            "{next}: filed before the kill"
        );
        ok(&next_command(next, &c, &s, &scratch), next);
        assert!(stagings(&c.home).is_empty(), "staging left after {next}");
        assert_eq!(
            s.classify(&c.data(), next).0,
            "backup",
            "{next} changed the data"
        );
        let (full, empty) = safety_copies(&c.home);
        assert_eq!(full.len(), 1, "{next}: {full:?}");
        assert_eq!(
            raw_fingerprint(&full[0]),
            s.before,
            "{next}: the safety copy differs"
        );
        assert!(
            empty.is_empty(),
            "{next}: empty safety-copy folders left: {empty:?}"
        );
        interrupted_restore_recorded(&c, &s, next);
    }
}

/// A staging journal whose other fields do not parse (another version's,
/// or damaged) still says the swap happened: the next command files the
/// replaced data as a safety copy instead of deleting it as an undone
/// restore, and claims no restore it cannot name (no audit entry, no
/// restored-from mark).
#[test]
fn a_damaged_journal_never_costs_the_replaced_data() {
    let s = RestoreSetup::new();
    let c = s.case();
    kill_at(c.restore_cmd(&s.backup, &c.pass_a), RESTORE_SWAPPED);
    let staged = stagings(&c.home);
    assert_eq!(staged.len(), 1);
    let journal = c.home.join(&staged[0]).join("journal.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&journal).unwrap()).unwrap();
    v["backup"] = serde_json::json!(42);
    v["restored_by"] = serde_json::json!(["not", "a", "name"]);
    std::fs::write(&journal, serde_json::to_vec(&v).unwrap()).unwrap();
    let restores_before = carevault_core::audit::read(&c.home)
        .unwrap()
        .iter()
        .filter(|r| r.event.action == "restore")
        .count();
    ok(&run(&["list", "--home", c.h()]), "list");
    assert!(stagings(&c.home).is_empty());
    let (full, _) = safety_copies(&c.home);
    assert_eq!(full.len(), 1, "the replaced data was not kept: {full:?}");
    assert_eq!(raw_fingerprint(&full[0]), s.before);
    let restores_after = carevault_core::audit::read(&c.home)
        .unwrap()
        .iter()
        .filter(|r| r.event.action == "restore")
        .count();
    assert_eq!(
        restores_after, restores_before,
        "a restore it cannot name was audited"
    );
    assert!(carevault_core::restored_from::current(&c.home)
        .unwrap()
        .is_none());
}

/// A restore killed inside the filing of the safety copy, after it made
/// the dated folder under `safety-copies/` and before it moved the
/// replaced data into it (the binary's stop seam), leaves an empty folder.
/// The next command, each in turn, must file the data once and not leave
/// the empty folder beside the real safety copy.
#[test]
fn a_restore_killed_while_filing_the_safety_copy_leaves_no_empty_folder() {
    let s = RestoreSetup::new();
    let scratch = s.root.join("scratch");
    for next in NEXT_COMMANDS {
        let c = s.case();
        kill_at(c.restore_cmd(&s.backup, &c.pass_a), RESTORE_FILING);
        let (full, empty) = safety_copies(&c.home);
        assert!(
            full.is_empty() && empty.len() == 1,
            "{next}: {full:?} {empty:?}"
        );
        ok(&next_command(next, &c, &s, &scratch), next);
        assert!(stagings(&c.home).is_empty(), "staging left after {next}");
        let (full, empties) = safety_copies(&c.home);
        assert_eq!(full.len(), 1, "{next}: {full:?}");
        assert_eq!(
            raw_fingerprint(&full[0]),
            s.before,
            "{next}: the safety copy differs"
        );
        assert!(
            empties.is_empty(),
            "{next}: empty safety-copy folders left: {empties:?}"
        );
        interrupted_restore_recorded(&c, &s, next);
    }
}
