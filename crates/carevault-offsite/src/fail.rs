//! The core's error shorthands (`carevault_core::error`), with each `what`
//! an `offsite-...` message.

use carevault_core::error::Error;
use carevault_core::i18n::Text;
use std::path::Path;

/// An operating-system error while doing `what` (an `offsite-doing-...`
/// message) on `path`: a full disk, a refusal, anything else.
pub(crate) fn io(what: Text, path: impl AsRef<Path>, err: std::io::Error) -> Error {
    Error::io(what, path, err)
}

/// The backup file ends early: `what` says where.
pub(crate) fn incomplete(what: Text) -> Error {
    carevault_core::error::truncated(what)
}
