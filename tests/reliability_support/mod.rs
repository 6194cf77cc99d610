//! Shared helpers for the reliability tests (`tests/reliability/`:
//! kill, full disk, concurrency): a demo clinic big enough
//! for operations that last a fraction of a second, the binary with a
//! login, kill-at-a-moment, a seeded random source, and a logical
//! fingerprint of a data folder (SQL rows of every table, bytes of every
//! other file) to tell "exactly as before" from "exactly the backup".
#![allow(dead_code)]

use carevault_core::archive::hashio::ExactHashReader;
use carevault_core::NoProgress;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Passphrases used by the reliability tests.
pub const PASS_A: &str = "reliability passphrase one";
pub const PASS_B: &str = "reliability passphrase two";

/// Prefixes of what an interrupted operation may leave behind.
pub const TEMP_PREFIX: &str = ".carevault-tmp-";
pub const STAGING_PREFIX: &str = ".carevault-staging-";

/// `CAREVAULT_SOAK=1`: the long runs.
pub fn soak() -> bool {
    std::env::var("CAREVAULT_SOAK").is_ok_and(|v| v == "1")
}

/// True on CI (`CI` set to anything but empty, `0` or `false`).
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Writes a line to the real standard error, bypassing the test harness's
/// capture, so the counts of a run are visible without `--nocapture`.
pub fn report(line: &str) {
    let mut e = std::io::stderr();
    let _ = writeln!(e, "{line}");
}

/// The `carevault` binary, logged in as the demo System Administrator.
pub fn bin() -> Command {
    let mut c = carevault_testkit::bin();
    c.stdin(Stdio::null());
    c
}

/// Runs the binary to completion.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run carevault")
}

/// Runs the binary as if on a fresh tablet: no login given.
pub fn run_no_login(args: &[&str]) -> Output {
    let mut c = bin();
    c.env_remove("CAREVAULT_USER")
        .env_remove("CAREVAULT_PASSWORD");
    c.args(args).output().expect("run carevault")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts success, showing both streams otherwise.
pub fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed ({:?})\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} / {}", stdout(o), stderr(o)))
}

/// A small, fast, seeded random source (SplitMix64), so that a failing
/// run can be repeated with the seed it printed.
pub struct Rng(u64);

impl Rng {
    /// Seeded from `CAREVAULT_SEED` when set; else a fixed seed in CI
    /// runs and a time-based one under `CAREVAULT_SOAK`.
    pub fn from_env(default: u64) -> (Rng, u64) {
        let seed = std::env::var("CAREVAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                if soak() {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(default)
                } else {
                    default
                }
            });
        (Rng(seed), seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// `n` fractions spread over `[0, 1)`: one uniform in each of `n`
    /// equal slices (so the start, middle and end of an operation are all
    /// covered), in a shuffled order.
    pub fn stratified(&mut self, n: usize) -> Vec<f64> {
        let mut v: Vec<f64> = (0..n)
            .map(|i| (i as f64 + self.unit()) / n as f64)
            .collect();
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
        v
    }
}

/// How a process that was to be killed ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// SIGKILL arrived while it ran.
    Killed,
    /// It finished first, with this exit code.
    Exited(i32),
}

/// Waits until `child` stops (SIGSTOP) or exits, reaping nothing; true
/// when it stopped.
pub fn wait_stopped(child: &std::process::Child) -> bool {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-value for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                child.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WSTOPPED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            return info.si_code == libc::CLD_STOPPED;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "waitid: {e}");
    }
}

/// Runs `cmd` with the binary's stop seam set to `moment`
/// (`carevault_core::stop_point`): the process stops itself with SIGSTOP
/// on reaching that moment, this function sees the stop as an event
/// (`waitid` with `WSTOPPED`, no delay measured or guessed) and kills it
/// there with SIGKILL. Panics, with the process's standard error, if it
/// ended without reaching the moment.
pub fn kill_at(mut cmd: Command, moment: &str) {
    let err = tempfile::tempfile().expect("a file for standard error");
    cmd.env(carevault_core::stop_point::STOP_AT_ENV, moment)
        .stdout(Stdio::null())
        .stderr(err.try_clone().expect("clone"));
    let mut child = cmd.spawn().expect("spawn carevault");
    // Wait for the child to stop or exit, reaping nothing (WNOWAIT), so
    // that `Child::wait` below reaps it in either case.
    let stopped = loop {
        // SAFETY: a zeroed siginfo_t is a valid out-value for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                child.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WSTOPPED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            break info.si_code == libc::CLD_STOPPED;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "waitid: {e}");
    };
    if stopped {
        // Child::kill sends SIGKILL, which ends a stopped process too.
        child.kill().expect("kill the stopped process");
        let st = child.wait().expect("wait");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            st.signal(),
            Some(libc::SIGKILL),
            "the stopped process did not end by SIGKILL"
        );
        return;
    }
    let status = child.wait().expect("wait");
    use std::io::{Read, Seek};
    let mut text = String::new();
    let mut err = err;
    let _ = err.rewind();
    let _ = err.read_to_string(&mut text);
    panic!("the process ended ({status}) without reaching {moment}: {text}");
}

/// Spawns `cmd`, sends SIGKILL after `delay` (measured from the spawn),
/// and reaps it. Standard output and error are discarded (they are tiny
/// and never read by the kill tests).
pub fn run_and_kill(mut cmd: Command, delay: Duration) -> (Ended, Duration) {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn carevault");
    let due = start + delay;
    // Poll instead of sleeping blindly, so an early exit is seen as such.
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return (exited(st, &mut child), start.elapsed());
        }
        let now = Instant::now();
        if now >= due {
            break;
        }
        std::thread::sleep((due - now).min(Duration::from_millis(2)));
    }
    // Child::kill sends SIGKILL on Unix; it may have exited just now.
    let _ = child.kill();
    let st = child.wait().expect("wait");
    use std::os::unix::process::ExitStatusExt;
    if st.signal() == Some(9) {
        (Ended::Killed, start.elapsed())
    } else {
        (exited(st, &mut child), start.elapsed())
    }
}

fn exited(st: ExitStatus, child: &mut Child) -> Ended {
    use std::io::Read;
    let code = st.code().unwrap_or(-1);
    if code != 0 {
        let mut s = String::new();
        if let Some(e) = child.stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        report(&format!("  (the run exited {code} on its own: {s})"));
    }
    Ended::Exited(code)
}

/// Runs `cmd` to completion `n` times and returns the shortest wall time
/// (the least disturbed by other work on the machine).
pub fn measure(n: usize, mut make: impl FnMut() -> Command) -> Duration {
    let mut shortest = Duration::MAX;
    for _ in 0..n {
        let start = Instant::now();
        let o = make().output().expect("run");
        ok(&o, "an uninterrupted run");
        shortest = shortest.min(start.elapsed());
    }
    shortest
}

/// A demo clinic: `home` with demo data, a profile with the given scrypt
/// work factor, and files holding the two passphrases. The pieces are the
/// test kit's (`carevault_testkit::clinic`); the clinic lives in a folder
/// the test chooses (a small disk, a template copied per case), which the
/// kit's own `Clinic` (a temporary folder of its own) does not allow.
pub struct Clinic {
    pub root: PathBuf,
    pub home: PathBuf,
    pub pass_a: PathBuf,
    pub pass_b: PathBuf,
}

impl Clinic {
    /// Creates `root/clinic` with `patients` patients and `photos` photos
    /// (the data `carevault demo init` makes by default).
    pub fn create(root: &Path, patients: u64, photos: u64, work_factor: u8) -> Clinic {
        std::fs::create_dir_all(root).unwrap();
        let home = root.join("clinic");
        carevault_testkit::clinic::demo_home(
            &home,
            patients,
            photos,
            carevault_testkit::clinic::CLI_DEMO_SEED,
        );
        let c = Clinic::at(root, &home);
        c.set_work_factor(work_factor);
        c
    }

    /// A clinic whose home already exists (e.g. a copy).
    pub fn at(root: &Path, home: &Path) -> Clinic {
        let pass_a = root.join("pass-a.txt");
        let pass_b = root.join("pass-b.txt");
        carevault_testkit::clinic::write_passphrase(&pass_a, PASS_A);
        carevault_testkit::clinic::write_passphrase(&pass_b, PASS_B);
        Clinic {
            root: root.to_path_buf(),
            home: home.to_path_buf(),
            pass_a,
            pass_b,
        }
    }

    /// The test profile with work factor `wf`, no external media (their
    /// folders, `root/no-media`, are never made).
    pub fn set_work_factor(&self, wf: u8) {
        carevault_testkit::clinic::write_profile(
            &self.home,
            wf,
            carevault_testkit::clinic::Media::ExternalUnder(&self.root.join("no-media")),
        );
    }

    pub fn h(&self) -> &str {
        self.home.to_str().unwrap()
    }
    pub fn a(&self) -> &str {
        self.pass_a.to_str().unwrap()
    }
    pub fn b(&self) -> &str {
        self.pass_b.to_str().unwrap()
    }
    pub fn data(&self) -> PathBuf {
        self.home.join("data")
    }
    pub fn private_backups(&self) -> PathBuf {
        self.home.join("private").join("backups")
    }

    /// The command of an encrypted backup (passphrase A) to the Private
    /// medium, or to `to`.
    pub fn backup_cmd(&self, to: Option<&Path>) -> Command {
        let mut c = bin();
        c.args([
            "--json",
            "backup",
            "--home",
            self.h(),
            "--passphrase-file",
            self.a(),
        ]);
        if let Some(to) = to {
            c.arg("--to").arg(to);
        }
        c
    }

    /// Makes a backup and returns its path.
    pub fn backup(&self, to: Option<&Path>) -> PathBuf {
        let o = self.backup_cmd(to).output().unwrap();
        ok(&o, "backup");
        PathBuf::from(json(&o)["backup"]["path"].as_str().unwrap())
    }

    pub fn restore_cmd(&self, file: &Path, pass: &Path) -> Command {
        let mut c = bin();
        c.args(["--json", "restore", "--yes"])
            .arg(file)
            .args(["--home", self.h(), "--passphrase-file"])
            .arg(pass);
        c
    }

    /// `verify` with the given passphrase file.
    pub fn verify(&self, file: &Path, pass: &Path) -> Output {
        bin()
            .args(["--json", "verify", "--home", self.h()])
            .arg(file)
            .arg("--passphrase-file")
            .arg(pass)
            .output()
            .unwrap()
    }

    /// `list --json` over the Private medium and `extra` folders:
    /// (path, status) of every file listed.
    pub fn list(&self, extra: &[&Path]) -> Vec<(PathBuf, String)> {
        let mut c = bin();
        c.args(["--json", "list", "--home", self.h()]);
        for d in extra {
            c.arg("--in").arg(d);
        }
        let o = c.output().unwrap();
        ok(&o, "list");
        json(&o)["backups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    PathBuf::from(b["path"].as_str().unwrap()),
                    b["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

/// Names in `dir` starting with `prefix`.
pub fn names_with_prefix(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut v: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    v.sort();
    v
}

pub fn temps(dir: &Path) -> Vec<String> {
    names_with_prefix(dir, TEMP_PREFIX)
}

pub fn stagings(home: &Path) -> Vec<String> {
    names_with_prefix(home, STAGING_PREFIX)
}

/// Files named `*.bin` in `dir` (what a user would take for backups).
pub fn bin_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    v.sort();
    v
}

/// Copies a folder tree (regular files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = e.file_type().unwrap();
        let dest = to.join(e.file_name());
        if t.is_dir() {
            copy_tree(&e.path(), &dest);
        } else if t.is_file() {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every regular file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(_) => out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned()),
                Err(_) => {}
            }
        }
    }
    out.sort();
    out
}

pub fn sha_hex(bytes: &[u8]) -> String {
    let mut r = ExactHashReader::new(bytes, bytes.len() as u64, &NoProgress);
    std::io::copy(&mut r, &mut std::io::sink()).unwrap();
    r.digest().iter().map(|b| format!("{b:02x}")).collect()
}

fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| &head == b"SQLite format 3\0")
}

/// The logical content of a data folder: for each database, its schema
/// and, per table, the row count and a SHA-256 of every row (all columns,
/// `quote()`d, in rowid order); for each other file, its size and SHA-256.
/// SQLite's `-wal`/`-shm`/`-journal` side files are not content.
pub type Fingerprint = BTreeMap<String, String>;

pub fn fingerprint(data: &Path) -> Fingerprint {
    let mut out = Fingerprint::new();
    let files = files_under(data);
    for rel in &files {
        let path = data.join(rel);
        if ["-wal", "-shm", "-journal"]
            .iter()
            .any(|s| rel.ends_with(s) && files.contains(&rel[..rel.len() - s.len()].to_string()))
        {
            continue;
        }
        if is_sqlite(&path) {
            for (k, v) in db_fingerprint(&path) {
                out.insert(format!("{rel}#{k}"), v);
            }
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.insert(
                rel.clone(),
                format!("{} bytes {}", bytes.len(), sha_hex(&bytes)),
            );
        }
    }
    out
}

fn db_fingerprint(path: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(path)
        .unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()));
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut out = Vec::new();
    let schema: String = conn
        .query_row(
            "SELECT coalesce(group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10) ORDER BY type, name), '') FROM sqlite_schema",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out.push(("schema".into(), sha_hex(schema.as_bytes())));
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in tables {
        let cols: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let row = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let (n, text): (i64, Option<String>) = conn
            .query_row(
                &format!(
                    "SELECT count(*), group_concat({row}, char(10) ORDER BY rowid) FROM \"{t}\""
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let text = text.unwrap_or_default();
        out.push((t, format!("{n} rows {}", sha_hex(text.as_bytes()))));
    }
    out
}

/// `PRAGMA integrity_check` of every database in `data`.
pub fn integrity_ok(data: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for rel in files_under(data) {
        let p = data.join(&rel);
        if rel.ends_with(".db") && is_sqlite(&p) {
            let conn = rusqlite::Connection::open(&p).unwrap();
            let r: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            if r != "ok" {
                bad.push(format!("{rel}: {r}"));
            }
        }
    }
    bad
}

/// Rows of a table (for quick comparisons).
pub fn rows(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A short description of how two fingerprints differ.
pub fn diff(a: &Fingerprint, b: &Fingerprint) -> String {
    let mut v = Vec::new();
    for (k, x) in a {
        match b.get(k) {
            None => v.push(format!("only before: {k}")),
            Some(y) if x != y => v.push(format!("differs: {k} ({x} / {y})")),
            _ => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        v.push(format!("only after: {k}"));
    }
    v.truncate(8);
    v.join("; ")
}

/// Counts of outcomes, printed as one line per operation.
#[derive(Default)]
pub struct Tally(pub BTreeMap<String, u32>);

impl Tally {
    pub fn add(&mut self, what: impl Into<String>) {
        *self.0.entry(what.into()).or_default() += 1;
    }
    pub fn line(&self) -> String {
        self.0
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The bytes of every file under `data` (size and SHA-256), SQLite's
/// `-shm` index files excepted. Cheaper than [`fingerprint`], and stricter:
/// equal raw fingerprints mean equal content.
pub fn raw_fingerprint(data: &Path) -> Fingerprint {
    let mut out = Fingerprint::new();
    for rel in files_under(data) {
        if rel.ends_with("-shm") {
            continue;
        }
        let bytes = std::fs::read(data.join(&rel)).unwrap();
        if rel.ends_with("-wal") && bytes.is_empty() {
            continue;
        }
        out.insert(rel, format!("{} bytes {}", bytes.len(), sha_hex(&bytes)));
    }
    out
}
