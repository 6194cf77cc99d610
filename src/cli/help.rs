//! `--help` in the process's language. In English the command tree is
//! clap's, unchanged. In French every text clap prints comes from the
//! catalogue: the program's and each command's description, each option's
//! and argument's help, the headings, `[default: ...]`, and clap's built-in
//! `--help`, `--version` and `help` texts. Clap's messages about bad
//! arguments (`error: unexpected argument ...`) stay clap's, in English.

use carevault_core::i18n::{current, t, Lang, Text};
use clap::{Arg, Command};

/// The command tree with its help in the process's language (in English
/// the doc comments are used as they are).
pub fn localise(cmd: Command) -> Command {
    localise_in(cmd, current())
}

/// The command tree with its help in `lang`.
fn localise_in(mut cmd: Command, lang: Lang) -> Command {
    if lang == Lang::En {
        return cmd;
    }
    // Built first so that clap's own arguments (`--help`, `--version`), the
    // `help` subcommand and the global options copied into every subcommand
    // exist and can be given their French text too.
    cmd.build();
    let words = Words {
        lang,
        template: template(lang),
        commands: fixed(t!("cli-help-heading-commands"), lang),
        command: fixed(t!("cli-help-value-command"), lang),
        arguments: fixed(t!("cli-help-heading-arguments"), lang),
        options: fixed(t!("cli-help-heading-options"), lang),
    };
    walk(cmd, "", &words)
}

/// Clap's own words in the process's language, rendered once.
struct Words {
    lang: Lang,
    template: String,
    commands: &'static str,
    command: &'static str,
    arguments: &'static str,
    options: &'static str,
}

/// The help template: clap's default, with the usage heading in the
/// process's language (clap writes "Usage:" itself otherwise).
fn template(lang: Lang) -> String {
    format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        t!("cli-help-usage").render(lang)
    )
}

fn walk(cmd: Command, parent: &str, words: &Words) -> Command {
    let path = if parent.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{parent} {}", cmd.get_name())
    };
    // Under clap's `help` subcommand are copies of the commands (what
    // `carevault help help` lists): "carevault help users add" is described
    // as "carevault users add" is.
    let cmd = match about(&path.replace(" help ", " ")) {
        Some(text) => cmd.about(text.render(words.lang)).long_about(None),
        None if cmd.get_name() == "help" => cmd.about(t!("cli-help-about-help").render(words.lang)),
        None => cmd,
    };
    let options: Vec<String> = cmd
        .get_arguments()
        .filter(|a| !a.is_positional())
        .map(|a| a.get_id().to_string())
        .collect();
    let mut cmd = cmd
        .help_template(words.template.clone())
        .subcommand_help_heading(words.commands)
        .subcommand_value_name(words.command)
        .mut_args(|arg| localise_arg(&path, arg, words));
    // Clap prints the headings in the order of the arguments that carry
    // them; moving the options after the positionals keeps its order
    // (`Arguments` before `Options`). `mut_arg` puts the argument last.
    for id in options {
        cmd = cmd.mut_arg(id, |a| a);
    }
    cmd.mut_subcommands(|sub| walk(sub, &path, words))
}

/// A text rendered once for the life of the process. Clap (without its
/// `string` feature) takes headings and value names only as `&'static str`;
/// the tree is localised once per run, so these few bytes are never freed.
fn fixed(text: Text, lang: Lang) -> &'static str {
    Box::leak(text.render(lang).into_boxed_str())
}

/// One argument in the process's language: its help from the catalogue,
/// its heading (clap's "Arguments"/"Options" are fixed words: every argument
/// gets a heading of its own kind, which clap prints in the same order), its
/// default value shown as `[par défaut : ...]`.
fn localise_arg(path: &str, arg: Arg, words: &Words) -> Arg {
    let mut help = match arg_help(path, arg.get_id().as_str()) {
        Some(text) => text.render(words.lang),
        None => match arg.get_help() {
            Some(h) => h.to_string(),
            None => String::new(),
        },
    };
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let shows_default = !defaults.is_empty()
        && !arg.is_hide_default_value_set()
        && arg.get_num_args().is_none_or(|n| n.takes_values());
    if shows_default {
        let value = defaults.join(" ");
        let spec = t!("cli-help-default", value = value).render(words.lang);
        help = if help.is_empty() {
            spec
        } else {
            format!("{help} {spec}")
        };
    }
    let heading = if arg.is_positional() {
        words.arguments
    } else {
        words.options
    };
    let arg = arg
        .help_heading(heading)
        .hide_default_value(true)
        .long_help(None);
    if help.is_empty() {
        arg
    } else {
        arg.help(help)
    }
}

/// The help of argument `id` (clap's ID: the field name) of the command at
/// `path`; one message per distinct text, shared where commands share it.
fn arg_help(path: &str, id: &str) -> Option<Text> {
    let cmd = path.strip_prefix("carevault").unwrap_or(path).trim_start();
    Some(match (cmd, id) {
        (_, "help") => t!("cli-arg-help"),
        (_, "version") => t!("cli-arg-version"),
        (_, "json") => t!("cli-arg-json"),
        (_, "user") => t!("cli-arg-user"),
        (_, "password_file") => t!("cli-arg-password-file"),
        ("demo init", "home") => t!("cli-arg-demo-init-home"),
        ("demo sync" | "demo write", "home") => t!("cli-arg-demo-home"),
        (_, "home") => t!("cli-arg-home"),
        (_, "dirs") => t!("cli-arg-in"),
        (_, "media") => t!("cli-arg-media"),
        (_, "backup") => t!("cli-arg-backup"),
        ("backup", "passphrase_file") => t!("cli-arg-backup-passphrase-file"),
        ("import santedb", "passphrase_file") => t!("cli-arg-santedb-passphrase-file"),
        (_, "passphrase_file") => t!("cli-arg-passphrase-file"),
        (_, "identity") => t!("cli-arg-identity"),
        (_, "wait_sync") => t!("cli-arg-wait-sync"),
        ("keygen" | "trust facility-key", "out") => t!("cli-arg-out"),
        ("demo", "dir") => t!("cli-arg-demo-dir"),
        ("demo", "patients") => t!("cli-arg-demo-patients"),
        ("demo", "photos") => t!("cli-arg-demo-photos"),
        ("demo sync", "seconds") => t!("cli-arg-demo-seconds"),
        ("demo write", "rate") => t!("cli-arg-demo-rate"),
        ("demo write", "max") => t!("cli-arg-demo-max"),
        ("backup", "to") => t!("cli-arg-backup-to"),
        ("backup", "label") => t!("cli-arg-backup-label"),
        ("backup", "medium") => t!("cli-arg-backup-medium"),
        ("backup", "no_encrypt") => t!("cli-arg-backup-no-encrypt"),
        ("backup", "recovery_key") => t!("cli-arg-backup-recovery-key"),
        ("backup", "no_verify") => t!("cli-arg-backup-no-verify"),
        ("restore", "dry_run") => t!("cli-arg-restore-dry-run"),
        ("restore", "yes") => t!("cli-arg-restore-yes"),
        ("restore", "full_check") => t!("cli-arg-restore-full-check"),
        ("show", "contents") => t!("cli-arg-show-contents"),
        ("rekey", "new_passphrase_file") => t!("cli-arg-rekey-new-passphrase-file"),
        ("users add", "role") => t!("cli-arg-users-role"),
        ("safety-copies restore" | "safety-copies remove", "name") => {
            t!("cli-arg-safety-copy-name")
        }
        ("trust add", "key") => t!("cli-arg-trust-key"),
        ("trust add", "name") => t!("cli-arg-trust-name"),
        ("trust add", "facility") => t!("cli-arg-trust-facility"),
        ("trust certify", "facility_key") => t!("cli-arg-trust-facility-key"),
        ("trust remove", "key") => t!("cli-arg-trust-remove-key"),
        ("serve", "listen") => t!("cli-arg-serve-listen"),
        ("serve", "max_upload") => t!("cli-arg-serve-max-upload"),
        ("import santedb", "file") => t!("cli-arg-santedb-file"),
        ("import santedb", "to") => t!("cli-arg-santedb-to"),
        ("import santedb", "label") => t!("cli-arg-santedb-label"),
        ("import santedb", "encrypt_with_passphrase_file") => {
            t!("cli-arg-santedb-encrypt-with-passphrase-file")
        }
        ("import santedb", "no_encrypt") => t!("cli-arg-santedb-no-encrypt"),
        ("import santedb", "recovery_key") => t!("cli-arg-santedb-recovery-key"),
        ("import santedb", "dry_run") => t!("cli-arg-santedb-dry-run"),
        ("offsite push", "ids") => t!("cli-arg-offsite-push-ids"),
        ("offsite push", "all") => t!("cli-arg-offsite-push-all"),
        ("offsite list", "device") => t!("cli-arg-offsite-list-device"),
        ("offsite get", "id") => t!("cli-arg-offsite-get-id"),
        ("offsite get", "to") => t!("cli-arg-offsite-get-to"),
        ("offsite get", "device") => t!("cli-arg-offsite-get-device"),
        ("offsite check-bucket", "store") => t!("cli-arg-check-bucket-store"),
        ("offsite check-bucket", "config") => t!("cli-arg-check-bucket-config"),
        ("fleet" | "fleet audit" | "fleet serve", "store") => t!("cli-arg-fleet-store"),
        ("fleet" | "fleet audit" | "fleet serve", "config") => t!("cli-arg-fleet-config"),
        ("fleet" | "fleet serve", "index") => t!("cli-arg-fleet-index"),
        ("fleet" | "fleet serve", "days") => t!("cli-arg-fleet-days"),
        ("fleet serve", "listen") => t!("cli-arg-fleet-serve-listen"),
        ("fleet serve", "token_file") => t!("cli-arg-fleet-serve-token-file"),
        ("fleet", "full") => t!("cli-arg-fleet-full"),
        ("fleet audit", "sample") => t!("cli-arg-fleet-audit-sample"),
        _ => return None,
    })
}

/// The description of the command at `path` ("carevault users add").
fn about(path: &str) -> Option<Text> {
    Some(match path {
        "carevault" => t!("cli-about"),
        "carevault demo" => t!("cli-about-demo"),
        "carevault demo init" => t!("cli-about-demo-init"),
        "carevault demo sync" => t!("cli-about-demo-sync"),
        "carevault demo write" => t!("cli-about-demo-write"),
        "carevault backup" => t!("cli-about-backup"),
        "carevault verify" => t!("cli-about-verify"),
        "carevault restore" => t!("cli-about-restore"),
        "carevault list" => t!("cli-about-list"),
        "carevault show" => t!("cli-about-show"),
        "carevault delete" => t!("cli-about-delete"),
        "carevault rekey" => t!("cli-about-rekey"),
        "carevault users" => t!("cli-about-users"),
        "carevault users add" => t!("cli-about-users-add"),
        "carevault users list" => t!("cli-about-users-list"),
        "carevault users passwd" => t!("cli-about-users-passwd"),
        "carevault users role" => t!("cli-about-users-role"),
        "carevault audit" => t!("cli-about-audit"),
        "carevault audit list" => t!("cli-about-audit-list"),
        "carevault audit verify" => t!("cli-about-audit-verify"),
        "carevault safety-copies" => t!("cli-about-safety-copies"),
        "carevault safety-copies list" => t!("cli-about-safety-copies-list"),
        "carevault safety-copies restore" => t!("cli-about-safety-copies-restore"),
        "carevault safety-copies remove" => t!("cli-about-safety-copies-remove"),
        "carevault trust" => t!("cli-about-trust"),
        "carevault trust add" => t!("cli-about-trust-add"),
        "carevault trust facility-key" => t!("cli-about-trust-facility-key"),
        "carevault trust certify" => t!("cli-about-trust-certify"),
        "carevault trust list" => t!("cli-about-trust-list"),
        "carevault trust remove" => t!("cli-about-trust-remove"),
        "carevault sync" => t!("cli-about-sync"),
        "carevault sync status" => t!("cli-about-sync-status"),
        "carevault status" => t!("cli-about-status"),
        "carevault auto" => t!("cli-about-auto"),
        "carevault serve" => t!("cli-about-serve"),
        "carevault import" => t!("cli-about-import"),
        "carevault import santedb" => t!("cli-about-import-santedb"),
        "carevault offsite" => t!("cli-about-offsite"),
        "carevault offsite push" => t!("cli-about-offsite-push"),
        "carevault offsite status" => t!("cli-about-offsite-status"),
        "carevault offsite list" => t!("cli-about-offsite-list"),
        "carevault offsite get" => t!("cli-about-offsite-get"),
        "carevault offsite check-bucket" => t!("cli-about-offsite-check-bucket"),
        "carevault fleet" => t!("cli-about-fleet"),
        "carevault fleet audit" => t!("cli-about-fleet-audit"),
        "carevault fleet serve" => t!("cli-about-fleet-serve"),
        "carevault keygen" => t!("cli-about-keygen"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn visit(cmd: &Command, parent: &str, out: &mut Vec<(String, String)>) {
        let path = if parent.is_empty() {
            cmd.get_name().to_string()
        } else {
            format!("{parent} {}", cmd.get_name())
        };
        let shown = cmd
            .get_long_about()
            .or(cmd.get_about())
            .map(|s| s.to_string())
            .unwrap_or_default();
        out.push((path.clone(), shown));
        for sub in cmd.get_subcommands() {
            visit(sub, &path, out);
        }
    }

    /// Every command has its description in the catalogue, and the English
    /// message is the doc comment clap shows (so English help is unchanged
    /// and a new command cannot be left without a French description).
    #[test]
    fn every_command_description_is_in_the_catalogue_and_english_matches_the_doc_comment() {
        let mut all = Vec::new();
        visit(&super::super::args::Cli::command(), "", &mut all);
        assert!(all.len() > 40, "{all:?}");
        let wrong: Vec<String> = all
            .iter()
            .filter_map(|(path, shown)| match about(path) {
                None => Some(format!("{path}: no message")),
                Some(t) if t.render(Lang::En) != *shown => Some(format!(
                    "{path}: catalogue {:?}, clap {shown:?}",
                    t.render(Lang::En)
                )),
                Some(_) => None,
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// In French the descriptions clap prints are the catalogue's French.
    #[test]
    fn french_help_shows_the_french_descriptions() {
        let cmd = localise_in(super::super::args::Cli::command(), Lang::Fr);
        assert_eq!(
            cmd.get_about().map(|s| s.to_string()),
            Some(t!("cli-about").render(Lang::Fr))
        );
        let backup = cmd.find_subcommand("backup").expect("backup");
        assert_eq!(
            backup.get_about().map(|s| s.to_string()),
            Some(t!("cli-about-backup").render(Lang::Fr))
        );
        assert_ne!(
            t!("cli-about-backup").render(Lang::Fr),
            t!("cli-about-backup").render(Lang::En)
        );
    }

    /// Every option's and argument's help (clap's `--help` and `--version`
    /// included) has its message, and the English message is what clap
    /// shows; an argument without help has no message. So English help is
    /// unchanged and a new option cannot be left without French help.
    #[test]
    fn every_argument_help_is_in_the_catalogue_and_english_matches_the_doc_comment() {
        fn args(cmd: &Command, parent: &str, out: &mut Vec<(String, String, Option<String>)>) {
            let path = if parent.is_empty() {
                cmd.get_name().to_string()
            } else {
                format!("{parent} {}", cmd.get_name())
            };
            for arg in cmd.get_arguments() {
                let shown = arg
                    .get_long_help()
                    .or(arg.get_help())
                    .map(|s| s.to_string());
                out.push((path.clone(), arg.get_id().to_string(), shown));
            }
            for sub in cmd.get_subcommands() {
                args(sub, &path, out);
            }
        }
        let mut cmd = super::super::args::Cli::command();
        cmd.build();
        let mut all = Vec::new();
        args(&cmd, "", &mut all);
        assert!(
            all.iter().filter(|(_, _, h)| h.is_some()).count() > 250,
            "{all:?}"
        );
        let wrong: Vec<String> = all
            .iter()
            .filter_map(|(path, id, shown)| match (arg_help(path, id), shown) {
                (None, None) => None,
                (None, Some(_)) => Some(format!("{path} {id}: no message")),
                (Some(t), None) => Some(format!(
                    "{path} {id}: message {:?} but clap has no help",
                    t.render(Lang::En)
                )),
                (Some(t), Some(shown)) if t.render(Lang::En) != *shown => Some(format!(
                    "{path} {id}: catalogue {:?}, clap {shown:?}",
                    t.render(Lang::En)
                )),
                (Some(_), Some(_)) => None,
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// The English of clap's own words in the catalogue is clap's, so the
    /// two languages say the same thing.
    #[test]
    fn clap_words_in_english_are_clap_s() {
        let mut cmd = super::super::args::Cli::command();
        let help = cmd.render_help().to_string();
        for (id, word) in [
            ("cli-help-usage", "Usage:"),
            ("cli-help-heading-commands", "Commands:"),
            ("cli-help-heading-options", "Options:"),
            ("cli-help-value-command", "<COMMAND>"),
            ("cli-help-about-help", "Print this message or the help"),
        ] {
            let english = carevault_i18n::message(Lang::En, id).expect(id);
            assert!(
                help.contains(english.as_str()),
                "{id}: {english:?} not in {help}"
            );
            assert!(help.contains(word), "{word:?} not in {help}");
        }
        let mut restore = super::super::args::Cli::command();
        restore.build();
        let restore = restore.find_subcommand_mut("restore").expect("restore");
        let help = restore.render_help().to_string();
        assert!(help.contains("\nArguments:\n"), "{help}");
        assert_eq!(
            carevault_i18n::message(Lang::En, "cli-help-heading-arguments").as_deref(),
            Some("Arguments")
        );
        assert!(
            help.contains(&t!("cli-help-default", value = ".").render(Lang::En)),
            "{help}"
        );
    }

    /// The French help of the program, `backup` and `restore`: no English
    /// heading, option text or built-in text left. Option names, value
    /// placeholders (`<FILE>`), `[OPTIONS]`, env names, command names, code
    /// in backquotes and the title of a docs section (in « ») are the same in
    /// both languages and are skipped.
    #[test]
    fn french_help_of_the_main_commands_has_no_english_left() {
        const ENGLISH: &[&str] = &[
            "Usage",
            "Commands",
            "Print",
            "Read",
            "Write",
            "Make",
            "Show",
            "Only",
            "Also",
            "Wait",
            "Replace",
            "Run",
            "Skip",
            "Unlock",
            "Log",
            "the",
            "this",
            "from",
            "with",
            "and",
            "of",
            "to",
            "instead",
            "default",
            "that",
            "when",
            "else",
            "prompt",
            "folder",
            "file",
            "user",
            "password",
            "passphrase",
            "medium",
            "backup",
            "label",
            "listings",
            "given",
            "subcommand",
            "results",
            "happen",
            "change",
            "nothing",
            "asking",
            "every",
            "recovery",
            "key",
            "seconds",
            "running",
            "synchronization",
            "shown",
            "whole",
            "restored",
            "database",
        ];
        let mut cmd = localise_in(super::super::args::Cli::command(), Lang::Fr);
        let mut helps = vec![cmd.render_help().to_string()];
        for name in ["backup", "restore"] {
            let sub = cmd.find_subcommand_mut(name).expect(name);
            helps.push(sub.render_help().to_string());
        }
        for help in &helps {
            let mut left = Vec::new();
            let usage = t!("cli-help-usage").render(Lang::Fr);
            // The usage line is syntax: the program, the command, `[OPTIONS]`.
            for line in help.lines().filter(|l| !l.starts_with(usage.as_str())) {
                // A section of the (English) docs is named as it is, in « ».
                let line = match (line.find('«'), line.find('»')) {
                    (Some(a), Some(b)) if a < b => format!("{}{}", &line[..a], &line[b..]),
                    _ => line.to_string(),
                };
                let line = line.as_str();
                // In the list of commands, the first word is a command name.
                let words: Vec<&str> = line.split_whitespace().collect();
                let skip_first = line.starts_with("  ") && !line.trim_start().starts_with('-');
                for (i, word) in words.iter().enumerate() {
                    let literal = ['-', '<', '[', '`'].iter().any(|c| word.starts_with(*c))
                        || word.ends_with('`')
                        || word.contains('/')
                        || word.contains('_');
                    if literal || (i == 0 && skip_first) {
                        continue;
                    }
                    for part in word.split(|c: char| !c.is_alphanumeric()) {
                        if ENGLISH.contains(&part) {
                            left.push(format!("{part} (in {line:?})"));
                        }
                    }
                }
            }
            assert!(left.is_empty(), "English left: {left:?}\n{help}");
            assert!(help.contains("Utilisation : carevault"), "{help}");
            assert!(help.contains("\nOptions :\n"), "{help}");
            assert!(
                help.contains(&t!("cli-arg-help").render(Lang::Fr)),
                "{help}"
            );
        }
        assert!(helps[0].contains("\nCommandes :\n"), "{}", helps[0]);
        assert!(
            helps[0].contains(&t!("cli-arg-json").render(Lang::Fr)),
            "{}",
            helps[0]
        );
        assert!(
            helps[0].contains(&t!("cli-arg-version").render(Lang::Fr)),
            "{}",
            helps[0]
        );
        assert!(
            helps[0].contains(&t!("cli-help-about-help").render(Lang::Fr)),
            "{}",
            helps[0]
        );
        assert!(helps[1].contains("[par défaut : private]"), "{}", helps[1]);
        assert!(
            helps[1].contains(&t!("cli-arg-backup-no-verify").render(Lang::Fr)),
            "{}",
            helps[1]
        );
        assert!(
            helps[2].contains("\nArguments :\n  <BACKUP>"),
            "{}",
            helps[2]
        );
        assert!(
            helps[2].contains(&t!("cli-arg-restore-yes").render(Lang::Fr)),
            "{}",
            helps[2]
        );
        // `carevault help help` lists the commands with their French descriptions.
        let help = cmd.find_subcommand_mut("help").expect("help");
        let listed = help.render_help().to_string();
        assert!(
            listed.contains(&t!("cli-about-backup").render(Lang::Fr)),
            "{listed}"
        );
        assert!(
            !listed.contains(&t!("cli-about-backup").render(Lang::En)),
            "{listed}"
        );
    }
}
