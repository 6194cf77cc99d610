//! Test fixtures shared by the carevault test suites (a dev-dependency
//! only, never shipped):
//! - [`bin`]: the `carevault` binary of this build, with the command
//!   environment every command-line test starts from ([`command_env`]);
//! - [`clinic`]: one demo clinic ([`Clinic`]) in a temporary folder, with
//!   the test profile (cheap scrypt, external media under the temporary
//!   folder) and passphrase files of mode 0600, for every test layer;
//! - [`archive`]: tar entries built by hand (headers with their checksum,
//!   GNU long names, PAX records, padding, end blocks) for damaged and
//!   hostile files, what anyone can make with the standard tools.

pub mod archive;
mod binary;
pub mod clinic;
pub mod fleet;

pub use binary::{bin, bin_path, command_env};
pub use clinic::Clinic;
