//! The audit trail: who did what, when, to which backup, on which medium,
//! and with what outcome. Append-only and tamper-evident.
//!
//! Every create, verify, restore, delete, failure, refusal and failed login
//! is appended here by the code that performs it ([`append`]). The trail
//! lives in the app home's `private/` folder, which a restore never
//! replaces, so it survives restores.
//!
//! # Storage
//!
//! - `private/audit.log`: JSON Lines. Each line is one [`Record`] in its
//!   canonical encoding (below, with the real `hash`), followed by `\n`.
//!   Lines are only ever appended (`O_APPEND`, then `fdatasync`), under an
//!   exclusive lock on the log file, so concurrent appenders (threads or
//!   processes) get consecutive sequence numbers.
//! - `private/audit.head`: `{"seq":N,"hash":"…"}` + `\n`, the sequence
//!   number and hash of the last record appended. It is replaced atomically
//!   after each append (temporary file, fsync, rename, fsync of the folder).
//!   It is what reveals the removal of the *last* entries, and it gives
//!   [`append`] the next `seq` and `prev` without reading the whole log.
//!
//! # Hash chain (exact definition)
//!
//! `hash` is the lowercase hex SHA-256 of the record's *canonical encoding*
//! with `hash` set to the empty string: the UTF-8 bytes of the compact JSON
//! object (no whitespace) with exactly these keys, in this order:
//!
//! ```text
//! {"seq":<u64 in decimal>,"time":<string>,"user":<string>,"action":<string>,
//!  "backup":<string|null>,"medium":<string|null>,
//!  "outcome":"success"|"failure"|"refused","reason":<string|null>,
//!  "prev":<string>,"hash":""}
//! ```
//!
//! (shown wrapped; the real encoding is one line). Strings are escaped as
//! `serde_json` does: `"` as `\"`, `\` as `\\`, U+0008, U+0009, U+000A,
//! U+000C, U+000D as `\b \t \n \f \r`, other characters below U+0020 as
//! `\u00xx` (lowercase hex); everything else, including `/` and non-ASCII,
//! is written literally. This is exactly `serde_json::to_vec(&record)` with
//! `record.hash = ""`; see [`Record::canonical_bytes`].
//!
//! `prev` is the `hash` of the record before it (the previous line), and 64
//! zeros ([`GENESIS`]) for the first record (seq 1). `seq` starts at 1 and
//! grows by one per record. `time` is UTC, RFC 3339 with milliseconds
//! (`2025-01-31T08:15:02.123Z`).
//!
//! # What [`verify`] finds, and what it cannot
//!
//! It finds, naming the sequence number: an edited entry (its hash no longer
//! matches), an edited entry whose hash was recomputed (the next entry's
//! `prev` no longer matches), a removed entry (a gap), reordered or repeated
//! entries, removed last entries (the head file says more), a damaged or
//! incomplete line, a line that is not in the exact canonical form (extra or
//! reordered fields), and a missing or damaged head file.
//!
//! The chain is a plain hash chain with no secret key: anyone who can write
//! `private/` can rewrite the log from the edited entry onward and write a
//! matching head file, and nothing here can tell. Deleting both files
//! together looks like a trail that was never started. The trail detects
//! accidental damage and careless editing; it does not stop a determined
//! person with write access to the app's private storage.

mod check;
mod limits;
mod store;

pub use limits::{
    printable, MAX_ACTION_CHARS, MAX_BACKUP_CHARS, MAX_MEDIUM_CHARS, MAX_REASON_CHARS,
    MAX_USER_CHARS,
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// `prev` of the first record: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// File name of the log inside `private/`.
pub const LOG_FILE: &str = "audit.log";

/// File name of the head file inside `private/`.
pub const HEAD_FILE: &str = "audit.head";

/// The audit log of `home`: `private/audit.log`.
pub fn log_path(home: &Path) -> PathBuf {
    crate::layout::private_dir(home).join(LOG_FILE)
}

/// The head file of `home`: `private/audit.head`.
pub fn head_path(home: &Path) -> PathBuf {
    crate::layout::private_dir(home).join(HEAD_FILE)
}

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It was done.
    Success,
    /// It was attempted and failed.
    Failure,
    /// It was not allowed (role, sync running, login failed, ...).
    Refused,
}

impl Outcome {
    /// The name written in the log (`success`, `failure`, `refused`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Refused => "refused",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened: the part of a record that the caller supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Who acted (user name, or a fixed name such as `first-run`).
    pub user: String,
    /// What was done (`create`, `verify`, `restore`, `delete`, `login`, ...).
    pub action: String,
    /// The backup concerned, by ID, if any.
    pub backup: Option<String>,
    /// The medium concerned (`private`, `public`, `external`), if any.
    pub medium: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why (the error message of a failure, the reason of a refusal), if any.
    pub reason: Option<String>,
}

impl Event {
    /// An event with no backup, medium or reason.
    pub fn new(user: &str, action: &str, outcome: Outcome) -> Event {
        Event {
            user: user.to_string(),
            action: action.to_string(),
            backup: None,
            medium: None,
            outcome,
            reason: None,
        }
    }

    /// Names the backup concerned.
    pub fn backup(mut self, id: &str) -> Self {
        self.backup = Some(id.to_string());
        self
    }

    /// Names the medium concerned.
    pub fn medium(mut self, m: &str) -> Self {
        self.medium = Some(m.to_string());
        self
    }

    /// Gives the reason.
    pub fn reason(mut self, r: &str) -> Self {
        self.reason = Some(r.to_string());
        self
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Sequence number: 1 for the first record, then one more each time.
    pub seq: u64,
    /// When it was appended: UTC, RFC 3339 with milliseconds.
    pub time: String,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// The `hash` of the previous record; [`GENESIS`] for the first.
    pub prev: String,
    /// Lowercase hex SHA-256 of [`Record::canonical_bytes`].
    pub hash: String,
}

impl Record {
    /// The bytes `hash` is computed over: this record serialised by
    /// `serde_json` (compact, fields in declaration order, the event's
    /// fields in place, absent options as `null`) with `hash` set to `""`.
    /// See the module documentation for the byte-exact definition.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let unhashed = Record {
            hash: String::new(),
            ..self.clone()
        };
        encode(&unhashed)
    }

    /// The hash this record should carry: hex SHA-256 of its canonical bytes.
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }
}

/// The compact JSON of a record, as written in the log (without the `\n`).
fn encode(record: &Record) -> Vec<u8> {
    // Strings, integers, options and a unit enum: serialising cannot fail.
    serde_json::to_vec(record).expect("an audit record always serialises")
}

/// The result of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct AuditCheck {
    /// How many lines of the log are readable records.
    pub entries: u64,
    /// One plain-words line per problem, naming the sequence numbers
    /// concerned; empty when the trail is intact. In English, as the
    /// trail itself (evidence to compare and report); `--json` gives these.
    pub problems: Vec<String>,
    /// The same problems, to show a person in their language.
    #[serde(skip)]
    pub texts: Vec<crate::i18n::Text>,
}

impl AuditCheck {
    /// The result for `entries` readable records and these problems.
    pub(crate) fn of(entries: u64, texts: Vec<crate::i18n::Text>) -> AuditCheck {
        AuditCheck {
            entries,
            problems: texts
                .iter()
                .map(|t| t.render(crate::i18n::Lang::En))
                .collect(),
            texts,
        }
    }

    /// True when no problem was found.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Appends `event` to the audit trail of `home` and returns the record
/// written (with its `seq`, `time`, `prev` and `hash`).
///
/// Safe to call from several threads and processes at once. It reads only
/// the head file and the last line of the log, not the whole log. It
/// creates `private/` and the files when they do not exist yet.
///
/// Each field is first cut to its limit ([`MAX_USER_CHARS`],
/// [`MAX_REASON_CHARS`], ...; the cut is marked with `…`), so one entry
/// stays small whatever a caller passes.
///
/// Damage is never hidden by an append: an incomplete last line (a crash
/// in the middle of a write) is closed with a newline and left in place for
/// [`verify`] to report; when the head file says the log had more entries
/// than it now has, the new record continues from the head file, so the
/// gap stays visible.
pub fn append(home: &Path, event: &Event) -> crate::Result<Record> {
    store::append(home, &limits::bounded(event))
}

/// Every record of the trail, oldest first. An empty list when there is no
/// trail yet.
///
/// Fails with [`crate::Kind::Corrupted`] when a line cannot be read as a
/// record (garbled or incomplete). It does not check the hash chain: that
/// is [`verify`].
pub fn read(home: &Path) -> crate::Result<Vec<Record>> {
    store::read(home)
}

/// The trail's head: the last record's sequence number and hash, as the
/// head file says (what an offsite status event anchors). `None` when
/// there is no trail yet or the head file is damaged.
pub fn head(home: &Path) -> crate::Result<Option<(u64, String)>> {
    store::head(home)
}

/// Checks the whole trail: every hash, every link, the order of the
/// sequence numbers, and the head file. Problems in the files are reported
/// in [`AuditCheck::problems`], not as errors; an error means the files
/// could not be read at all.
pub fn verify(home: &Path) -> crate::Result<AuditCheck> {
    let (log, head) = store::load_for_verify(home)?;
    Ok(check::check(log.as_deref(), &head))
}
