//! The errors every part of the import shares, as messages of the
//! `santedb` catalogue: a damaged, incomplete or refused SanteDB file, and
//! an operating-system error while doing something.
//!
//! The English texts are the core's shorthands' (`carevault_core::error`),
//! word for word; the `what` of each is a message of its own, so that the
//! whole sentence reaches the reader in their language.

use carevault_core::i18n::{t, Text};
use carevault_core::{Error, Kind};
use std::path::Path;

/// The backup file is damaged: `what` says how.
pub fn damaged(what: Text) -> Error {
    Error::new(
        Kind::Corrupted,
        t!("santedb-damaged", what = what),
        t!("santedb-damaged-advice"),
    )
}

/// The backup file ends early: `what` says where.
pub fn incomplete(what: Text) -> Error {
    Error::new(
        Kind::Truncated,
        t!("santedb-incomplete", what = what),
        t!("santedb-incomplete-advice"),
    )
}

/// The backup holds something an import refuses: `what` says what.
pub fn refused(what: Text) -> Error {
    Error::new(
        Kind::UnsafeArchive,
        t!("santedb-refused-entry", what = what),
        t!("santedb-refused-entry-advice"),
    )
}

/// An operating-system error while doing `what` (a message such as
/// `santedb-doing-...`) on `path`, sorted as the core sorts them: a full
/// disk, a refusal, anything else.
pub fn io(what: Text, path: impl AsRef<Path>, err: std::io::Error) -> Error {
    let path = path.as_ref();
    let e = match err.raw_os_error() {
        Some(28) => Error::new(
            Kind::NoSpace,
            t!("santedb-io-disk-full", what = what),
            t!("santedb-io-disk-full-advice"),
        ),
        Some(13) | Some(1) | Some(30) => Error::new(
            Kind::Io,
            t!("santedb-io-denied", what = what),
            t!("santedb-io-denied-advice"),
        ),
        _ => Error::new(
            Kind::Io,
            t!(
                "santedb-io-failed",
                what = what,
                error = carevault_core::error::io_words(&err)
            ),
            t!("santedb-io-failed-advice"),
        ),
    };
    let e = if path.as_os_str().is_empty() {
        e
    } else {
        e.at(path)
    };
    e.because(err)
}
