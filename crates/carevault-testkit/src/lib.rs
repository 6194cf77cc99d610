//! Test fixtures shared by the carevault test suites (a dev-dependency
//! only, never shipped):
//! - [`bin`]: the `carevault` binary of this build, with the command
//!   environment every command-line test starts from ([`command_env`]);
//! - [`archive`]: tar entries built by hand (headers with their checksum,
//!   GNU long names, PAX records, padding, end blocks) for damaged and
//!   hostile files, what anyone can make with the standard tools.

pub mod archive;
mod binary;

pub use binary::{bin, bin_path, command_env};
