//! What a restore changes besides the data itself, shown before it starts
//! (dry run, web confirmation) and in its report: the facility and device
//! of the backup against this tablet's, who the users and roles will be,
//! where the backup was found and who signed it, and how many outbox
//! records not yet synchronized the restore would lose.

use crate::archive::reader::EntrySink;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::format::manifest::Entry;
use crate::i18n::t;
use crate::provenance::policy::Found;
use crate::provenance::Trust;
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Entry path of the users database inside a backup.
pub const USERS_DB: &str = "data/users.db";

/// One user and role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRole {
    /// Login name.
    pub username: String,
    /// Role as carevault applies it.
    pub role: Role,
}

/// A value now and after the restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// This tablet's value now (absent without clinic data).
    pub now: Option<String>,
    /// The backup's value.
    pub after: String,
}

/// What a restore changes besides the data.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// Who signed the backup and whether this tablet trusts it.
    pub provenance: Trust,
    /// Where the backup file was found.
    pub found: Found,
    /// Why a System Administrator is needed over existing clinic data
    /// (absent: a Clinic Nurse or Clinical Manager may restore it).
    #[serde(serialize_with = "crate::i18n::serialize_opt_text")]
    pub needs_admin: Option<crate::i18n::Text>,
    /// Facility now and after.
    pub facility: Change,
    /// Device now and after.
    pub device: Change,
    /// Users and roles now.
    pub users_now: Vec<UserRole>,
    /// Users and roles after the restore (absent when not read yet).
    pub users_after: Option<Vec<UserRole>>,
    /// Outbox records not yet synchronized, which the restore would lose.
    pub unsynced_outbox: Option<u64>,
}

/// Reads user names and roles from the users database of `data_dir`
/// (read-only and immutable: no journal or side file is made).
pub fn users_in(data_dir: &Path) -> Result<Vec<UserRole>> {
    let path = data_dir.join("users.db");
    if !path.is_file() {
        return Ok(vec![]);
    }
    let q = || -> rusqlite::Result<Vec<UserRole>> {
        let uri = format!("file:{}?immutable=1", uri_path(&path));
        let c = crate::untrusted_db::open(
            uri,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )?;
        if !crate::untrusted_db::is_table(&c, "users")? {
            return Ok(vec![]);
        }
        let mut st = c.prepare(
            "SELECT substr(username, 1, 200), substr(role, 1, 100) FROM users ORDER BY username",
        )?;
        let rows = st.query_map([], |r| {
            Ok(UserRole {
                username: r.get(0)?,
                role: Role::parse(&r.get::<_, String>(1)?),
            })
        })?;
        rows.collect()
    };
    q().map_err(|e| {
        Error::new(
            crate::Kind::CheckFailed,
            t!("ops-restore-users-unreadable", err = e.to_string()),
            t!("ops-restore-users-unreadable-advice"),
        )
        .at(&path)
    })
}

/// `path` percent-encoded for an SQLite `file:` URI.
/// Opens a live database of the clinic data to read, leaving its folder as
/// it was: a database with a write-ahead log already beside it is opened
/// read-only (its side files exist, and a reader neither makes nor removes
/// them); one without is opened immutable (nothing is made, and there are no
/// logged writes to miss).
pub fn open_live_read_only(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let mut wal = path.as_os_str().to_os_string();
    wal.push("-wal");
    let c = if Path::new(&wal).exists() {
        crate::untrusted_db::open(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?
    } else {
        crate::untrusted_db::open(
            format!("file:{}?immutable=1", uri_path(path)),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )?
    };
    c.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(c)
}

pub(crate) fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Records of the live data not yet synchronized (`None` when the data
/// has no queue): the clinic app's own rule
/// ([`crate::clinic_app::ClinicApp::unsynced_records`]).
pub fn unsynced_outbox(data_dir: &Path) -> Option<u64> {
    crate::clinic_app::current().unsynced_records(data_dir)
}

/// A sink that keeps only the users database, under `root`, for a dry run
/// (the whole payload is still read and checked).
pub struct UsersSink {
    root: PathBuf,
}

impl UsersSink {
    /// A sink writing `root/data/users.db`.
    pub fn new(root: &Path) -> UsersSink {
        UsersSink {
            root: root.to_path_buf(),
        }
    }
}

impl EntrySink for UsersSink {
    fn entry(&mut self, entry: &Entry, data: &mut dyn Read) -> Result<()> {
        if entry.path != USERS_DB {
            return Ok(());
        }
        let dir = self.root.join("data");
        crate::fsutil::private_dir(&dir)?;
        let path = dir.join("users.db");
        let mut f = crate::fsutil::create_private(&path)
            .map_err(|e| Error::io(t!("ops-doing-reading-backup-users"), &path, e))?;
        std::io::copy(data, &mut f)
            .map_err(|e| Error::io(t!("ops-doing-reading-backup-users"), &path, e))?;
        Ok(())
    }
}

/// A private temporary folder beside `data/`, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `home/.carevault-tmp-users-<id>-<random>`, first removing
    /// any such folder a killed dry run left (the caller holds the
    /// operation lock, so none is in use).
    pub fn create(home: &Path, id: &str) -> Result<TempDir> {
        let prefix = format!("{}users-", crate::fsutil::TEMP_PREFIX);
        for e in std::fs::read_dir(home).into_iter().flatten().flatten() {
            let stale = e.file_name().to_string_lossy().starts_with(&prefix)
                && e.file_type().is_ok_and(|t| t.is_dir());
            if stale {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = home.join(format!(
            "{}users-{id}-{:08x}",
            crate::fsutil::TEMP_PREFIX,
            rand::random::<u32>()
        ));
        std::fs::DirBuilder::new()
            .mode(crate::fsutil::PRIVATE_DIR_MODE)
            .create(&dir)
            .map_err(|e| Error::io(t!("ops-doing-creating-temp-folder"), &dir, e))?;
        Ok(TempDir(dir))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

use std::os::unix::fs::DirBuilderExt;

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Before a restore starts: what changes, the policy check (a refusal
/// names who may do it) and, over existing data, the sync guard, held
/// until the restore ends so no synchronization starts meanwhile.
pub fn before_start(
    permit: &crate::auth::Permit<crate::auth::Restore>,
    req: &super::RestoreRequest<'_>,
    opened: &crate::archive::reader::Opened,
    wait_sync: Option<std::time::Duration>,
    progress: &dyn crate::Progress,
) -> Result<(Changes, Option<crate::hostlock::LockGuard>)> {
    use crate::provenance::policy;
    let home = permit.home();
    let sealed = &opened.metadata.sealed;
    let provenance = crate::provenance::trust::assess(home, opened.signed.as_ref())?;
    let found = policy::found_at(home, req.file);
    let needs_admin = policy::needs_admin(&provenance, found, sealed.encrypted);
    let replaces = !crate::auth::is_first_run(home);
    let data = crate::layout::data_dir(home);
    let config = replaces
        .then(|| crate::appconfig::AppConfig::read(&data).ok())
        .flatten();
    let changes = Changes {
        provenance,
        found,
        needs_admin,
        facility: Change {
            now: config.as_ref().map(|c| c.facility.clone()),
            after: sealed.facility.clone(),
        },
        device: Change {
            now: config.as_ref().map(|c| c.device_name.clone()),
            after: sealed.device.clone(),
        },
        users_now: if replaces {
            users_in(&data).unwrap_or_default()
        } else {
            vec![]
        },
        users_after: None,
        unsynced_outbox: if replaces {
            unsynced_outbox(&data)
        } else {
            None
        },
    };
    if req.dry_run {
        return Ok((changes, None));
    }
    policy::check_restore(
        permit.user(),
        permit.role(),
        replaces,
        changes.needs_admin.as_ref(),
    )?;
    let guard = if replaces {
        Some(sync_guard(
            home,
            wait_sync,
            changes.unsynced_outbox,
            progress,
        )?)
    } else {
        None
    };
    Ok((changes, guard))
}

/// The backup's guard against a running synchronization: a shared hold on
/// the sync lock, waiting up to `wait` for one to end.
fn sync_guard(
    home: &Path,
    wait: Option<std::time::Duration>,
    unsynced: Option<u64>,
    progress: &dyn crate::Progress,
) -> Result<crate::hostlock::LockGuard> {
    crate::hostlock::when_sync_idle(home, wait, progress)?.ok_or_else(|| {
        let message = match (wait.is_some(), unsynced) {
            (true, Some(n)) => t!("ops-restore-sync-running-after-wait-unsynced", n = n),
            (true, None) => t!("ops-restore-sync-running-after-wait"),
            (false, Some(n)) => t!("ops-restore-sync-running-unsynced", n = n),
            (false, None) => t!("ops-restore-sync-running"),
        };
        Error::new(
            crate::Kind::Busy,
            message,
            t!("ops-restore-sync-running-advice"),
        )
    })
}

/// A dry run reads the backup's users database (the whole payload is read
/// and checked on the way) so the plan can say who the users will be.
pub fn read_users_dry_run(
    home: &Path,
    opened: &mut crate::archive::reader::Opened,
    key: Option<&crate::archive::keys::BackupKey>,
    manifest: &crate::format::manifest::Manifest,
    copy: &crate::archive::reader::ManifestCopy,
    changes: &mut Changes,
) -> Result<()> {
    if !manifest.entries.iter().any(|e| e.path == USERS_DB) {
        changes.users_after = Some(vec![]);
        return Ok(());
    }
    let tmp = TempDir::create(home, &opened.metadata.sealed.id)?;
    let mut sink = UsersSink::new(tmp.path());
    opened.stream(key, manifest, copy, &mut sink, &crate::NoProgress)?;
    changes.users_after = Some(users_in(&tmp.path().join("data"))?);
    Ok(())
}
