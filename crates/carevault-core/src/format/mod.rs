//! The backup file format, as data: the readable metadata, the manifest and
//! the outer container's layout. Parsing here works on bytes already read;
//! the streaming I/O lives in `crate::archive`. `docs/FORMAT.md` is the
//! written specification of everything in this module.

pub mod container;
pub mod limits;
pub mod manifest;
pub mod metadata;
pub mod origin;

/// Name of the format, written into every backup.
pub const FORMAT_NAME: &str = "carevault-backup";
/// The format version this build writes.
pub const FORMAT_VERSION: u32 = 1;
/// The newest format version this build reads.
pub const NEWEST_READABLE: u32 = 1;
