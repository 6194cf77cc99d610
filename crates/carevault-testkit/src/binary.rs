//! The `carevault` binary under test and the environment its commands run in.

use std::path::PathBuf;
use std::process::Command;

/// The demo System Administrator every command logs in as by default.
pub const ADMIN_USER: &str = "admin";
/// The demo System Administrator's password.
pub const ADMIN_PASSWORD: &str = "admin-demo-pass";

/// The path of the `carevault` binary of this build.
///
/// Cargo tells only the root crate's integration tests where it put the
/// binary (`CARGO_BIN_EXE_carevault`, at compile time, which a library like
/// this one cannot read for its callers). Every test executable of a build
/// sits in `target/<profile>/deps/` and the binary in `target/<profile>/`,
/// so the binary is found from the running test's own path: the same file
/// `env!("CARGO_BIN_EXE_carevault")` names in the root crate's tests (the
/// command-line tests check that they agree). A test of another crate
/// needs it built first (`cargo build --bin carevault`); a missing binary
/// fails the test, it never runs another one from the `PATH`.
pub fn bin_path() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the running test");
    let deps = exe.parent().expect("folder of the running test");
    let profile_dir = if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().expect("target profile folder")
    } else {
        deps
    };
    let path = profile_dir.join(format!("carevault{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the carevault binary is not at {} (build it: cargo build --bin carevault)",
        path.display()
    );
    path
}

/// Sets the environment every command-line test starts from: English
/// whatever the developer's locale (the tests read English text; a French
/// test sets `LANG` itself), no passphrase or home inherited from the
/// shell, and the demo System Administrator's login (a test acting as
/// someone else sets `CAREVAULT_USER` and `CAREVAULT_PASSWORD` itself).
pub fn command_env(c: &mut Command) -> &mut Command {
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env_remove("CAREVAULT_PASSPHRASE")
        .env_remove("CAREVAULT_NEW_PASSPHRASE")
        .env_remove("CAREVAULT_HOME")
        .env("CAREVAULT_USER", ADMIN_USER)
        .env("CAREVAULT_PASSWORD", ADMIN_PASSWORD)
}

/// The `carevault` binary of this build ([`bin_path`]) in the test
/// environment ([`command_env`]).
pub fn bin() -> Command {
    let mut c = Command::new(bin_path());
    command_env(&mut c);
    c
}
