//! Verifying a backup file when nobody is logged in yet (a first run
//! reads a file before any user exists). A logged-in user goes through
//! [`crate::verify::verify`], which takes the permit.

use crate::audit::{self, Event, Outcome};
use crate::i18n::Lang;
use crate::verify::{verify_file, VerifyReport};
use crate::{catalog, Progress, Result, Unlock};
use std::path::Path;

/// Verifies `path` for the first run of `home` and audits it as
/// `first-run` (success, or the failure in English); the file's ID is
/// recorded when its header can be read.
pub fn first_run(
    home: &Path,
    path: &Path,
    unlock: &Unlock,
    max_log_n: u8,
    p: &dyn Progress,
) -> Result<VerifyReport> {
    let r = verify_file(path, Some(unlock), max_log_n, p);
    let event = match &r {
        Ok(_) => Event::new("first-run", "verify", Outcome::Success),
        Err(e) => {
            Event::new("first-run", "verify", Outcome::Failure).reason(&e.message_in(Lang::En))
        }
    };
    let event = match catalog::id_of(path) {
        Some(id) => event.backup(&id),
        None => event,
    };
    audit::append(home, &event)?;
    r
}
