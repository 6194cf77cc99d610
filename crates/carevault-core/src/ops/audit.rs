//! The audited events a front end decides on, each recorded one way (its
//! action name, outcome and reason fixed here, in English: the log is read
//! by investigators, not shown on a screen). The operations of the library
//! audit themselves; these are the ones a front end sees first. Reading
//! and checking the trail takes the [`AuditTrail`] permit.

use crate::audit::{self, AuditCheck, Event, Outcome, Record};
use crate::auth::{AuditTrail, Create, Permit, Restore};
use crate::Result;
use std::path::Path;

/// The reason an upload may not be restored over clinic data.
const UPLOAD_RESTORE_ADMIN_ONLY: &str =
    "an uploaded backup restores over clinic data only for a System Administrator";

/// The reason a SanteDB import may not run.
const IMPORT_ADMIN_ONLY: &str =
    "a SanteDB import over clinic data is only for a System Administrator";

/// Logins for `user` were throttled for `seconds` after too many failures
/// (nobody is logged in: `user` is the name that was tried).
pub fn login_throttled(home: &Path, user: &str, seconds: u64) -> Result<Record> {
    let reason = format!("too many failed logins; throttled ({seconds} s)");
    audit::append(
        home,
        &Event::new(user, "login", Outcome::Refused).reason(&reason),
    )
}

/// A restore of the upload `id` over clinic data was refused: only a
/// System Administrator may (a file from anywhere could hold other users
/// and roles).
pub fn upload_restore_refused(permit: &Permit<Restore>, id: &str) -> Result<Record> {
    audit::append(
        permit.home(),
        &Event::new(permit.user(), "restore", Outcome::Refused)
            .backup(id)
            .medium("upload")
            .reason(UPLOAD_RESTORE_ADMIN_ONLY),
    )
}

/// A SanteDB import was refused: only a System Administrator may.
pub fn import_refused(permit: &Permit<Create>) -> Result<Record> {
    audit::append(
        permit.home(),
        &Event::new(permit.user(), "import", Outcome::Refused).reason(IMPORT_ADMIN_ONLY),
    )
}

/// `user` (the one a permit named) downloaded a backup from offsite
/// storage: `id` the backup's ID when known, else what was asked for;
/// `key` the object's key in the store.
pub fn offsite_fetched(home: &Path, user: &str, id: &str, key: &str) -> Result<Record> {
    audit::append(
        home,
        &Event::new(user, "offsite get", Outcome::Success)
            .backup(id)
            .medium("Offsite")
            .reason(key),
    )
}

/// Every record of the trail, oldest first (`audit list`).
pub fn list(permit: &Permit<AuditTrail>) -> Result<Vec<Record>> {
    audit::read(permit.home())
}

/// Checks the chain of the trail and its head (`audit verify`): the
/// problems found, none when it is intact.
pub fn check(permit: &Permit<AuditTrail>) -> Result<AuditCheck> {
    audit::verify(permit.home())
}
