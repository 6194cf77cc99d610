//! The errors every part of the import shares: a damaged, incomplete or
//! refused SanteDB file, and an operating-system error while doing
//! something. They are the core's shorthands (`carevault_core::error`),
//! named for what they mean here; each `what` is a `santedb-...` message.

use carevault_core::error::{corrupted, truncated, unsafe_archive};
use carevault_core::i18n::Text;
use carevault_core::Error;
use std::path::Path;

/// The backup file is damaged: `what` says how.
pub fn damaged(what: Text) -> Error {
    corrupted(what)
}

/// The backup file ends early: `what` says where.
pub fn incomplete(what: Text) -> Error {
    truncated(what)
}

/// The file holds an entry that is refused: `what` says which.
pub fn refused(what: Text) -> Error {
    unsafe_archive(what)
}

/// An operating-system error while doing `what` (a `santedb-doing-...`
/// message) on `path`.
pub fn io(what: Text, path: impl AsRef<Path>, err: std::io::Error) -> Error {
    Error::io(what, path, err)
}
