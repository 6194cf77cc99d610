//! The engine's integration tests, one binary: each module is one
//! behaviour (a format property, an operation, a kind of damage or
//! attack). Tests that measure the whole process's memory or writes stay in
//! binaries of their own (`corruption`, `hostile_costs`), so that no other
//! test runs beside them.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod damage;
mod demo;
mod demo_sync;
mod faults;
mod french;
mod french_ops;
mod hostile;
mod live;
mod media;
mod ops;
mod origin_interop;
mod parser;
mod phases;
mod property;
mod provenance;
mod restorable;
mod roundtrip;
mod sealed_check;
mod staged_checks;
mod vectors;
