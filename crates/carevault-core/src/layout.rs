//! Where things live inside an app home.
use std::path::{Path, PathBuf};

/// The clinic data: what a backup saves and a restore brings back.
pub fn data_dir(home: &Path) -> PathBuf {
    home.join("data")
}

/// The app's configuration file inside the data (realm, endpoint, facility, device).
pub fn app_config(home: &Path) -> PathBuf {
    data_dir(home).join("config").join("app.toml")
}

/// The Private medium and other app-private state, never replaced by a restore.
pub fn private_dir(home: &Path) -> PathBuf {
    home.join("private")
}

/// Default folder of Private backups.
pub fn private_backups(home: &Path) -> PathBuf {
    private_dir(home).join("backups")
}

/// Checks that `home` is an app home a command can work on: a folder that
/// exists. Says what is wrong with it (exit 3 when it is not there, 2 when
/// it is not a folder), before anything asks for a password: a mistyped
/// `--home` must not read as a wrong password.
pub fn check_home(home: &Path) -> crate::Result<()> {
    use crate::{i18n::t, Error, Kind};
    let what = || t!("core-home-advice");
    match std::fs::metadata(home) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::new(Kind::Usage, t!("core-home-is-file"), what()).at(home)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::new(Kind::NotFound, t!("core-home-missing"), what()).at(home))
        }
        Err(e) => Err(Error::io(t!("core-doing-opening-home"), home, e)),
    }
}

/// Checks that `home` has users to log in as (`data/users.db`), after
/// [`check_home`]: a home without them is a fresh install or the wrong
/// folder, never a wrong password.
pub fn check_has_users(home: &Path) -> crate::Result<()> {
    use crate::{i18n::t, Error, Kind};
    check_home(home)?;
    let users = data_dir(home).join("users.db");
    if users.symlink_metadata().is_ok() {
        return Ok(());
    }
    Err(Error::new(
        Kind::NotFound,
        t!("core-home-no-users"),
        t!("core-home-no-users-advice"),
    )
    .at(home))
}
