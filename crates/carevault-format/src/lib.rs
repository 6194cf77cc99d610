//! carevault-format: the backup file format, as data. Nothing here reads
//! or writes a file, starts a thread or looks at the clock: parsing works
//! on bytes already read, so that a reader of a local file, of an object
//! in storage or a fuzzer drives the same rules. `docs/FORMAT.md` is the
//! written specification of everything in this crate.
//!
//! - [`limits`]: every limit of the format, in one place.
//! - [`container`]: the outer tar container (names, headers, [`Layout`]),
//!   and [`parser`], a push parser that finds its parts in the bytes it is
//!   fed (`Parser::feed(&[u8]) -> Step`) with every rule of the layout.
//! - [`entries`]: the rules for the payload's tar entries (long names,
//!   PAX records, name lengths, what may follow the end), as a state
//!   machine fed the raw tar headers.
//! - [`metadata`], [`manifest`], [`origin`]: the readable metadata, the
//!   manifest and the signed origin record, with their checks, and
//!   [`kinds`], their typed values (key-slot and entry kinds, the medium,
//!   the creation time).
//! - [`error`]: what a rule refuses, typed. The core (`carevault-core`)
//!   depends on this crate, so these modules cannot return the core's
//!   `Error`; each refusal names its kind and carries its message, and the
//!   core converts it into its own error with the same kind, message and
//!   advice.
//!
//! [`Layout`]: container::Layout

pub mod container;
pub mod entries;
pub mod error;
pub mod kinds;
pub mod limits;
pub mod manifest;
pub mod metadata;
pub mod origin;
pub mod parser;

pub use error::{Error, Result};

/// Name of the format, written into every backup.
pub const FORMAT_NAME: &str = "carevault-backup";
/// The format version this build writes.
pub const FORMAT_VERSION: u32 = 1;
/// The newest format version this build reads.
pub const NEWEST_READABLE: u32 = 1;
