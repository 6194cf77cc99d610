//! The clinic app's own settings (`data/config/app.toml`): realm, sync
//! endpoint, facility and device name. Read, never written, by carevault.

use crate::error::{Error, Kind, Result};
use crate::i18n::t;
use serde::Deserialize;
use std::path::Path;

/// The app's settings that a backup records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AppConfig {
    /// Realm the app synchronises with.
    #[serde(default)]
    pub realm: String,
    /// Sync endpoint URL.
    #[serde(default)]
    pub sync_endpoint: String,
    /// Facility name.
    #[serde(default)]
    pub facility: String,
    /// Device name.
    #[serde(default)]
    pub device_name: String,
}

impl AppConfig {
    /// Reads the settings of the data folder `data`; missing file = empty settings.
    pub fn read(data: &Path) -> Result<AppConfig> {
        let path = data.join("config").join("app.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AppConfig::default()),
            Err(e) => return Err(Error::io(t!("core-doing-reading-app-settings"), &path, e)),
        };
        toml::from_str(&text).map_err(|e| {
            Error::new(
                Kind::Usage,
                t!("core-app-settings-invalid", err = e.to_string()),
                t!("core-app-settings-invalid-advice"),
            )
            .at(&path)
        })
    }
}
