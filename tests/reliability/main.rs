//! Reliability under concurrency, full disks and kills, one test binary
//! (docs/RELIABILITY.md).

#[path = "../reliability_support/mod.rs"]
mod reliability_support;

mod concurrency;
mod full_disk;
mod kill;
