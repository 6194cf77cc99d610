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
