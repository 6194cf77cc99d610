//! The `carevault` binary as people and scripts meet it, one test binary:
//! each module is one behaviour (the everyday commands, golden text, roles,
//! trust, operations, the audit trail, the SanteDB import, interoperability
//! with the standard tools, a second implementation of the format, the
//! app's latency during backups).

#[path = "../support/mod.rs"]
mod support;

mod audit_list;
mod commands;
mod front_ends;
mod golden;
mod golden_fr;
mod import_cli;
mod interop;
mod operations;
mod roles;
mod second_implementation;
mod trust;
mod writer_latency;

/// The shared test kit finds the binary from the running test's path (a
/// library cannot read `CARGO_BIN_EXE_carevault` for its callers): it must
/// be the very file Cargo built for these tests.
#[test]
fn testkit_bin_is_the_binary_cargo_built_for_these_tests() {
    assert_eq!(
        carevault_testkit::bin_path(),
        std::path::Path::new(env!("CARGO_BIN_EXE_carevault"))
    );
}
