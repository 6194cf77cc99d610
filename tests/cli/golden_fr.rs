//! The command line in French: golden cases of the everyday commands under
//! a French locale, and the profile's `[ui] language` winning over the
//! locale both ways. Messages that come from the library are pinned as they
//! are rendered today; the snapshots follow the catalogue. Update with
//! `INSTA_UPDATE=always cargo test --test cli golden_fr` and review the
//! diff of `tests/cli/snapshots/fr-*.snap`.

use super::golden::{settings, shown};
use crate::support::*;
use carevault_i18n::{message, Lang};
use std::process::{Command, Output};

macro_rules! golden {
    ($name:expr, $out:expr) => {
        settings().bind(|| insta::assert_snapshot!($name, shown(&$out)))
    };
}

/// The binary under `lang` (LANG only: LC_ALL and LC_MESSAGES removed).
fn with_lang(lang: &str) -> Command {
    let mut c = bin();
    c.env("LANG", lang);
    c
}

fn run_in(lang: &str, args: &[&str]) -> Output {
    with_lang(lang).args(args).output().expect("run carevault")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The catalogue's message `id` in `lang` (messages without arguments).
fn msg(lang: Lang, id: &str) -> String {
    message(lang, id).unwrap_or_else(|| panic!("{id} is not in the {lang} catalogue"))
}

/// Appends `[ui] language = "…"` to the clinic's profile.
fn set_profile_language(c: &Clinic, lang: &str) {
    let path = c.home.join("carevault.toml");
    let mut profile = std::fs::read_to_string(&path).unwrap();
    profile.push_str(&format!("[ui]\nlanguage = \"{lang}\"\n"));
    std::fs::write(&path, profile).unwrap();
}

const FR: &str = "fr_FR.UTF-8";

#[test]
fn french_locale_gives_french_text_for_the_everyday_commands_and_their_failures() {
    let c = Clinic::new();
    let list_empty = run_in(FR, &["list", "--home", c.h()]);
    assert_eq!(stdout(&list_empty).trim(), msg(Lang::Fr, "cli-list-none"));
    golden!("fr-list-empty", list_empty);
    let backup = run_in(
        FR,
        &[
            "backup",
            "--home",
            c.h(),
            "--no-encrypt",
            "--label",
            "weekly",
        ],
    );
    assert!(
        stdout(&backup).starts_with("Sauvegarde terminée : weekly ("),
        "{}",
        stdout(&backup)
    );
    golden!("fr-backup-unencrypted", backup);
    let list = run_in(FR, &["list", "--home", c.h()]);
    assert!(
        stdout(&list).starts_with(&msg(Lang::Fr, "cli-list-col-label")),
        "{}",
        stdout(&list)
    );
    golden!("fr-list-one", list);
    let status = run_in(FR, &["status", "--home", c.h()]);
    assert!(
        stdout(&status).starts_with("Synchronisation  Inactif\n"),
        "{}",
        stdout(&status)
    );
    golden!("fr-status", status);
    golden!("fr-show", run_in(FR, &["show", "weekly", "--home", c.h()]));
    golden!(
        "fr-verify-ok",
        run_in(FR, &["verify", "weekly", "--home", c.h()])
    );

    // A damaged file: cut in half, then verified.
    let file = c.backup();
    let bytes = std::fs::read(&file).unwrap();
    let cut = c.root().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let verify = run_in(
        FR,
        &[
            "verify",
            cut.to_str().unwrap(),
            "--home",
            c.h(),
            "--passphrase-file",
            c.p(),
        ],
    );
    assert_eq!(verify.status.code(), Some(5), "{}", stderr(&verify));
    assert!(
        stderr(&verify).starts_with("erreur : ") && stderr(&verify).contains("\n  que faire : "),
        "{}",
        stderr(&verify)
    );
    golden!("fr-verify-truncated", verify);

    let missing = c.root().join("no-such-home");
    let wrong_home = run_in(FR, &["list", "--home", missing.to_str().unwrap()]);
    assert_eq!(wrong_home.status.code(), Some(3), "{}", stderr(&wrong_home));
    assert!(
        stderr(&wrong_home).starts_with("erreur : "),
        "{}",
        stderr(&wrong_home)
    );
    golden!("fr-wrong-home", wrong_home);
}

#[test]
fn profile_language_fr_wins_over_an_english_locale() {
    let c = Clinic::new();
    set_profile_language(&c, "fr");
    let out = run_in("en_US.UTF-8", &["status", "--home", c.h()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Synchronisation  Inactif\n"),
        "{}",
        stdout(&out)
    );
    golden!("fr-profile-over-lang-en", out);
    // LC_ALL outranks LANG in the environment, but not the profile.
    let out = with_lang("en_US.UTF-8")
        .env("LC_ALL", "en_US.UTF-8")
        .args(["list", "--home", c.h()])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), msg(Lang::Fr, "cli-list-none"));
}

#[test]
fn profile_language_en_wins_over_a_french_locale() {
    let c = Clinic::new();
    set_profile_language(&c, "en");
    let out = run_in(FR, &["status", "--home", c.h()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Synchronization  Idle\n"),
        "{}",
        stdout(&out)
    );
    golden!("fr-profile-en-over-lang-fr", out);
    let list = run_in(FR, &["list", "--home", c.h()]);
    assert_eq!(stdout(&list).trim(), msg(Lang::En, "cli-list-none"));
}

#[test]
fn unreadable_profile_reports_its_error_in_the_locale_language() {
    let c = Clinic::new();
    std::fs::write(c.home.join("carevault.toml"), "[ui\nlanguage = \"en\"\n").unwrap();
    let out = run_in(FR, &["list", "--home", c.h()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("erreur : ") && stderr(&out).contains("carevault.toml"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

#[test]
fn lc_messages_outranks_lang_and_c_locale_is_english() {
    let c = Clinic::new();
    let out = with_lang("en_US.UTF-8")
        .env("LC_MESSAGES", FR)
        .args(["list", "--home", c.h()])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), msg(Lang::Fr, "cli-list-none"));
    let out = with_lang(FR)
        .env("LC_ALL", "C")
        .args(["list", "--home", c.h()])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), msg(Lang::En, "cli-list-none"));
}

#[test]
fn french_locale_gives_french_command_descriptions_in_help() {
    let out = run_in(FR, &["--help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&msg(Lang::Fr, "cli-about")), "{text}");
    assert!(text.contains(&msg(Lang::Fr, "cli-about-backup")), "{text}");
    golden!("fr-help", out);
    // English help is the doc comments, unchanged.
    let en = run(&["--help"]);
    assert!(
        stdout(&en).starts_with(&msg(Lang::En, "cli-about")),
        "{}",
        stdout(&en)
    );
    assert!(!stdout(&en).contains(&msg(Lang::Fr, "cli-about-backup")));
}

/// `carevault backup --help` in French: headings, every option's help, the
/// default value and `--help` itself are French; English is clap's own.
#[test]
fn french_locale_gives_french_option_help_and_headings() {
    let out = run_in(FR, &["backup", "--help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("\nUtilisation : carevault backup [OPTIONS]\n"),
        "{text}"
    );
    assert!(text.contains("\nOptions :\n"), "{text}");
    for id in [
        "cli-arg-backup-no-verify",
        "cli-arg-backup-to",
        "cli-arg-json",
        "cli-arg-help",
    ] {
        assert!(text.contains(&msg(Lang::Fr, id)), "{id}: {text}");
    }
    assert!(text.contains("[par défaut : private]"), "{text}");
    for english in [
        "Usage:",
        "Options:",
        "Print help",
        "[default:",
        "Write to this folder",
    ] {
        assert!(!text.contains(english), "{english:?} left in {text}");
    }
    golden!("fr-backup-help", out);
    // The same help in English is clap's, from the doc comments.
    let en = stdout(&run(&["backup", "--help"]));
    assert!(en.contains("\nUsage: carevault backup [OPTIONS]\n"), "{en}");
    assert!(
        en.contains(&msg(Lang::En, "cli-arg-backup-no-verify")),
        "{en}"
    );
    assert!(en.contains("[default: private]"), "{en}");
    assert!(
        !en.contains(&msg(Lang::Fr, "cli-arg-backup-no-verify")),
        "{en}"
    );
}

/// At a terminal in French, the restore's question is French and names the
/// word to type, `oui`; `oui` restores (and `non` would not).
#[test]
fn french_restore_at_a_terminal_asks_in_french_and_takes_oui() {
    let c = Clinic::new();
    let file = c.backup();
    let mut cmd = with_lang(FR);
    cmd.args([
        "restore",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]);
    let question = msg(Lang::Fr, "cli-confirm-question");
    assert!(question.starts_with("Tapez oui "), "{question}");
    // rexpect reads the terminal byte by byte, one char per byte: wait for
    // the question's ASCII start, and decode what was read as UTF-8.
    let utf8 = |s: String| {
        let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    // A generous bound for a slow machine: the test waits on the prompt
    // itself, not on time.
    let mut s = rexpect::session::spawn_command(cmd, Some(120_000)).unwrap();
    let shown = utf8(s.exp_string("Tapez oui pour restaurer").unwrap());
    assert!(
        shown.contains(&msg(Lang::Fr, "cli-confirm-intro")),
        "{shown}"
    );
    s.send_line("oui").unwrap();
    let rest = utf8(s.exp_eof().unwrap());
    let code = match s.process.wait().unwrap() {
        rexpect::process::wait::WaitStatus::Exited(_, c) => c,
        other => panic!("restore ended with {other:?}"),
    };
    assert_eq!(code, 0, "{shown}{rest}");
    assert!(
        shown.contains(&msg(Lang::Fr, "cli-confirm-safety-copy")),
        "{shown}"
    );
    assert!(rest.contains("Restaurée : "), "{rest}");
    assert!(
        rest.contains(&msg(Lang::Fr, "cli-restore-checks")),
        "{rest}"
    );
}
