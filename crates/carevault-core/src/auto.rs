//! Automatic backups: a Private backup when the newest automatic one is
//! older than the configured interval, encrypted with a random device
//! secret kept in `private/` (never a guessable name) plus any configured
//! recovery keys; then retention keeps the newest N automatic backups and
//! never touches manual ones. With `[offsite]` configured it also keeps
//! every automatic backup that is not offsite yet.

use crate::archive::keys::Unlock;
use crate::audit::{self, Event, Outcome};
use crate::backup::{self, BackupOutcome, BackupRequest, Kind_, Target};
use crate::error::{Error, Result};
use crate::i18n::{t, Text};
use crate::media::Medium;
use crate::profile::Profile;
use crate::{catalog, layout, Progress, SecretString};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What one run of the schedule did.
#[derive(Debug, Clone, Serialize)]
pub struct AutoOutcome {
    /// The backup made, if one was due.
    pub made: Option<BackupOutcome>,
    /// Why (or why not), in plain words.
    #[serde(serialize_with = "crate::i18n::serialize_text")]
    pub reason: Text,
    /// Automatic backups removed by retention.
    pub deleted: Vec<PathBuf>,
}

fn secret_path(home: &Path) -> PathBuf {
    layout::private_dir(home).join("device-secret")
}

/// The device secret, created (256 random bits, mode 0600) on first use.
pub fn device_secret(home: &Path) -> Result<SecretString> {
    let path = secret_path(home);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let t = text.trim();
        if t.len() == 64 {
            return Ok(SecretString::from(t.to_string()));
        }
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = hex::encode(bytes);
    // Created once (O_EXCL|O_NOFOLLOW, 0600, 0700 folder); a secret another
    // process made meanwhile wins, so no backup is sealed with a lost one.
    if !crate::fsutil::create_once(&path, secret.as_bytes())? {
        if let Some(Unlock::Passphrase(p)) = device_unlock(home) {
            return Ok(p);
        }
        return Err(Error::new(
            crate::Kind::Io,
            t!("ops-auto-secret-damaged"),
            t!("ops-auto-secret-damaged-advice"),
        )
        .at(&path));
    }
    Ok(SecretString::from(secret))
}

/// The unlock for automatic backups of this device, if its secret exists.
pub fn device_unlock(home: &Path) -> Option<Unlock> {
    let text = std::fs::read_to_string(secret_path(home)).ok()?;
    let t = text.trim();
    (t.len() == 64).then(|| Unlock::Passphrase(SecretString::from(t.to_string())))
}

fn age_hours(created_at: jiff::Timestamp, now: jiff::Timestamp) -> f64 {
    (now.as_second() - created_at.as_second()) as f64 / 3600.0
}

/// Runs the schedule once: back up if due, then apply retention.
pub fn run(home: &Path, progress: &dyn Progress) -> Result<AutoOutcome> {
    let profile = Profile::load(home)?;
    let private = layout::private_backups(home);
    let now = jiff::Timestamp::now();
    // Only this device's own automatic backups count, and none dated in the
    // future: a file planted in Private that claims to be automatic (its
    // readable details say so, unsigned or signed elsewhere) or that is
    // dated ahead would otherwise stop the schedule or push the real ones
    // out of the newest `keep`.
    let trust = crate::provenance::trust::TrustStore::load(home).ok();
    let soon = now + jiff::SignedDuration::from_mins(5);
    let autos = |dir: &Path| -> Vec<catalog::Listed> {
        catalog::scan(&[dir.to_path_buf()])
            .into_iter()
            .filter(|l| {
                l.metadata
                    .as_ref()
                    .is_some_and(|m| m.sealed.automatic && m.sealed.created_at.timestamp() <= soon)
            })
            .filter(|l| {
                trust.as_ref().is_some_and(|t| {
                    t.assess(l.signed.as_ref()).level == crate::provenance::TrustLevel::ThisDevice
                })
            })
            .collect()
    };
    let newest_age = autos(&private).first().map(|l| {
        age_hours(
            l.metadata
                .as_ref()
                .expect("filtered")
                .sealed
                .created_at
                .timestamp(),
            now,
        )
    });
    let interval = profile.auto.interval_hours as f64;
    let (made, reason) = match newest_age {
        Some(age) if age < interval => (
            None,
            t!(
                "ops-auto-none-due",
                age = format!("{age:.1}"),
                interval = interval.to_string()
            ),
        ),
        _ => {
            let mut req = BackupRequest::new(&profile, Target::Medium(Medium::Private));
            req.passphrase = Some(device_secret(home)?);
            // The device secret is 256 random bits: a costly KDF adds nothing.
            req.scrypt_log_n = 10;
            req.recovery_keys = profile.auto.recovery_keys.clone();
            let out = backup::create_as(home, "auto", Kind_::Automatic, &req, progress)?;
            let why = match newest_age {
                Some(age) => t!(
                    "ops-auto-was-due",
                    age = format!("{age:.1}"),
                    interval = interval.to_string()
                ),
                None => t!("ops-auto-first"),
            };
            (Some(out), why)
        }
    };
    let mut deleted = Vec::new();
    for old in autos(&private).into_iter().skip(profile.auto.keep.max(1)) {
        let id = old
            .metadata
            .as_ref()
            .map(|m| m.sealed.id.clone())
            .unwrap_or_default();
        // With offsite copies configured, a backup leaves the tablet only
        // once a copy is offsite: it may be the only one there is. (Only the
        // local file is deleted: retention never touches the store.)
        if profile.offsite.is_some()
            && !crate::offsite_state::records(home)
                .is_ok_and(|m| m.get(&id).is_some_and(|r| r.size == old.size))
        {
            continue;
        }
        // Through the storage seam, as every delete.
        let name = old
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::internal(t!("ops-internal-listed-without-name")))?;
        crate::store::Store::delete(&crate::store::FolderStore::new(&private, "Private"), name)?;
        audit::append(
            home,
            &Event::new("auto", "retention delete", Outcome::Success)
                .backup(&id)
                .medium("Private"),
        )?;
        deleted.push(old.path);
    }
    Ok(AutoOutcome {
        made,
        reason,
        deleted,
    })
}
