//! Golden cases: what a person reads from the CLI, pinned. The run's IDs,
//! times, sizes, key IDs and temporary paths are replaced by placeholders;
//! runs of blanks (table alignment, which depends on those widths) become
//! two. Update with `INSTA_UPDATE=always cargo test --test cli golden`
//! and review the diff of `tests/cli/snapshots/`.

use crate::support::*;
use std::process::Output;

pub(crate) fn shown(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(crate) fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    for (re, to) in [
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
        (r"\d{8}-\d{6}-[0-9a-f]{8}", "[ID]"),
        (r"Backup-\d{4}-\d{2}-\d{2}-\d{6}", "[LABEL]"),
        (
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [A-Z+\-0-9]+",
            "[TIME]",
        ),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[UTC]"),
        (r"\b\d+(\.\d)? (B|kB|MB|GB|TB)\b", "[SIZE]"),
        (r"key [0-9A-F]{16}", "key [KEYID]"),
        (
            r"made (under a minute|\d+ (minute|hour|day)s?) ago",
            "made [AGE] ago",
        ),
        // How long the app's writers paused depends on the machine's load.
        (r"paused (under 1 ms|\d+ ms)", "paused [PAUSE]"),
        // The same in French (golden_fr.rs); these never match English.
        (r"clé [0-9A-F]{16}", "clé [KEYID]"),
        (
            r"faite il y a (moins d'une minute|\d+ (minute|heure|jour)s?)",
            "faite il y a [ÂGE]",
        ),
        (r"en pause (moins de 1 ms|\d+ ms)", "en pause [PAUSE]"),
        (r"il fait \d+ octets", "il fait [N] octets"),
        (r"jusqu'à l'octet \d+", "jusqu'à l'octet [N]"),
        (r"it is \d+ bytes long", "it is [N] bytes long"),
        (r"runs to byte \d+", "runs to byte [N]"),
        (r" {2,}", "  "),
    ] {
        s.add_filter(re, to);
    }
    s
}

macro_rules! golden {
    ($name:expr, $out:expr) => {
        settings().bind(|| insta::assert_snapshot!($name, shown(&$out)))
    };
}

#[test]
fn golden_cli_text_of_the_everyday_commands_and_their_failures() {
    let c = Clinic::new();
    golden!("list-empty", run(&["list", "--home", c.h()]));
    golden!(
        "backup-unencrypted",
        run(&[
            "backup",
            "--home",
            c.h(),
            "--no-encrypt",
            "--label",
            "weekly"
        ])
    );
    golden!("list-one", run(&["list", "--home", c.h()]));
    golden!("status", run(&["status", "--home", c.h()]));
    golden!("show", run(&["show", "weekly", "--home", c.h()]));
    golden!("verify-ok", run(&["verify", "weekly", "--home", c.h()]));

    // Failures: each says what happened and what to do.
    let missing = c.root().join("no-such-home");
    golden!(
        "wrong-home",
        run(&["list", "--home", missing.to_str().unwrap()])
    );
    let empty = c.root().join("empty");
    std::fs::create_dir(&empty).unwrap();
    golden!(
        "home-without-users",
        run(&["list", "--home", empty.to_str().unwrap()])
    );
    golden!(
        "wrong-password",
        bin()
            .env("CAREVAULT_PASSWORD", "not the password")
            .args(["list", "--home", c.h()])
            .output()
            .unwrap()
    );
    let file = c.backup();
    let bytes = std::fs::read(&file).unwrap();
    let cut = c.root().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    golden!(
        "verify-truncated",
        run(&[
            "verify",
            cut.to_str().unwrap(),
            "--home",
            c.h(),
            "--passphrase-file",
            c.p()
        ])
    );
    golden!(
        "verify-missing-file",
        run(&["verify", "./missing.bin", "--home", c.h()])
    );
    golden!(
        "verify-unknown-id",
        run(&["verify", "no-such-backup", "--home", c.h()])
    );
    golden!(
        "wrong-passphrase",
        bin()
            .env("CAREVAULT_PASSPHRASE", "not the passphrase")
            .args(["verify", file.to_str().unwrap(), "--home", c.h()])
            .output()
            .unwrap()
    );
}

/// One rule for every new backup passphrase, in the core's words (too
/// short, too easy to guess), for backup and rekey; a login password and a
/// backup passphrase are never confused in messages.
#[test]
fn golden_new_passphrase_rule_and_password_file_messages() {
    let c = Clinic::new();
    let weak = c.root().join("weak");
    std::fs::write(&weak, "password\n").unwrap();
    let short = c.root().join("short");
    std::fs::write(&short, "a\n").unwrap();
    golden!(
        "backup-passphrase-too-short",
        run(&[
            "backup",
            "--home",
            c.h(),
            "--passphrase-file",
            short.to_str().unwrap()
        ])
    );
    golden!(
        "backup-passphrase-too-easy",
        run(&[
            "backup",
            "--home",
            c.h(),
            "--passphrase-file",
            weak.to_str().unwrap()
        ])
    );
    let file = c.backup();
    golden!(
        "rekey-new-passphrase-too-easy",
        run(&[
            "rekey",
            file.to_str().unwrap(),
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
            "--new-passphrase-file",
            weak.to_str().unwrap()
        ])
    );
    golden!(
        "password-file-empty",
        bin()
            .env_remove("CAREVAULT_PASSWORD")
            .args(["list", "--home", c.h(), "--password-file", "/dev/null"])
            .output()
            .unwrap()
    );
    golden!(
        "passphrase-file-empty",
        run(&[
            "verify",
            file.to_str().unwrap(),
            "--home",
            c.h(),
            "--passphrase-file",
            "/dev/null"
        ])
    );
    // Nothing was made by the refused backups: only c.backup()'s file.
    let listed = json(&run(&["--json", "list", "--home", c.h()]));
    assert_eq!(
        listed["backups"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}

/// Item 15: `list` (and so `restore`, which names backups the same way)
/// looks in Downloads too and on attached USB drives or SD cards, and
/// "Found On" says where each file was found.
#[test]
fn golden_list_says_where_each_backup_was_found() {
    let c = Clinic::new();
    let file = c.backup();
    let downloads = c.home.join("Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::rename(&file, downloads.join(file.file_name().unwrap())).unwrap();
    golden!("list-found-in-downloads", run(&["list", "--home", c.h()]));
}
