//! Error policy.
//!
//! Every failure the library reports is an [`Error`]: a [`Kind`] (which maps
//! to a documented process exit code, see `docs/CLI.md`), a plain-words
//! message that says what happened, advice that says what to do about it, and
//! the path it concerns when there is one. Nothing is swallowed: a step that
//! fails makes the whole operation fail, and the operation leaves no partial
//! state behind (temporary files and staging folders are removed).

use crate::i18n::{t, Arg, Lang, Text};
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, in the categories a user or a script acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Something in the request itself is wrong (bad argument, bad profile).
    Usage,
    /// The backup, file or folder named does not exist.
    NotFound,
    /// The passphrase or recovery key does not unlock the backup.
    WrongKey,
    /// The backup file ends early.
    Truncated,
    /// The backup file's bytes are damaged (checksum or authentication failure).
    Corrupted,
    /// The readable details of the backup do not match the sealed copy inside.
    Tampered,
    /// The backup was written by a newer format version.
    UnsupportedVersion,
    /// The archive holds entries that are refused (paths, links, devices, unknown names).
    UnsafeArchive,
    /// Not enough free space.
    NoSpace,
    /// Another operation or a synchronization holds what we need.
    Busy,
    /// The user's role does not allow this action.
    PermissionDenied,
    /// The operating system refused a read or write.
    Io,
    /// The restored data failed its checks (integrity_check, row counts).
    CheckFailed,
    /// The file is not a carevault backup at all.
    NotABackup,
    /// A fault inside carevault itself.
    Internal,
    /// The offsite store could not be reached, or answered with an error that
    /// retrying did not cure; nothing was marked offsite.
    Unreachable,
    /// An object of that name is already in the store: carevault never
    /// overwrites one.
    Exists,
}

impl Kind {
    /// The process exit code that stands for this kind (documented contract).
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::NotFound => 3,
            Kind::WrongKey => 4,
            Kind::Truncated => 5,
            Kind::Corrupted => 6,
            Kind::Tampered => 7,
            Kind::UnsupportedVersion => 8,
            Kind::UnsafeArchive => 9,
            Kind::NoSpace => 10,
            Kind::Busy => 11,
            Kind::PermissionDenied => 12,
            Kind::Io => 13,
            Kind::CheckFailed => 14,
            Kind::NotABackup => 15,
            Kind::Unreachable => 16,
            Kind::Exists => 17,
        }
    }

    /// A stable machine-readable name (used in `--json` output).
    pub fn code(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::NotFound => "not_found",
            Kind::WrongKey => "wrong_key",
            Kind::Truncated => "truncated",
            Kind::Corrupted => "corrupted",
            Kind::Tampered => "tampered",
            Kind::UnsupportedVersion => "unsupported_version",
            Kind::UnsafeArchive => "unsafe_archive",
            Kind::NoSpace => "no_space",
            Kind::Busy => "busy",
            Kind::PermissionDenied => "permission_denied",
            Kind::Io => "io",
            Kind::CheckFailed => "check_failed",
            Kind::NotABackup => "not_a_backup",
            Kind::Internal => "internal",
            Kind::Unreachable => "unreachable",
            Kind::Exists => "exists",
        }
    }
}

/// The one public error type of the library. Held in a box: a `Result`
/// stays one pointer wide on its error side, however much an error says.
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: Kind,
    message: Text,
    advice: Text,
    path: Option<PathBuf>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` saying `message`, with `advice` on what to do.
    pub fn new(kind: Kind, message: impl Into<Text>, advice: impl Into<Text>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            advice: advice.into(),
            path: None,
            source: None,
        }))
    }

    /// The same error with other advice.
    pub fn with_advice(mut self, advice: impl Into<Text>) -> Self {
        self.0.advice = advice.into();
        self
    }

    /// Attaches the path the error concerns.
    pub fn at(mut self, path: impl AsRef<Path>) -> Self {
        self.0.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Attaches the underlying cause.
    pub fn because(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// An operating-system error while doing `what` on `path`. `what` is a
    /// message such as `t!("core-doing-reading-backup")` ("reading the backup
    /// file"; in French a noun phrase, "la lecture du fichier de
    /// sauvegarde"): never a phrase in one language.
    pub fn io(what: Text, path: impl AsRef<Path>, err: std::io::Error) -> Self {
        let path = path.as_ref();
        let e = match err.raw_os_error() {
            Some(28) => Error::new(
                Kind::NoSpace,
                t!("core-io-disk-full", what = what),
                t!("core-io-disk-full-advice"),
            ),
            Some(13) | Some(1) | Some(30) => Error::new(
                Kind::Io,
                t!("core-io-permission", what = what),
                t!("core-io-permission-advice"),
            ),
            _ => Error::new(
                Kind::Io,
                t!("core-io-failed", what = what, err = io_words(&err)),
                t!("core-io-failed-advice"),
            ),
        };
        let e = if path.as_os_str().is_empty() {
            e
        } else {
            e.at(path)
        };
        e.because(err)
    }

    /// A fault inside carevault (a bug): asks for a report.
    pub fn internal(message: impl Into<Text>) -> Self {
        Error::new(Kind::Internal, message, t!("core-internal-advice"))
    }

    /// The kind of failure.
    pub fn kind(&self) -> Kind {
        self.0.kind
    }

    /// What happened, in plain words, in the process's language.
    pub fn message(&self) -> String {
        self.0.message.text()
    }

    /// What to do about it, in the process's language.
    pub fn advice(&self) -> String {
        self.0.advice.text()
    }

    /// What happened, in `lang` (the web server answers in each request's).
    pub fn message_in(&self, lang: Lang) -> String {
        self.0.message.render(lang)
    }

    /// What to do about it, in `lang`.
    pub fn advice_in(&self, lang: Lang) -> String {
        self.0.advice.render(lang)
    }

    /// The advice itself (a front end may put its own ways to give a key in
    /// place of the command line's, by the advice's message ID).
    pub fn advice_text(&self) -> &Text {
        &self.0.advice
    }

    /// The message itself, to pass on inside another message.
    pub fn message_text(&self) -> &Text {
        &self.0.message
    }

    /// The path concerned, if any.
    pub fn path(&self) -> Option<&Path> {
        self.0.path.as_deref()
    }

    /// The underlying cause, as text, if any.
    pub fn cause(&self) -> Option<String> {
        self.0.source.as_ref().map(|s| s.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.message)?;
        if let Some(p) = &self.0.path {
            write!(f, " ({})", p.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A low-level error of carevault's own (a refused file, a stopped
/// thread), carried inside an [`std::io::Error`]: its words are a message,
/// so they reach the reader in the reader's language (see [`io_words`]).
#[derive(Debug)]
pub struct IoText(pub Text);

impl fmt::Display for IoText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for IoText {}

/// An [`std::io::Error`] of `kind` whose words are the message `text`.
pub fn io_error(kind: std::io::ErrorKind, text: Text) -> std::io::Error {
    std::io::Error::new(kind, IoText(text))
}

/// What `err` says, as a message argument: carevault's own words (an
/// [`io_error`]) as a message, the system's as they are.
pub fn io_words(err: &std::io::Error) -> Arg {
    match err.get_ref().and_then(|r| r.downcast_ref::<IoText>()) {
        Some(own) => Arg::from(&own.0),
        None => Arg::from(err),
    }
}

/// Shorthand: an error that says the backup file is damaged.
pub fn corrupted(what: Text) -> Error {
    Error::new(
        Kind::Corrupted,
        t!("core-corrupted", what = what),
        t!("core-corrupted-advice"),
    )
}

/// Shorthand: an error that says the backup file ends early.
pub fn truncated(what: Text) -> Error {
    Error::new(
        Kind::Truncated,
        t!("core-truncated", what = what),
        t!("core-truncated-advice"),
    )
}

/// Shorthand: the archive holds something a restore refuses.
pub fn unsafe_archive(what: Text) -> Error {
    Error::new(
        Kind::UnsafeArchive,
        t!("core-unsafe-archive", what = what),
        t!("core-unsafe-archive-advice"),
    )
}

/// A format rule's refusal (the crate `carevault-format`, which cannot
/// use this type) as the library's error: the same kind, message and
/// advice the rule gave before it moved out of the core.
impl From<carevault_format::Error> for Error {
    fn from(e: carevault_format::Error) -> Error {
        use carevault_format::Error as F;
        match e {
            F::NotABackup => Error::new(
                Kind::NotABackup,
                t!("core-not-a-backup"),
                t!("core-not-a-backup-advice"),
            ),
            F::Truncated(m) => truncated(m),
            F::Corrupted(m) => corrupted(m),
            F::Tampered { message, advice } => Error::new(Kind::Tampered, message, advice),
            F::Newer(m) => Error::new(Kind::UnsupportedVersion, m, t!("core-newer-version-advice")),
            F::Unsafe(m) => unsafe_archive(m),
            F::Unstorable(what) => Error::new(
                Kind::Usage,
                t!("core-data-unstorable", what = what),
                t!("core-data-unstorable-advice"),
            ),
            F::Internal(m) => Error::internal(m),
            F::Json(inner, cause) => Error::from(*inner).because(cause),
        }
    }
}
