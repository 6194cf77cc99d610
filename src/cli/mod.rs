//! Command-line layer: arguments, secrets, output, and one function per command.

mod admin;
mod args;
mod check_bucket;
mod commands;
mod demo;
mod fleet;
mod import;
mod offsite;
mod output;
mod progress;
mod safety;
mod secrets;
mod serve;
mod trust;

use clap::Parser;

/// Parses the arguments, runs the command, prints the result; returns the exit code.
pub fn run() -> i32 {
    let args = match args::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let json = args.json;
    match commands::dispatch(args) {
        Ok(()) => 0,
        Err(e) => {
            output::print_error(&e, json);
            e.kind().exit_code()
        }
    }
}
