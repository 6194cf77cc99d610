//! Command-line layer: arguments, secrets, output, and one function per command.

mod admin;
mod args;
mod check_bucket;
mod commands;
mod demo;
mod fleet;
mod help;
mod import;
mod listen;
mod offsite;
mod offsite_uploads;
mod output;
mod progress;
mod safety;
mod secrets;
mod serve;
mod trust;

use carevault_core::i18n::{set_current, Lang};
use carevault_core::profile::Profile;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use std::path::PathBuf;

/// Parses the arguments, runs the command, prints the result; returns the exit code.
pub fn run() -> i32 {
    // The environment's language first (LC_ALL, LC_MESSAGES, LANG): the
    // help and any error before the home is known speak it.
    set_current(Lang::from_env().unwrap_or_default());
    let parsed = help::localise(args::Cli::command())
        .try_get_matches()
        .and_then(|m| args::Cli::from_arg_matches(&m).map(|a| (m, a)));
    let (matches, args) = match parsed {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    // Then the profile's `[ui] language`, when the command names a home
    // whose profile names one. A profile that cannot be read is left to
    // the command, which reports it in the environment's language.
    if let Some(lang) = home_of(&matches)
        .and_then(|h| Profile::load(&h).ok())
        .and_then(|p| p.language())
    {
        set_current(lang);
    }
    let json = args.json;
    match commands::dispatch(args) {
        Ok(()) => 0,
        Err(e) => {
            output::print_error(&e, json);
            e.kind().exit_code()
        }
    }
}

/// The app home the command works on (`--home`, CAREVAULT_HOME or its
/// default), if it takes one.
fn home_of(matches: &ArgMatches) -> Option<PathBuf> {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m.try_get_one::<PathBuf>("home").ok().flatten().cloned()
}
