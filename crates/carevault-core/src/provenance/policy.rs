//! Who may restore what over existing clinic data (the guide's promise
//! that only the roles it names may do what it names, against a backup
//! made elsewhere where "nurse" is an administrator).
//!
//! - No clinic data yet (first-run restore): open to anyone holding the
//!   backup's passphrase, as the reinstall procedure needs.
//! - Over existing clinic data, a Clinic Nurse or Clinical Manager may
//!   restore only a backup signed by this device or by a trusted key of
//!   the facility, found on a medium or in a folder (not uploaded), and not
//!   an unencrypted one found on Public or External storage.
//! - Anything else needs a System Administrator, who is shown what changes
//!   (facility, device, users and roles after the restore).

use super::trust::{Trust, TrustLevel};
use crate::auth::Role;
use crate::error::{Error, Kind, Result};
use crate::i18n::{t, Text};
use crate::media::Medium;
use crate::profile::Profile;
use serde::Serialize;
use std::path::Path;

/// Folder of the Backup Explorer's uploads inside the app home.
pub const UPLOADS_DIR: &str = ".carevault-uploads";

/// Where a backup file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Found {
    /// The Private medium (`private/`).
    Private,
    /// The Public folder (Documents), which other apps and people can write.
    Public,
    /// An SD card or USB drive.
    External,
    /// Uploaded through the Backup Explorer.
    Upload,
    /// Any other folder given by path.
    Folder,
}

/// Where `file` lies, for the policy.
pub fn found_at(home: &Path, file: &Path) -> Found {
    let uploads = home.join(UPLOADS_DIR);
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if canon(file).starts_with(canon(&uploads)) {
        return Found::Upload;
    }
    let medium = Profile::load(home)
        .ok()
        .and_then(|p| p.media.medium_of(home, file));
    match medium {
        Some(Medium::Private) => Found::Private,
        Some(Medium::Public) => Found::Public,
        Some(Medium::External) => Found::External,
        None => Found::Folder,
    }
}

/// Why a backup needs a System Administrator to restore it over existing
/// clinic data; `None` when a Clinic Nurse or Clinical Manager may.
pub fn needs_admin(trust: &Trust, found: Found, encrypted: bool) -> Option<Text> {
    if found == Found::Upload {
        return Some(t!("ops-needs-admin-upload"));
    }
    match trust.level {
        TrustLevel::Unsigned => return Some(t!("ops-needs-admin-unsigned")),
        TrustLevel::NotTrusted => {
            return Some(t!(
                "ops-needs-admin-not-trusted",
                key = trust.key_id.as_deref().unwrap_or("?")
            ))
        }
        TrustLevel::ThisDevice | TrustLevel::Trusted => {}
    }
    if !encrypted && matches!(found, Found::Public | Found::External) {
        return Some(t!("ops-needs-admin-shared-unencrypted"));
    }
    None
}

/// Checks that `user` (of `role`; `None` for a first-run restore) may
/// restore a backup over existing clinic data (`replaces_existing`).
pub fn check_restore(
    user: &str,
    role: Option<Role>,
    replaces_existing: bool,
    why_admin: Option<&Text>,
) -> Result<()> {
    if !replaces_existing {
        return Ok(());
    }
    // A permit made for a first run (no login) never replaces clinic data,
    // whatever the backup: data may have appeared since it was made (another
    // restore finished in between), and then a login is needed.
    if role.is_none() {
        return Err(Error::new(
            Kind::PermissionDenied,
            t!("ops-restore-needs-login"),
            t!("ops-restore-needs-login-advice"),
        ));
    }
    let Some(why) = why_admin else {
        return Ok(());
    };
    match role {
        Some(Role::SystemAdministrator) => Ok(()),
        Some(r) => Err(Error::new(
            Kind::PermissionDenied,
            t!(
                "ops-restore-needs-admin",
                user = user,
                role = r.title(),
                why = why
            ),
            t!("ops-restore-needs-admin-advice"),
        )),
        None => Err(Error::new(
            Kind::PermissionDenied,
            t!("ops-restore-needs-admin-first-run", why = why),
            t!("ops-restore-needs-admin-first-run-advice"),
        )),
    }
}
