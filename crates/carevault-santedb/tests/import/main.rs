//! Reading SanteDB backups, one test binary: a module per behaviour (round
//! trips of every layout, damage, hostile files, the standard tools).

#[path = "../common/mod.rs"]
mod common;

mod damage;
mod french;
mod hostile;
mod interop;
mod roundtrip;
