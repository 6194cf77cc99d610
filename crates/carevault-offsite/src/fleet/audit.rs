//! The read-only auditor: downloads backups (a sample or all) and checks
//! each without the passphrase: its size and SHA-256 against its sidecar,
//! the container, readable metadata and key slots
//! ([`carevault_core::archive::reader::Opened`]), and the device signature
//! (checked by `Opened` through the provenance module) against the
//! sidecar's `signed_by`.

use super::index::{classify, ObjectKind};
use super::parse;
use crate::{Config, S3Store};
use carevault_core::archive::reader::Opened;
use carevault_core::error::Result;
use carevault_core::i18n::{t, Text};
use carevault_core::store::Store;
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// A backup that failed a check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Damaged {
    /// Its key under the fleet prefix.
    pub key: String,
    pub facility: String,
    pub device: String,
    pub message: String,
}

/// What the auditor found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditReport {
    /// Backups in the store.
    pub listed: u64,
    /// Backups downloaded and checked.
    pub checked: u64,
    /// Of those, the ones that passed every check.
    pub ok: u64,
    pub damaged: Vec<Damaged>,
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(h.finalize()));
        }
        h.update(&buf[..n]);
    }
}

/// Checks one downloaded backup against its sidecar; `Err` says why not.
fn check_one(store: &S3Store, file: &str, size: u64, work: &Path) -> std::result::Result<(), Text> {
    let side = store
        .get_small(&format!("backups/{file}.json"), parse::MAX_OBJECT)
        .map_err(|e| t!("offsite-audit-sidecar-unreadable", error = e.message_text()))?;
    // The parser's words are the index's (kept in English).
    let side =
        parse::sidecar(&side, file).map_err(|m| t!("offsite-audit-sidecar-unusable", why = m))?;
    if side.size != size {
        return Err(t!(
            "offsite-audit-size",
            listed = size.to_string(),
            sidecar = side.size.to_string()
        ));
    }
    let to = work.join(file);
    let _ = std::fs::remove_file(&to);
    let got = store.fetch(file, size, &to, &carevault_core::NoProgress);
    let result = got
        .map_err(|e| t!("offsite-audit-download-failed", error = e.message_text()))
        .and_then(|()| {
            let sum = sha256_file(&to)
                .map_err(|e| t!("offsite-audit-download-unreadable", error = &e))?;
            if sum != side.sha256 {
                return Err(t!("offsite-audit-sha256"));
            }
            let opened = Opened::open(&to)
                .map_err(|e| t!("offsite-audit-checks-fail", error = e.message_text()))?;
            if opened.metadata.sealed.id != side.backup {
                return Err(t!("offsite-audit-other-backup"));
            }
            let signer = opened.signed.as_ref().map(|s| s.key_id.clone());
            if signer != side.signed_by {
                let name = |k: Option<&str>| match k {
                    Some(k) => carevault_core::i18n::Arg::from(k),
                    None => carevault_core::i18n::Arg::from(t!("offsite-audit-unsigned")),
                };
                return Err(t!(
                    "offsite-audit-other-signer",
                    signature = name(signer.as_deref()),
                    sidecar = name(side.signed_by.as_deref())
                ));
            }
            Ok(())
        });
    let _ = std::fs::remove_file(&to);
    result
}

/// Audits the backups under `cfg`'s prefix: all of them, or a random
/// sample of `sample`. Downloads go to `work` (an empty folder the caller
/// owns) one at a time and are removed after their check.
pub fn run(cfg: &Config, sample: Option<usize>, work: &Path) -> Result<AuditReport> {
    let root = S3Store::new(cfg)?;
    let mut backups: Vec<(String, u64)> = Vec::new();
    root.list_pages("", |page| {
        backups.extend(
            page.into_iter()
                .filter(|o| matches!(classify(&o.name), Some((_, _, ObjectKind::Backup, _))))
                .map(|o| (o.name, o.size)),
        );
        Ok(())
    })?;
    let listed = backups.len() as u64;
    if let Some(n) = sample {
        if n < backups.len() {
            let mut rng = rand::thread_rng();
            let mut picked: Vec<usize> =
                rand::seq::index::sample(&mut rng, backups.len(), n).into_vec();
            picked.sort_unstable();
            backups = picked.into_iter().map(|i| backups[i].clone()).collect();
        }
    }
    let mut report = AuditReport {
        listed,
        checked: 0,
        ok: 0,
        damaged: Vec::new(),
    };
    for (key, size) in backups {
        let Some((fac, dev, _, file)) = classify(&key) else {
            continue;
        };
        let store = S3Store::with_prefix(cfg, &format!("{}{fac}/{dev}/", cfg.prefix))?;
        report.checked += 1;
        match check_one(&store, file, size, work) {
            Ok(()) => report.ok += 1,
            Err(message) => report.damaged.push(Damaged {
                key: key.clone(),
                facility: fac.to_string(),
                device: dev.to_string(),
                // The report is the command line's: its language.
                message: message.text(),
            }),
        }
    }
    Ok(report)
}

/// Makes a fresh private folder for the auditor's downloads under `base`.
pub fn work_dir(base: &Path) -> Result<std::path::PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = base.join(format!(
        "{}audit-{}-{:08x}",
        carevault_core::fsutil::TEMP_PREFIX,
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| crate::fail::io(t!("offsite-doing-making-audit-folder"), &dir, e))?;
    Ok(dir)
}
