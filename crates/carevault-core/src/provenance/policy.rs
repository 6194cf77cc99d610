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
pub fn needs_admin(trust: &Trust, found: Found, encrypted: bool) -> Option<String> {
    if found == Found::Upload {
        return Some("it was uploaded through the Backup Explorer".into());
    }
    match trust.level {
        TrustLevel::Unsigned => {
            return Some("it is not signed (it was made by an older carevault)".into())
        }
        TrustLevel::NotTrusted => {
            return Some(format!(
                "it was signed by a key this tablet does not trust (key ID {})",
                trust.key_id.as_deref().unwrap_or("?")
            ))
        }
        TrustLevel::ThisDevice | TrustLevel::Trusted => {}
    }
    if !encrypted && matches!(found, Found::Public | Found::External) {
        return Some(
            "it is unencrypted and was found on shared storage, where anyone could have changed it"
                .into(),
        );
    }
    None
}

/// Checks that `user` (of `role`; `None` for a first-run restore) may
/// restore a backup over existing clinic data (`replaces_existing`).
pub fn check_restore(
    user: &str,
    role: Option<Role>,
    replaces_existing: bool,
    why_admin: Option<&str>,
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
            "this app home holds clinic data now, so a restore needs a login",
            "log in with --user (a Clinical Manager, Clinic Nurse or System Administrator) and run it again",
        ));
    }
    let Some(why) = why_admin else {
        return Ok(());
    };
    match role {
        Some(Role::SystemAdministrator) => Ok(()),
        Some(r) => Err(Error::new(
            Kind::PermissionDenied,
            format!("{user} ({r}) may not restore this backup over the clinic data: {why}"),
            "ask a System Administrator to restore it (they are shown who the users and roles will be), or restore a backup signed by this tablet or a trusted one",
        )),
        None => Err(Error::new(
            Kind::PermissionDenied,
            format!("this app home holds clinic data, so restoring this backup needs a System Administrator: {why}"),
            "log in with --user as a System Administrator",
        )),
    }
}
