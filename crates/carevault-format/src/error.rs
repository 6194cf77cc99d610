//! What a format rule refuses, typed. The format crate cannot use the
//! core's `Error` (the core depends on this crate, not the reverse), so
//! each refusal says which kind of failure it is and carries its message;
//! the core turns it into its own error (same kind, message and advice)
//! with `From`, so a caller of the core sees no difference.

use carevault_i18n::Text;
use std::fmt;

/// A refusal by a format rule.
#[derive(Debug)]
pub enum Error {
    /// The file is no carevault backup at all (its first block is not ours).
    NotABackup,
    /// The file ends before what its headers announce.
    Truncated(Text),
    /// Bytes of the file are damaged.
    Corrupted(Text),
    /// The readable details disagree with themselves, with the sealed copy
    /// or with the signed origin; `advice` says what to do.
    Tampered {
        /// What disagrees.
        message: Text,
        /// What to do about it.
        advice: Text,
    },
    /// The file was written by a newer format version.
    Newer(Text),
    /// The file holds something a reader refuses (a path, a count or a
    /// size beyond a limit).
    Unsafe(Text),
    /// A writer was asked to store what a reader would refuse: `what`.
    Unstorable(Text),
    /// A fault in carevault itself (a name a tar header cannot hold).
    Internal(Text),
    /// One of the above, with the JSON parser's reason.
    Json(Box<Error>, serde_json::Error),
}

/// Result alias of the format crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The same refusal, with the JSON parser's reason attached.
    pub fn because(self, cause: serde_json::Error) -> Error {
        Error::Json(Box::new(self), cause)
    }

    /// The message that says what was refused (the file's own words: for
    /// [`Error::NotABackup`], none).
    pub fn message(&self) -> Option<&Text> {
        match self {
            Error::NotABackup => None,
            Error::Truncated(m)
            | Error::Corrupted(m)
            | Error::Newer(m)
            | Error::Unsafe(m)
            | Error::Unstorable(m)
            | Error::Internal(m) => Some(m),
            Error::Tampered { message, .. } => Some(message),
            Error::Json(inner, _) => inner.message(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(m) => fmt::Display::fmt(m, f),
            None => f.write_str(&carevault_i18n::t!("core-not-a-backup").text()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Json(_, cause) => Some(cause),
            _ => None,
        }
    }
}
