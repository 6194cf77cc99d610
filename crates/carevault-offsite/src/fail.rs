//! An operating-system error while doing something, as a message of the
//! `offsite` catalogue (the English is the core's `Error::io`, word for
//! word; the `what` is a message of its own, so that the whole sentence
//! reaches the reader in their language).

use carevault_core::error::{Error, Kind};
use carevault_core::i18n::{t, Text};
use std::path::Path;

/// An operating-system error while doing `what` (an `offsite-doing-...`
/// message) on `path`: a full disk, a refusal, anything else.
pub(crate) fn io(what: Text, path: impl AsRef<Path>, err: std::io::Error) -> Error {
    let path = path.as_ref();
    let e = match err.raw_os_error() {
        Some(28) => Error::new(
            Kind::NoSpace,
            t!("offsite-io-disk-full", what = what),
            t!("offsite-io-disk-full-advice"),
        ),
        Some(13) | Some(1) | Some(30) => Error::new(
            Kind::Io,
            t!("offsite-io-denied", what = what),
            t!("offsite-io-denied-advice"),
        ),
        _ => Error::new(
            Kind::Io,
            t!(
                "offsite-io-failed",
                what = what,
                error = carevault_core::error::io_words(&err)
            ),
            t!("offsite-io-failed-advice"),
        ),
    };
    let e = if path.as_os_str().is_empty() {
        e
    } else {
        e.at(path)
    };
    e.because(err)
}

/// The backup file ends early: `what` says where (the core's `truncated`).
pub(crate) fn incomplete(what: Text) -> Error {
    Error::new(
        Kind::Truncated,
        t!("offsite-incomplete", what = what),
        t!("offsite-incomplete-advice"),
    )
}
