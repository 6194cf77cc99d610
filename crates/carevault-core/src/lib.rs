//! carevault-core: consistent, verifiable backups of an offline clinic
//! app's data, and restores that either complete or change nothing.
//!
//! How the pieces fit:
//! - [`layout`] and [`appconfig`] know the app home: `data/` (what is
//!   saved), `private/` (never replaced), the app's settings.
//! - [`hostlock`] is the host contract: the sync lock and the write barrier.
//!   [`clinic_app`] is what carevault knows of the app itself (key tables,
//!   patients, the queue of unsent changes), behind one trait.
//! - [`snapshot`] pins every database at one instant and streams its pages.
//! - [`format`] (the crate `carevault-format`) describes the backup file
//!   as data, with no I/O and no threads: its rules decide, [`archive`]
//!   writes and reads the bytes as streams (tar, zstd, age). The reader
//!   feeds the container's headers to [`format::parser`] and the payload's
//!   tar headers to [`format::entries`], and checks every byte.
//!   [`format::limits`] holds every limit; the writer applies each one
//!   before a backup is reported, and reads every backup back.
//! - [`backup`], [`verify`], [`restore`], [`catalog`], [`rekey`],
//!   [`safety`] (the data restores replaced), [`status`] and [`auth`], with
//!   [`ops`] (show, the sync as a front end checks it, the audited events
//!   a front end decides), are the door the CLI and the web app go through:
//!   each takes the permit, locks, recovers and audits once, and returns a
//!   serde-serialisable report. None of them prints: they return values
//!   and report progress through [`Progress`]. A front end names these and
//!   their report types (and [`units`], [`i18n`], [`profile`], [`media`]),
//!   never [`archive`], [`hostlock`] or [`fsutil`] (docs/EMBEDDING.md).
//! - [`units`] is presentation shared by every screen (sizes as
//!   "12.3 MB"): no I/O, no policy.
//! - [`stop_point`] lets tests stop the real binary at a named moment.
//! - [`store`] is the storage seam: a folder, object storage (the
//!   offsite crate) or memory, behind one trait: list, ranged read,
//!   create-only put, delete.
//! - [`provenance`] signs every backup with the device key, keeps the trust
//!   list and decides who may restore what; [`auth`] and [`audit`] say who
//!   acts and record it.
//!
//! The demo clinic (a realistic app home and a writer that follows the
//! host contract) is the crate `carevault-demo`, outside the library.

pub mod appconfig;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod auto;
pub mod backup;
pub mod catalog;
pub mod clinic_app;
pub mod error;
pub mod fault;
/// The backup file format as data (the crate `carevault-format`): names,
/// limits, the metadata and manifest types, the container's rules.
pub use carevault_format as format;
pub mod fsutil;
/// The message catalogue (`carevault-i18n`): every sentence shown to a person.
pub mod i18n {
    pub use carevault_i18n::{current, in_lang, set_current, t, Arg, Lang, Text};

    /// Serialises a [`Text`] field as the sentence in the process's
    /// language ([`current`]): `--json` holds sentences in the language the
    /// command line speaks; the web server renders them per request.
    pub fn serialize_text<S: serde::Serializer>(t: &Text, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.text())
    }

    /// [`serialize_text`] for an optional field (`null` when absent).
    pub fn serialize_opt_text<S: serde::Serializer>(
        t: &Option<Text>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&t.text()),
            None => s.serialize_none(),
        }
    }
}
pub mod hostlock;
pub mod layout;
pub mod media;
pub mod offsite_state;
pub mod ops;
pub mod passphrase;
pub mod preview;
pub mod profile;
pub mod provenance;
pub mod rekey;
pub mod restore;
pub mod restored_from;
pub mod safety;
pub mod snapshot;
pub mod status;
pub mod stop_point;
pub mod store;
pub mod units;
pub mod unlocking;
pub mod untrusted_db;
pub mod usb_copy;
pub mod verify;

pub use archive::keys::{generate_recovery_key, parse_identity_file, parse_recipient, Unlock};
pub use error::{Error, Kind, Result};
pub use secrecy_reexport::SecretString;

mod secrecy_reexport {
    pub use age::secrecy::SecretString;
}

/// A step of a long operation, as [`Progress::start`] announces it. The
/// web API shows it in snake_case (`"key_derivation"`, docs/API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for a running synchronization to end (`--wait-sync`).
    WaitingForSync,
    /// Turning a passphrase into a key (scrypt): seconds with no bytes
    /// to count, so its total is 0.
    KeyDerivation,
    /// Writing a backup (snapshot, compression, encryption).
    Backup,
    /// Reading a backup and checking every byte.
    Read,
    /// Copying a file to a folder (a medium).
    Copy,
    /// Sending a file to a store.
    Upload,
    /// Fetching a file from a store.
    Download,
    /// Reading a file to import (SanteDB).
    Import,
}

impl Phase {
    /// Every phase, in the order an operation may meet them.
    pub const ALL: [Phase; 8] = [
        Phase::WaitingForSync,
        Phase::KeyDerivation,
        Phase::Backup,
        Phase::Read,
        Phase::Copy,
        Phase::Upload,
        Phase::Download,
        Phase::Import,
    ];

    /// Its name in the API (snake_case).
    pub fn code(self) -> &'static str {
        match self {
            Phase::WaitingForSync => "waiting_for_sync",
            Phase::KeyDerivation => "key_derivation",
            Phase::Backup => "backup",
            Phase::Read => "read",
            Phase::Copy => "copy",
            Phase::Upload => "upload",
            Phase::Download => "download",
            Phase::Import => "import",
        }
    }
}

/// Receives progress of a long operation. Implementations must be cheap:
/// `advance` is called for every block of data.
pub trait Progress: Sync {
    /// A phase begins with `total` bytes of work.
    fn start(&self, phase: Phase, total: u64);
    /// `n` more bytes are done.
    fn advance(&self, n: u64);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _phase: Phase, _total: u64) {}
    fn advance(&self, _n: u64) {}
}

#[cfg(test)]
mod phase_tests {
    use super::Phase;

    #[test]
    fn phase_codes_are_their_serde_names() {
        for p in Phase::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.code());
        }
        assert_eq!(Phase::KeyDerivation.code(), "key_derivation");
        assert_eq!(Phase::WaitingForSync.code(), "waiting_for_sync");
    }
}
