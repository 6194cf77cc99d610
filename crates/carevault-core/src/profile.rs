//! The profile (`carevault.toml` in the app home): settings with sensible
//! defaults when the file or a key is absent.
//!
//! ```toml
//! [encryption]
//! work_factor = 18        # scrypt log2(N) for new passphrase slots (10..=20)
//! max_work_factor = 18    # highest accepted when opening a backup (10..=22)
//!
//! [compression]
//! level = 3               # zstd level (1..=19)
//! workers = 2             # zstd threads; 0 = on the calling thread
//! ```

use crate::archive::keys::{DEFAULT_MAX_SCRYPT_LOG_N, DEFAULT_SCRYPT_LOG_N};
use crate::archive::writer::Compression;
use crate::error::{Error, Kind, Result};
use crate::i18n::{t, Lang, Text};
use serde::Deserialize;
use std::path::Path;

mod offsite;
pub use offsite::{expand_prefix, is_safe_key_part, OffsiteSettings, DEFAULT_PREFIX};

/// File name of the profile inside an app home.
pub const PROFILE_NAME: &str = "carevault.toml";

/// Encryption settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncryptionSettings {
    /// scrypt work factor for new passphrase slots.
    pub work_factor: u8,
    /// Highest work factor accepted when reading.
    pub max_work_factor: u8,
}

impl Default for EncryptionSettings {
    fn default() -> Self {
        EncryptionSettings {
            work_factor: DEFAULT_SCRYPT_LOG_N,
            max_work_factor: DEFAULT_MAX_SCRYPT_LOG_N,
        }
    }
}

/// Compression settings as written in the profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompressionSettings {
    /// zstd level.
    pub level: i32,
    /// zstd worker threads.
    pub workers: u32,
}

impl Default for CompressionSettings {
    fn default() -> Self {
        let c = Compression::default();
        CompressionSettings {
            level: c.level,
            workers: c.workers,
        }
    }
}

/// The whole profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Encryption.
    pub encryption: EncryptionSettings,
    /// Compression.
    pub compression: CompressionSettings,
    /// Media and their encryption policy.
    pub media: crate::media::MediaSettings,
    /// Automatic backups.
    pub auto: AutoSettings,
    /// Offsite copies to object storage; `None`: not configured.
    pub offsite: Option<OffsiteSettings>,
    /// The language people are shown.
    pub ui: UiSettings,
}

/// What people see (`[ui]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiSettings {
    /// The facility's language (`en`, `fr`): the command line and the web
    /// app use it whatever the tablet's locale or browser says. Empty: the
    /// command line follows `LC_ALL`/`LC_MESSAGES`/`LANG`, the web app the
    /// browser's languages; English when neither is one of the catalogue's.
    pub language: String,
}

/// Automatic backups (`carevault auto`, and the server's schedule).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoSettings {
    /// Make an automatic backup when the newest is older than this.
    pub interval_hours: u64,
    /// Automatic backups kept in Private (manual ones are never deleted).
    pub keep: usize,
    /// Recovery public keys added to every automatic backup.
    pub recovery_keys: Vec<String>,
}

impl Default for AutoSettings {
    fn default() -> Self {
        AutoSettings {
            interval_hours: 24,
            keep: 5,
            recovery_keys: Vec::new(),
        }
    }
}

impl Profile {
    /// Loads `home/carevault.toml`, or the defaults when it does not exist.
    pub fn load(home: &Path) -> Result<Profile> {
        let path = home.join(PROFILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Profile::default()),
            Err(e) => return Err(Error::io(t!("ops-doing-reading-profile"), &path, e)),
        };
        let p: Profile = toml::from_str(&text).map_err(|e| {
            Error::new(
                Kind::Usage,
                t!("ops-profile-unreadable", err = e.to_string()),
                t!("ops-profile-fix-advice"),
            )
            .at(&path)
        })?;
        let bad = |what: Text| {
            Err(Error::new(
                Kind::Usage,
                t!("ops-profile-invalid", what = what),
                t!("ops-profile-fix-advice"),
            )
            .at(&path))
        };
        if !(10..=20).contains(&p.encryption.work_factor) {
            return bad(t!("ops-profile-invalid-work-factor"));
        }
        if !(10..=22).contains(&p.encryption.max_work_factor) {
            return bad(t!("ops-profile-invalid-max-work-factor"));
        }
        p.media.validate().map_err(|e| e.at(&path))?;
        if let Some(o) = &p.offsite {
            o.validate().map_err(|e| e.at(&path))?;
        }
        if !p.ui.language.is_empty() && Lang::from_tag(&p.ui.language).is_none() {
            return bad(t!("ops-profile-invalid-language"));
        }
        if !(1..=19).contains(&p.compression.level) || p.compression.workers > 16 {
            return bad(t!("ops-profile-invalid-compression"));
        }
        Ok(p)
    }

    /// The facility's language, when the profile names one.
    pub fn language(&self) -> Option<Lang> {
        Lang::from_tag(&self.ui.language)
    }

    /// The compression to use.
    pub fn compression(&self) -> Compression {
        Compression {
            level: self.compression.level,
            workers: self.compression.workers,
        }
    }
}

#[cfg(test)]
mod doc_tests {
    use super::*;

    /// docs/PROFILE.md's example names every section and key the code
    /// reads, with the defaults, and the code accepts it as written.
    #[test]
    fn the_documented_profile_is_every_key_with_its_default() {
        let doc = include_str!("../../../docs/PROFILE.md");
        let start = doc.find("```toml\n").expect("a toml block") + 8;
        let block = &doc[start..start + doc[start..].find("```").unwrap()];
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(PROFILE_NAME), block).unwrap();
        let p = Profile::load(t.path()).expect("the documented profile loads");
        let d = Profile::default();
        assert_eq!(p.encryption.work_factor, d.encryption.work_factor);
        assert_eq!(p.encryption.max_work_factor, d.encryption.max_work_factor);
        assert_eq!(p.compression.level, d.compression.level);
        assert_eq!(p.ui.language, d.ui.language);
        assert_eq!(p.media.public, Some(DEFAULT_PUBLIC_PATH.into()));
        assert_eq!(
            p.media.downloads,
            Some(crate::media::DEFAULT_DOWNLOADS.into())
        );
        assert_eq!(p.media.external_roots, d.media.external_roots);
        assert_eq!(p.media.require_encryption, d.media.require_encryption);
        assert_eq!(p.auto.interval_hours, d.auto.interval_hours);
        assert_eq!(p.auto.keep, d.auto.keep);
        assert_eq!(p.auto.recovery_keys, d.auto.recovery_keys);
        // Every key of every section is in the block.
        let v: toml::Table = toml::from_str(block).unwrap();
        let keys = |s: &str| -> Vec<String> {
            let mut k: Vec<_> = v[s].as_table().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys("encryption"), ["max_work_factor", "work_factor"]);
        assert_eq!(keys("compression"), ["level", "workers"]);
        assert_eq!(
            keys("media"),
            [
                "downloads",
                "external_roots",
                "public",
                "require_encryption"
            ]
        );
        assert_eq!(keys("auto"), ["interval_hours", "keep", "recovery_keys"]);
    }

    const DEFAULT_PUBLIC_PATH: &str = crate::media::DEFAULT_PUBLIC;
}
