//! The demo clinic: a realistic app home to try and test carevault on a
//! fresh machine.
//!
//! - [`init`] generates an app home (`data/` with three WAL-mode SQLite
//!   databases, the app config, photos and documents; an empty
//!   `private/backups/`), deterministically from a seed.
//! - [`run_writer`] plays the clinic app: it follows the host contract
//!   (shared write barrier around each change that touches both
//!   `clinical.db` and `sync.db`) and tags every change with a writer
//!   transaction id (`wtx-...`).
//! - [`check_consistency`] reads a data folder (a live one at rest, or a
//!   restored one) and reports writer transactions that are not whole.
//!
//! How writer transactions are tagged: `visits.writer_txn`,
//! `immunizations.writer_txn` and `stock.last_writer_txn` in `clinical.db`,
//! `outbox.txn_id` in `sync.db`, all holding the same id, which starts with
//! [`WRITER_TXN_PREFIX`]. One writer transaction = one visit, one
//! immunization (whose `visit_uuid` is the visit), one stock decrement, and
//! three outbox entries (`visit`, `immunization`, `stock`).

mod clinical;
mod consistency;
mod files;
mod init;
mod pools;
mod reference;
mod schema;
mod sync;
mod txn;
mod writer;

use std::path::PathBuf;

use serde::Serialize;

pub use consistency::{check_consistency, ConsistencyReport};
pub use init::init;
pub use sync::{run_sync, SyncOptions, SyncStats};
pub use writer::{run_writer, WriterOptions, WriterStats};

/// Every transaction id made by [`run_writer`] starts with this.
pub const WRITER_TXN_PREFIX: &str = "wtx-";

/// The demo accounts `(username, role, password)`. The passwords are
/// documented demo passwords: never use a demo home for real patients.
pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("admin", "System Administrator", "admin-demo-pass"),
    ("manager", "Clinical Manager", "manager-demo-pass"),
    ("nurse", "Clinic Nurse", "nurse-demo-pass"),
    ("staff", "Clinic Staff", "staff-demo-pass"),
];

/// What [`init`] generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Patients to register (about 5 visits and 4 immunizations each).
    pub patients: u64,
    /// Patient photos in `files/photos/`; twice as many documents go to
    /// `files/documents/`.
    pub photos: u64,
    /// Same seed, same options: same clinic data.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            patients: 2_000,
            photos: 20,
            seed: 1,
        }
    }
}

/// What [`init`] made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub patients: u64,
    pub visits: u64,
    pub immunizations: u64,
    /// Pending changes in `sync.db` (everything since the last successful sync).
    pub outbox: u64,
    /// Past synchronizations.
    pub sync_log: u64,
    pub users: u64,
    pub photos: u64,
    pub documents: u64,
    /// Sum of the sizes of every file under `data/`.
    pub bytes_on_disk: u64,
}

/// Errors of the demo clinic. Each message says what happened, where, and
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "{path} already holds clinic databases ({found}): demo init only fills an empty app home; \
         choose another home folder, or move {path} away first"
    )]
    AlreadyInitialized { path: PathBuf, found: String },

    #[error(
        "{path} is not empty (it holds {found}): demo init only fills an empty app home; \
         choose another home folder, or move {path} away first"
    )]
    DataNotEmpty { path: PathBuf, found: String },

    #[error("invalid demo options: {0}")]
    InvalidOptions(String),

    #[error("could not {action} {path}: {source}")]
    Io {
        /// Boxed: a `Text` inline would make every `Result<_, DemoError>` large.
        action: Box<carevault_i18n::Text>,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("SQLite failed to {action} in {path}: {source}")]
    Sqlite {
        /// Boxed: a `Text` inline would make every `Result<_, DemoError>` large.
        action: Box<carevault_i18n::Text>,
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("could not hash the password of demo user {user}: {message}")]
    PasswordHash { user: String, message: String },

    #[error(
        "{path} is missing: this is not a demo data folder (or a restore left it incomplete); \
         run `carevault demo init` on a fresh home, or restore a complete backup"
    )]
    MissingDatabase { path: PathBuf },

    #[error(
        "{path} has no {what}: the demo writer needs a generated demo clinic; \
         run `carevault demo init` on a fresh home first"
    )]
    NotDemoData { path: PathBuf, what: &'static str },

    #[error(
        "the demo writer gave up after {seconds} s of retries on {path} (last error: {last}); \
         check that the data folder exists and is writable, then start the writer again"
    )]
    RetriesExhausted {
        path: PathBuf,
        seconds: u64,
        last: String,
    },

    #[error(
        "writer transaction {txn} committed in clinical.db but not in sync.db ({cause}), and undoing it \
         failed ({undo}): {path} now holds a partial transaction; restore a backup or re-create the demo home"
    )]
    PartialWrite {
        txn: String,
        path: PathBuf,
        cause: String,
        undo: String,
    },
}

impl DemoError {
    /// The message for people, in the reader's language (`Display` is the
    /// English one, for logs and tests). Names, paths, counts and the
    /// underlying errors are passed in as they are.
    pub fn text(&self) -> carevault_i18n::Text {
        use carevault_i18n::t;
        match self {
            DemoError::AlreadyInitialized { path, found } => {
                t!(
                    "cli-demo-err-already-initialized",
                    path = path,
                    found = found
                )
            }
            DemoError::DataNotEmpty { path, found } => {
                t!("cli-demo-err-data-not-empty", path = path, found = found)
            }
            DemoError::InvalidOptions(detail) => {
                t!("cli-demo-err-invalid-options", detail = detail)
            }
            DemoError::Io {
                action,
                path,
                source,
            } => t!(
                "cli-demo-err-io",
                action = &**action,
                path = path,
                err = source
            ),
            DemoError::Sqlite {
                action,
                path,
                source,
            } => t!(
                "cli-demo-err-sqlite",
                action = &**action,
                path = path,
                err = source.to_string()
            ),
            DemoError::PasswordHash { user, message } => {
                t!("cli-demo-err-password-hash", user = user, message = message)
            }
            DemoError::MissingDatabase { path } => t!("cli-demo-err-missing-database", path = path),
            DemoError::NotDemoData { path, what } => {
                t!("cli-demo-err-not-demo-data", path = path, what = *what)
            }
            DemoError::RetriesExhausted {
                path,
                seconds,
                last,
            } => t!(
                "cli-demo-err-retries-exhausted",
                path = path,
                seconds = *seconds,
                last = last
            ),
            DemoError::PartialWrite {
                txn,
                path,
                cause,
                undo,
            } => t!(
                "cli-demo-err-partial-write",
                txn = txn,
                path = path,
                cause = cause,
                undo = undo
            ),
        }
    }

    pub(crate) fn io(
        action: carevault_i18n::Text,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> DemoError {
        let path = path.into();
        move |source| DemoError::Io {
            action: Box::new(action),
            path,
            source,
        }
    }

    pub(crate) fn sql(
        action: carevault_i18n::Text,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(rusqlite::Error) -> DemoError {
        let path = path.into();
        move |source| DemoError::Sqlite {
            action: Box::new(action),
            path,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carevault_i18n::{t, Lang};

    /// A failed step reads whole in French: the step itself is a message
    /// too, not an English name inside a French sentence; English (and the
    /// `Display` the demo's callers log) is as it always was.
    #[test]
    fn a_failed_demo_step_is_told_in_the_readers_language() {
        let not_found = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = DemoError::io(t!("cli-demo-doing-create-the-folder"), "/demo/clinic")(not_found());
        let err = not_found().to_string();
        assert_eq!(
            e.to_string(),
            format!("could not create the folder /demo/clinic: {err}")
        );
        assert_eq!(e.text().render(Lang::En), e.to_string());
        assert_eq!(
            e.text().render(Lang::Fr),
            format!("échec de l'opération « créer le dossier » sur /demo/clinic : {err}")
        );
    }
}
