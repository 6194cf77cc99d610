//! carevault-santedb: reads SanteDB `.bin` backups of every layout SanteDB
//! has written and turns each into a normal, verifiable carevault backup.
//!
//! How the pieces fit:
//! - [`header`] parses the clear headers (magic, .NET ticks, creator, asset
//!   table, IV) and tells the layouts apart; [`assets`] maps asset classes
//!   to paths under `data/`.
//! - [`open`] stacks the layers down to the tar stream: the file, AES-CBC
//!   ([`cbc`]), gzip or bzip2 ([`decomp`]); each layer notes its failures
//!   in one [`diag::Diag`] so that an error names the layer that failed.
//! - [`place`] walks the tar and places every asset in a staging app home;
//!   [`sqlite`] unwraps database envelopes, replays WALs and checks them.
//! - [`import`] runs it all, then makes the carevault backup with the
//!   core's own backup creation, and audits the import.
#![forbid(unsafe_code)]

pub mod assets;
pub mod cbc;
pub mod decomp;
pub mod diag;
pub mod fail;
pub mod header;
pub mod import;
pub mod open;
pub mod place;
pub mod sqlite;

pub use header::Layout;
pub use import::{import, ImportOutcome, ImportRequest, SourceReport};
pub use open::probe;
