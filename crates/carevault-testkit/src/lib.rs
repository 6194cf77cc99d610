//! Test fixtures shared by the carevault test suites (a dev-dependency
//! only, never shipped):
//! - [`bin`]: the `carevault` binary of this build, with the command
//!   environment every command-line test starts from ([`command_env`]).

mod binary;

pub use binary::{bin, bin_path, command_env};
