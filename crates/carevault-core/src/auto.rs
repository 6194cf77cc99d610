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
    pub reason: String,
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
            "the device secret is damaged",
            "move private/device-secret away; a new one is made on the next automatic backup",
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

fn age_hours(created_at: &str, now: jiff::Timestamp) -> Option<f64> {
    let t: jiff::Timestamp = created_at.parse().ok()?;
    Some((now.as_second() - t.as_second()) as f64 / 3600.0)
}

/// Runs the schedule once: back up if due, then apply retention.
pub fn run(home: &Path, progress: &dyn Progress) -> Result<AutoOutcome> {
    let profile = Profile::load(home)?;
    let private = layout::private_backups(home);
    let now = jiff::Timestamp::now();
    let autos = |dir: &Path| -> Vec<catalog::Listed> {
        catalog::scan(&[dir.to_path_buf()])
            .into_iter()
            .filter(|l| l.metadata.as_ref().is_some_and(|m| m.sealed.automatic))
            .collect()
    };
    let newest_age = autos(&private).first().and_then(|l| {
        age_hours(
            &l.metadata.as_ref().expect("filtered").sealed.created_at,
            now,
        )
    });
    let interval = profile.auto.interval_hours as f64;
    let (made, reason) = match newest_age {
        Some(age) if age < interval => (
            None,
            format!(
                "the newest automatic backup is {age:.1} h old (interval {interval} h): none due"
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
                Some(age) => format!(
                    "the newest automatic backup was {age:.1} h old (interval {interval} h)"
                ),
                None => "there was no automatic backup yet".to_string(),
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
        if profile.offsite.is_some() && !crate::offsite_state::is_offsite(home, &id) {
            continue;
        }
        std::fs::remove_file(&old.path)
            .map_err(|e| Error::io("removing an old automatic backup", &old.path, e))?;
        audit::append(
            home,
            &Event::new("auto", "retention delete", Outcome::Success)
                .backup(&id)
                .medium("Private"),
        )?;
        deleted.push(old.path);
    }
    if !deleted.is_empty() {
        crate::fsutil::sync_dir(&private)?;
    }
    Ok(AutoOutcome {
        made,
        reason,
        deleted,
    })
}
