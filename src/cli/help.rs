//! `--help` in the process's language: the one-line description of the
//! program and of each command comes from the catalogue. The options' help
//! and clap's own words ("Usage:", "Options:", its errors) stay English.

use carevault_core::i18n::{current, t, Lang, Text};
use clap::Command;

/// The command tree with each command's description in the process's
/// language (in English the doc comments are used as they are).
pub fn localise(cmd: Command) -> Command {
    if current() == Lang::En {
        return cmd;
    }
    walk(cmd, "")
}

fn walk(cmd: Command, parent: &str) -> Command {
    let path = if parent.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{parent} {}", cmd.get_name())
    };
    let cmd = match about(&path) {
        Some(text) => cmd.about(text.text()).long_about(None),
        None => cmd,
    };
    cmd.mut_subcommands(|sub| walk(sub, &path))
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
        carevault_core::i18n::set_current(Lang::Fr);
        let cmd = localise(super::super::args::Cli::command());
        carevault_core::i18n::set_current(Lang::En);
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
}
