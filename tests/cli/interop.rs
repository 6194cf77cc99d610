//! Interoperability: a carevault backup opens with standard tools alone.
//!
//! These tests run the real `carevault` binary to make backups of a demo
//! clinic, then open them with `tar`, `sha256sum`, `age`, `zstd`, `cmp` and
//! `sqlite3`, using exactly the commands of docs/FORMAT.md, section "Opening a
//! backup with standard tools alone". Every command string used here is first
//! checked to be present, verbatim, in that section, so the documentation and
//! this test cannot drift apart silently.
//!
//! `age` reads passphrases only from a terminal, so the passphrase step runs
//! the `age` CLI in a pseudo-terminal (rexpect) and types the passphrase at
//! its prompt.
//!
//! Missing tools: with the environment variable `CI` set the tests fail and
//! name the Debian packages to install; otherwise they print a notice and
//! pass without checking anything.

use rexpect::process::wait::WaitStatus;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_carevault");
const PASSPHRASE: &str = "interop test passphrase, seven words long";
const PATIENTS: u64 = 300;
const PHOTOS: u64 = 3;
/// Low scrypt work factor so the test is fast; the age CLI accepts it.
const WORK_FACTOR: u8 = 14;
/// Timeout of each expectation on the age pseudo-terminal.
const PTY_TIMEOUT_MS: u64 = 30_000;

/// The placeholder file name the documented commands use.
const DOC_BACKUP_NAME: &str = "Backup-X.bin";

// The commands, verbatim from docs/FORMAT.md.
const MKDIR_X: &str = "mkdir x && cd x";
const EXTRACT: &str = "tar -xf ../Backup-X.bin";
const SHOW_METADATA: &str = "cat carevault.json";
const CHECK_PAYLOAD: &str = "sha256sum -c payload.sha256";
const UNLOCK_WITH_PASSPHRASE: &str = "age -d -o backup-key.txt key-passphrase.age";
const UNLOCK_WITH_RECOVERY_KEY: &str =
    "age -d -i recovery-key.txt -o backup-key.txt key-recovery.age";
const MKDIR_RESTORED: &str = "mkdir restored";
const UNPACK: &str =
    "age -d -i backup-key.txt payload.tar.zst.age | zstd -d | tar -xf - -C restored";
const CHECK_FILES: &str = "(cd restored && sha256sum -c SHA256SUMS)";
const CHECK_MANIFEST: &str =
    "age -d -i backup-key.txt manifest.json.age | cmp - restored/manifest.json";
const UNPACK_UNENCRYPTED: &str = "zstd -d < payload.tar.zst | tar -xf - -C restored";
const INTEGRITY_CHECK: &str = "sqlite3 restored/data/clinical.db 'PRAGMA integrity_check'";

/// Tools the documented commands use, with the Debian package providing each.
const TOOLS: &[(&str, &str)] = &[
    ("tar", "tar"),
    ("sha256sum", "coreutils"),
    ("age", "age"),
    ("zstd", "zstd"),
    ("cmp", "diffutils"),
    ("sqlite3", "sqlite3"),
];

// ---------------------------------------------------------------------------
// Tool policy

/// True when every tool in `needed` is installed. When one is missing:
/// panics if `CI` is set (naming the packages to install), else prints a
/// notice and returns false so the test can return early.
fn tools_present(test: &str, needed: &[&str]) -> bool {
    let missing: Vec<(&str, &str)> = TOOLS
        .iter()
        .copied()
        .filter(|(tool, _)| needed.contains(tool) && !installed(tool))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let tools: Vec<&str> = missing.iter().map(|(t, _)| *t).collect();
    let packages: BTreeSet<&str> = missing.iter().map(|(_, p)| *p).collect();
    let packages: Vec<&str> = packages.into_iter().collect();
    let msg = format!(
        "{test}: the standard tool(s) {} are not installed; install the Debian package(s): apt-get install -y {}",
        tools.join(", "),
        packages.join(" ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg} (CI is set, so a missing tool is a failure)");
    }
    // Straight to standard error: the test harness captures eprintln!, and
    // a skipped check should be seen.
    let _ = writeln!(std::io::stderr(), "NOTICE: skipping {msg}");
    false
}

/// False when `tool` is not found on the PATH.
fn installed(tool: &str) -> bool {
    let status = Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    !matches!(status, Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

// ---------------------------------------------------------------------------
// The documentation

/// The section of docs/FORMAT.md that these tests follow.
fn documented_section() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/FORMAT.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let heading = "## Opening a backup with standard tools alone";
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("docs/FORMAT.md has no section {heading:?}"));
    let rest = &text[start + heading.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    text[start..start + heading.len() + end].to_string()
}

/// Panics unless `cmd` appears verbatim in the section: as a line of a code
/// block (a commented-out alternative and a trailing comment allowed), or as
/// inline code in the prose.
fn assert_documented(section: &str, cmd: &str) {
    let as_line = section.lines().any(|line| {
        let line = line.trim();
        let line = line.strip_prefix("# ").unwrap_or(line);
        let line = line.split("  #").next().unwrap_or("").trim();
        line == cmd
    });
    let inline = section.contains(&format!("`{cmd}`"));
    assert!(
        as_line || inline,
        "the command {cmd:?} is not in docs/FORMAT.md, section \"Opening a backup with standard tools alone\"; \
         the test and the documentation have drifted apart"
    );
}

// ---------------------------------------------------------------------------
// Running things

fn carevault(args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .arg("--json")
        .args(args)
        .env_remove("CAREVAULT_HOME")
        .env_remove("CAREVAULT_PASSPHRASE")
        .env_remove("CAREVAULT_NEW_PASSPHRASE")
        .env("CAREVAULT_USER", "nurse")
        .env("CAREVAULT_PASSWORD", "nurse-demo-pass")
        .stdin(Stdio::null())
        .output()
        .expect("running the carevault binary");
    assert!(
        out.status.success(),
        "carevault {args:?} failed ({}):\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "carevault {args:?}: output is not JSON ({e}):\n{}",
            text(&out.stdout)
        )
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a documented command with `sh -c` in `dir`.
fn sh(dir: &Path, cmd: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running `{cmd}`: {e}"))
}

/// Runs a documented command and insists on success; returns its standard
/// output. `quiet` also demands an empty standard error: in a pipeline only
/// the last command's status counts, and an earlier one (age, zstd) that
/// fails says so on standard error.
fn sh_ok(dir: &Path, cmd: &str, quiet: bool) -> String {
    let out = sh(dir, cmd);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "`{cmd}` in {} failed ({}):\nstdout: {stdout}\nstderr: {stderr}",
        dir.display(),
        out.status
    );
    if quiet {
        assert!(
            stderr.trim().is_empty(),
            "`{cmd}` in {} wrote to standard error:\n{stderr}",
            dir.display()
        );
    }
    stdout
}

/// Runs a documented `age -d` command (no `-i`: it asks for the passphrase)
/// in a pseudo-terminal, types `passphrase` at its prompt, and returns the
/// exit code and everything age wrote to the terminal.
fn age_with_passphrase(dir: &Path, cmd: &str, passphrase: &str) -> (i32, String) {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    assert!(
        words
            .iter()
            .all(|w| !w.contains(['\'', '"', '|', '<', '>'])),
        "{cmd:?} needs a shell"
    );
    let mut command = Command::new(words[0]);
    command.args(&words[1..]).current_dir(dir);
    let mut session = rexpect::session::spawn_command(command, Some(PTY_TIMEOUT_MS))
        .unwrap_or_else(|e| panic!("starting `{cmd}` in a pseudo-terminal: {e}"));
    let prompt = session
        .exp_string("Enter passphrase:")
        .unwrap_or_else(|e| panic!("`{cmd}` did not ask for the passphrase: {e}"));
    session
        .send_line(passphrase)
        .expect("typing the passphrase");
    let rest = session
        .exp_eof()
        .unwrap_or_else(|e| panic!("`{cmd}` did not finish: {e}"));
    let status = session.process.wait().expect("waiting for age");
    let code = match status {
        WaitStatus::Exited(_, code) => code,
        other => panic!("`{cmd}` did not exit normally: {other:?}"),
    };
    (code, format!("{prompt}Enter passphrase:{rest}"))
}

fn sha256_hex(dir: &Path, file: &str) -> String {
    let out = sh_ok(dir, &format!("sha256sum {file}"), true);
    out.split_whitespace().next().unwrap_or("").to_string()
}

fn sqlite(dir: &Path, db: &str, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("running sqlite3");
    assert!(
        out.status.success(),
        "sqlite3 {db} {sql:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout).trim().to_string()
}

/// Relative paths of the regular files under `root`, sorted.
fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                walk(root, &path, out);
            } else {
                assert!(meta.is_file(), "{} is not a regular file", path.display());
                out.insert(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn is_sqlite_side_file(p: &Path) -> bool {
    let name = p.to_string_lossy();
    name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with("-journal")
}

// ---------------------------------------------------------------------------
// Fixture

/// The shared demo clinic (`carevault_testkit::Clinic`) and one backup of it.
struct Clinic {
    /// The demo clinic (its temporary folder lives as long as this).
    kit: carevault_testkit::Clinic,
    /// The folder holding the backup (where the documented commands start).
    folder: PathBuf,
    /// The backup file's name inside `folder`.
    file_name: String,
    /// The recovery key file (encrypted backups only).
    recovery_key: PathBuf,
}

/// A demo clinic (the data `carevault demo init` makes by default) and
/// one backup of it, made by the real binary.
fn clinic_with_backup(encrypted: bool) -> Clinic {
    let kit =
        carevault_testkit::Clinic::demo(PATIENTS, PHOTOS, carevault_testkit::clinic::CLI_DEMO_SEED);
    // Fast scrypt; unencrypted backups allowed in plain folders (for the
    // unencrypted-format test only: the default policy refuses them).
    kit.set_profile(
        WORK_FACTOR,
        carevault_testkit::clinic::Media::PlainFoldersAllowed,
    );
    let dir = kit.root().to_path_buf();
    let home = &kit.home;
    let folder = dir.join("docs");
    let s = |p: &Path| p.to_str().expect("UTF-8 temporary path").to_string();

    let recovery_key = dir.join("recovery-key.txt");
    let created = if encrypted {
        let keygen = carevault(&["keygen", "--out", &s(&recovery_key)]);
        let public = keygen["public_key"]
            .as_str()
            .expect("keygen --json prints public_key")
            .to_string();
        assert!(
            public.starts_with("age1"),
            "not an age public key: {public}"
        );
        let pass_file = kit.passphrase_file("pass.txt", PASSPHRASE);
        carevault(&[
            "backup",
            "--home",
            &s(home),
            "--to",
            &s(&folder),
            "--passphrase-file",
            &s(&pass_file),
            "--recovery-key",
            &public,
        ])
    } else {
        carevault(&[
            "backup",
            "--home",
            &s(home),
            "--to",
            &s(&folder),
            "--no-encrypt",
        ])
    };
    assert_eq!(created["result"], "created", "{created:#}");
    let path = PathBuf::from(
        created["backup"]["path"]
            .as_str()
            .expect("backup.path in the backup output"),
    );
    let path = if path.is_absolute() {
        path
    } else {
        std::env::current_dir().unwrap().join(path)
    };
    assert_eq!(
        path.parent(),
        Some(folder.as_path()),
        "the backup is not in the --to folder"
    );
    assert_eq!(created["backup"]["metadata"]["encrypted"], encrypted);
    assert_eq!(created["backup"]["rows"]["patients"], PATIENTS);
    let file_name = path.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        file_name.starts_with("Backup-") && file_name.ends_with(".bin"),
        "unexpected backup file name {file_name}"
    );
    Clinic {
        kit,
        folder,
        file_name,
        recovery_key,
    }
}

/// The documented extraction command for this backup: the placeholder
/// `Backup-X.bin` replaced by the real file name, as a reader would.
fn extract_command(c: &Clinic) -> String {
    EXTRACT.replace(DOC_BACKUP_NAME, &c.file_name)
}

/// `mkdir x && cd x`, `tar -xf ../Backup-X.bin`, `cat carevault.json`,
/// `sha256sum -c payload.sha256`. Returns the `x` folder and the readable
/// metadata.
fn extract(c: &Clinic) -> (PathBuf, Value) {
    // `cd` does not outlive `sh -c`: the later commands run in x/.
    sh_ok(&c.folder, MKDIR_X, true);
    let x = c.folder.join("x");
    sh_ok(&x, &extract_command(c), true);
    let metadata: Value =
        serde_json::from_str(&sh_ok(&x, SHOW_METADATA, true)).expect("carevault.json is JSON");
    assert_eq!(metadata["format"], "carevault-backup");
    assert_eq!(metadata["format_version"], 1);
    let payload = metadata["payload"]
        .as_str()
        .expect("payload name in carevault.json");
    let checked = sh_ok(&x, CHECK_PAYLOAD, true);
    assert_eq!(
        checked.trim(),
        format!("{payload}: OK"),
        "sha256sum -c payload.sha256 did not check the payload"
    );
    (x, metadata)
}

/// Checks that `restored/` (inside `x`) is the clinic's data: every file
/// listed in SHA256SUMS and checked, databases intact with the row counts of
/// the manifest, every other file byte-identical to the app home's.
fn check_restored(c: &Clinic, x: &Path) {
    let restored = x.join("restored");
    let checked = sh_ok(x, CHECK_FILES, true);

    // Every restored data file is covered by SHA256SUMS, and nothing else is there.
    let all = files_under(&restored);
    let expected_top: BTreeSet<PathBuf> = ["manifest.json", "SHA256SUMS"]
        .iter()
        .map(PathBuf::from)
        .collect();
    let top: BTreeSet<PathBuf> = all
        .iter()
        .filter(|p| !p.starts_with("data"))
        .cloned()
        .collect();
    assert_eq!(
        top, expected_top,
        "unexpected files at the top of the payload"
    );
    let data_files: BTreeSet<PathBuf> = all
        .iter()
        .filter(|p| p.starts_with("data"))
        .cloned()
        .collect();
    let ok_lines: BTreeSet<PathBuf> = checked
        .lines()
        .map(|l| {
            PathBuf::from(
                l.strip_suffix(": OK")
                    .unwrap_or_else(|| panic!("unexpected sha256sum line {l:?}")),
            )
        })
        .collect();
    assert_eq!(
        ok_lines, data_files,
        "SHA256SUMS does not cover exactly the restored data files"
    );

    // The restored data is the app home's data: same file names (the live
    // databases' -wal/-shm aside) and identical bytes for every plain file.
    let original: BTreeSet<PathBuf> = files_under(&c.kit.home.join("data"))
        .into_iter()
        .filter(|p| !is_sqlite_side_file(p))
        .collect();
    let restored_data: BTreeSet<PathBuf> = files_under(&restored.join("data"));
    assert_eq!(
        restored_data, original,
        "the restored data/ does not hold the same files as the app home"
    );

    // The manifest says which entries are databases and their row counts.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(restored.join("manifest.json")).unwrap())
            .expect("manifest.json is JSON");
    let entries = manifest["entries"].as_array().expect("manifest entries");
    assert_eq!(
        entries.len(),
        data_files.len(),
        "manifest entries vs restored files"
    );
    let mut databases = 0;
    for entry in entries {
        let path = entry["path"].as_str().expect("entry path");
        assert!(
            data_files.contains(Path::new(path)),
            "{path} is in the manifest but was not restored"
        );
        let on_disk = restored.join(path);
        assert_eq!(
            std::fs::metadata(&on_disk).unwrap().len(),
            entry["size"].as_u64().unwrap(),
            "{path}: size differs from the manifest"
        );
        if entry["kind"] == "sqlite" {
            databases += 1;
            let db = format!("restored/{path}");
            assert_eq!(
                sqlite(x, &db, "PRAGMA integrity_check"),
                "ok",
                "{path} fails sqlite3's integrity check"
            );
            for (table, n) in entry["row_counts"].as_object().expect("row_counts") {
                let count = sqlite(x, &db, &format!("SELECT count(*) FROM \"{table}\""));
                assert_eq!(count, n.to_string(), "{path}: rows of {table}");
            }
        } else {
            let original = std::fs::read(c.kit.home.join(path))
                .unwrap_or_else(|e| panic!("reading the original of {path}: {e}"));
            let copy = std::fs::read(&on_disk).unwrap();
            assert!(
                original == copy,
                "{path}: the restored bytes differ from the app home's"
            );
        }
    }
    assert!(databases >= 1, "the manifest lists no database");

    // The documented check, and the figures the demo clinic was made with.
    assert_eq!(sh_ok(x, INTEGRITY_CHECK, true).trim(), "ok");
    assert_eq!(
        sqlite(
            x,
            "restored/data/clinical.db",
            "SELECT count(*) FROM patients"
        ),
        PATIENTS.to_string()
    );
    let photos = data_files
        .iter()
        .filter(|p| p.starts_with("data/files/photos"))
        .count();
    assert_eq!(photos as u64, PHOTOS, "photos restored");
    let files = files_under(&c.kit.home.join("data/files"));
    assert!(!files.is_empty(), "the demo clinic has no files");
    for f in &files {
        let a = std::fs::read(c.kit.home.join("data/files").join(f)).unwrap();
        let b = std::fs::read(restored.join("data/files").join(f))
            .unwrap_or_else(|e| panic!("data/files/{} was not restored: {e}", f.display()));
        assert!(a == b, "data/files/{} differs", f.display());
    }
    let config = std::fs::read(c.kit.home.join("data/config/app.toml"))
        .expect("the demo clinic has data/config/app.toml");
    assert_eq!(
        std::fs::read(restored.join("data/config/app.toml"))
            .expect("data/config/app.toml restored"),
        config
    );
}

/// The backup key file written by a key slot: an age identity file.
fn read_backup_key(x: &Path) -> String {
    let key = std::fs::read_to_string(x.join("backup-key.txt")).expect("age wrote backup-key.txt");
    let secrets: Vec<&str> = key
        .lines()
        .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .collect();
    assert_eq!(
        secrets.len(),
        1,
        "backup-key.txt should hold one age secret key:\n{}",
        key.lines()
            .filter(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    );
    key
}

/// Steps 2 and 3 of the documented procedure, once the backup key is in x/.
fn decrypt_and_check(c: &Clinic, x: &Path) {
    sh_ok(x, MKDIR_RESTORED, true);
    sh_ok(x, UNPACK, true);
    check_restored(c, x);
    sh_ok(x, CHECK_MANIFEST, true);
}

/// Moves x/ aside so that the documented `mkdir x` can run again.
fn set_aside(c: &Clinic, x: &Path, name: &str) -> PathBuf {
    let to = c.folder.join(name);
    std::fs::rename(x, &to).unwrap();
    to
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn encrypted_backup_opens_with_standard_tools() {
    if !tools_present(
        "encrypted_backup_opens_with_standard_tools",
        &["tar", "sha256sum", "age", "zstd", "cmp", "sqlite3"],
    ) {
        return;
    }
    let section = documented_section();
    for cmd in [
        MKDIR_X,
        EXTRACT,
        SHOW_METADATA,
        CHECK_PAYLOAD,
        UNLOCK_WITH_PASSPHRASE,
        UNLOCK_WITH_RECOVERY_KEY,
        MKDIR_RESTORED,
        UNPACK,
        CHECK_FILES,
        CHECK_MANIFEST,
        INTEGRITY_CHECK,
    ] {
        assert_documented(&section, cmd);
    }
    let c = clinic_with_backup(true);

    // With the passphrase, typed at age's prompt.
    let (x, metadata) = extract(&c);
    assert_eq!(metadata["encrypted"], true);
    assert_eq!(metadata["payload"], "payload.tar.zst.age");
    let mut extracted: Vec<String> = std::fs::read_dir(&x)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    extracted.sort();
    assert_eq!(
        extracted,
        [
            "carevault.json",
            "key-passphrase.age",
            "key-recovery.age",
            "manifest.json.age",
            "origin.json",
            "origin.json.minisig",
            "payload.sha256",
            "payload.tar.zst.age"
        ]
    );
    // The key slot checksums of the readable metadata match the slots.
    for slot in metadata["key_slots"].as_array().expect("key_slots") {
        let name = slot["name"].as_str().unwrap();
        assert_eq!(
            slot["sha256"].as_str().unwrap(),
            sha256_hex(&x, name),
            "{name}: checksum in carevault.json"
        );
    }
    let (code, terminal) = age_with_passphrase(&x, UNLOCK_WITH_PASSPHRASE, PASSPHRASE);
    assert_eq!(
        code, 0,
        "`{UNLOCK_WITH_PASSPHRASE}` with the right passphrase failed:\n{terminal}"
    );
    let key_from_passphrase = read_backup_key(&x);
    assert!(
        key_from_passphrase.starts_with("# carevault backup key\n"),
        "backup-key.txt does not start as FORMAT.md shows"
    );
    decrypt_and_check(&c, &x);
    set_aside(&c, &x, "opened-with-passphrase");

    // With the recovery key instead (kept next to the extracted entries).
    let (x, _) = extract(&c);
    std::fs::copy(&c.recovery_key, x.join("recovery-key.txt")).unwrap();
    sh_ok(&x, UNLOCK_WITH_RECOVERY_KEY, true);
    let key_from_recovery = read_backup_key(&x);
    assert_eq!(
        key_from_recovery, key_from_passphrase,
        "the two key slots hold different backup keys"
    );
    decrypt_and_check(&c, &x);
    set_aside(&c, &x, "opened-with-recovery-key");
}

#[test]
fn unencrypted_backup_opens_with_standard_tools() {
    if !tools_present(
        "unencrypted_backup_opens_with_standard_tools",
        &["tar", "sha256sum", "zstd", "cmp", "sqlite3"],
    ) {
        return;
    }
    let section = documented_section();
    for cmd in [
        MKDIR_X,
        EXTRACT,
        SHOW_METADATA,
        CHECK_PAYLOAD,
        MKDIR_RESTORED,
        UNPACK_UNENCRYPTED,
        CHECK_FILES,
        INTEGRITY_CHECK,
    ] {
        assert_documented(&section, cmd);
    }
    let c = clinic_with_backup(false);
    let (x, metadata) = extract(&c);
    assert_eq!(metadata["encrypted"], false);
    assert_eq!(metadata["payload"], "payload.tar.zst");
    let mut extracted: Vec<String> = std::fs::read_dir(&x)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    extracted.sort();
    assert_eq!(
        extracted,
        [
            "carevault.json",
            "manifest.json",
            "origin.json",
            "origin.json.minisig",
            "payload.sha256",
            "payload.tar.zst"
        ]
    );
    sh_ok(&x, MKDIR_RESTORED, true);
    sh_ok(&x, UNPACK_UNENCRYPTED, true);
    check_restored(&c, &x);
    // Not in FORMAT.md for unencrypted backups: the plain manifest copy
    // equals the one inside the payload.
    sh_ok(&x, "cmp manifest.json restored/manifest.json", true);
}

#[test]
fn wrong_passphrase_is_refused_by_age() {
    if !tools_present(
        "wrong_passphrase_is_refused_by_age",
        &["tar", "sha256sum", "age"],
    ) {
        return;
    }
    assert_documented(&documented_section(), UNLOCK_WITH_PASSPHRASE);
    let c = clinic_with_backup(true);
    let (x, _) = extract(&c);
    let (code, terminal) = age_with_passphrase(&x, UNLOCK_WITH_PASSPHRASE, "not the passphrase");
    assert_ne!(code, 0, "age accepted a wrong passphrase:\n{terminal}");
    assert!(
        terminal.contains("incorrect passphrase"),
        "age's message for a wrong passphrase:\n{terminal}"
    );
    let written = std::fs::read_to_string(x.join("backup-key.txt")).unwrap_or_default();
    assert!(
        !written.contains("AGE-SECRET-KEY-"),
        "a wrong passphrase produced a backup key"
    );
    // The same slot and pseudo-terminal path with the right passphrase works.
    let (code, terminal) = age_with_passphrase(&x, UNLOCK_WITH_PASSPHRASE, PASSPHRASE);
    assert_eq!(
        code, 0,
        "the right passphrase failed after a wrong one:\n{terminal}"
    );
    read_backup_key(&x);
}
