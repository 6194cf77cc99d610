//! Creating a backup: plan what to save, pin every database at one instant,
//! stream everything into one temporary file, fsync, rename, fsync the folder.

use crate::appconfig::AppConfig;
use crate::archive::keys::{self, BackupKey};
use crate::archive::writer::{
    rewrite_head, write_container, Compression, ContainerPlan, FileSource,
};
use crate::audit::{self, Event, Outcome};
use crate::auth::{Create, Permit};
use crate::error::{Error, Kind, Result};
use crate::format::container::{payload_name, PASSPHRASE_SLOT_NAME, RECOVERY_SLOT_NAME};
use crate::format::manifest::{AppSettings, Manifest};
use crate::format::metadata::{
    CreatedAt, KeySlot, Location, Metadata, Sealed, SlotKind, MAX_LABEL_CHARS,
};
use crate::format::{FORMAT_NAME, FORMAT_VERSION};
use crate::fsutil::{self, TempFile};
use crate::i18n::{t, Text};
use crate::media::{Medium, Resolved};
use crate::profile::Profile;
use crate::{layout, snapshot, Progress, SecretString};
use serde::Serialize;
use sha2::Digest;
use std::path::{Path, PathBuf};

/// Where a backup goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A medium of the profile (Private, Public, External).
    Medium(Medium),
    /// A folder given by path; the External policy applies to it.
    Folder(PathBuf),
}

/// What to back up and how.
pub struct BackupRequest {
    /// Where the file goes.
    pub target: Target,
    /// Label; one is made from the time when `None`.
    pub label: Option<String>,
    /// Passphrase; `None` = unencrypted (where the policy allows it).
    pub passphrase: Option<SecretString>,
    /// Recovery public keys (`age1...`) that can also unlock it.
    pub recovery_keys: Vec<String>,
    /// scrypt work factor of the passphrase slot.
    pub scrypt_log_n: u8,
    /// Compression settings.
    pub compression: Compression,
    /// Wait up to this long for a running synchronization to end.
    pub wait_sync: Option<std::time::Duration>,
    /// Read the written file back and check every byte before it is
    /// reported as made (the default). Off only for benchmarks.
    pub verify: bool,
    /// An import's creator and creation time, recorded instead of the
    /// acting user and the current time.
    pub origin: Option<Origin>,
}

/// Who made the data of an imported backup, and when (UTC).
#[derive(Debug, Clone)]
pub struct Origin {
    /// The creator's name as the imported file records it.
    pub created_by: String,
    /// Its creation time.
    pub created_at: jiff::Timestamp,
}

impl BackupRequest {
    /// A request with the profile's settings for `target`.
    pub fn new(profile: &Profile, target: Target) -> BackupRequest {
        BackupRequest {
            target,
            label: None,
            passphrase: None,
            recovery_keys: Vec::new(),
            scrypt_log_n: profile.encryption.work_factor,
            compression: profile.compression(),
            wait_sync: None,
            verify: true,
            origin: None,
        }
    }
}

/// What a backup produced.
#[derive(Debug, Clone, Serialize)]
pub struct BackupOutcome {
    /// The backup file.
    pub path: PathBuf,
    /// The medium it went to, and whether External fell back to Public.
    pub destination: Resolved,
    /// Its readable metadata.
    pub metadata: Metadata,
    /// File size in bytes.
    pub size: u64,
    /// Entries stored.
    pub entries: usize,
    /// Bytes of clinic data stored (before compression).
    pub data_bytes: u64,
    /// Milliseconds the write barrier was held (the longest an app writer waited on us).
    pub barrier_ms: f64,
    /// Files in the data folder that were not stored, with the reason.
    pub skipped: Vec<String>,
    /// Rows per key table.
    pub rows: std::collections::BTreeMap<String, u64>,
    /// Whether the file was read back and checked before it was kept.
    pub verified: bool,
}

/// What the data folder holds, split by kind.
pub struct DataPlan {
    /// Databases: (entry path, file path).
    pub databases: Vec<(String, PathBuf)>,
    /// Other regular files.
    pub files: Vec<FileSource>,
    /// Things not stored (links, devices...), with the reason.
    pub skipped: Vec<String>,
}

fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| &head == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// Walks `home/data` and sorts what it finds into databases and files.
pub fn plan_data(home: &Path) -> Result<DataPlan> {
    let data = layout::data_dir(home);
    if !data.is_dir() {
        return Err(Error::new(
            Kind::NotFound,
            t!("ops-backup-no-data"),
            t!("ops-backup-no-data-advice"),
        )
        .at(&data));
    }
    let mut plan = DataPlan {
        databases: vec![],
        files: vec![],
        skipped: vec![],
    };
    let mut stack = vec![data.clone()];
    while let Some(dir) = stack.pop() {
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| Error::io(t!("ops-doing-listing-data-folder"), &dir, e))?
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::io(t!("ops-doing-listing-data-folder"), &dir, e))?;
        names.sort_by_key(|e| e.file_name());
        for de in names.into_iter().rev() {
            let path = de.path();
            let rel = path.strip_prefix(home).unwrap_or(&path);
            let Some(entry_path) = rel.to_str().map(str::to_string) else {
                // In the process's language (the front end prints them).
                plan.skipped
                    .push(t!("ops-backup-skip-not-utf8", path = path.display()).text());
                continue;
            };
            let ft = de
                .file_type()
                .map_err(|e| Error::io(t!("ops-doing-inspecting-data-file"), &path, e))?;
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                let name = de.file_name().to_string_lossy().into_owned();
                let sidecar = ["-wal", "-shm", "-journal"]
                    .iter()
                    .find(|s| name.ends_with(*s));
                if let Some(s) = sidecar {
                    let base = path.with_file_name(&name[..name.len() - s.len()]);
                    if is_sqlite(&base) {
                        continue;
                    }
                    // The reader refuses such a name beside a stored file
                    // (it would act as that file's SQLite side file).
                    if base.is_file() {
                        plan.skipped.push(
                            t!(
                                "ops-backup-skip-side-file",
                                path = &entry_path,
                                base = base.display()
                            )
                            .text(),
                        );
                        continue;
                    }
                }
                if crate::format::manifest::check_entry_path(&entry_path).is_err() {
                    plan.skipped
                        .push(t!("ops-backup-skip-unsafe-name", path = &entry_path).text());
                } else if is_sqlite(&path) {
                    plan.databases.push((entry_path, path));
                } else {
                    let size = de
                        .metadata()
                        .map_err(|e| Error::io(t!("ops-doing-inspecting-data-file"), &path, e))?
                        .len();
                    plan.files.push(FileSource { entry_path, size });
                }
            } else {
                plan.skipped
                    .push(t!("ops-backup-skip-not-regular", path = &entry_path).text());
            }
        }
    }
    plan.databases.sort();
    plan.files.sort_by(|a, b| a.entry_path.cmp(&b.entry_path));
    plan.files.shrink_to_fit();
    Ok(plan)
}

/// A new backup ID: UTC time plus randomness, sortable.
pub fn new_id(now: jiff::Timestamp) -> String {
    use rand::Rng;
    let r: u32 = rand::thread_rng().gen();
    format!("{}-{r:08x}", now.strftime("%Y%m%d-%H%M%S"))
}

/// Resolves where a backup goes and checks the encryption policy, before
/// any work starts.
pub fn destination(
    profile: &Profile,
    home: &Path,
    target: &Target,
    encrypted: bool,
) -> Result<Resolved> {
    match target {
        Target::Medium(m) => profile.media.resolve_for_backup(home, *m, encrypted),
        Target::Folder(dir) => {
            profile.media.check_policy(Medium::External, encrypted)?;
            Ok(Resolved {
                medium: Medium::External,
                dir: dir.clone(),
                fell_back: false,
                note: None,
            })
        }
    }
}

/// Checks, before any work (and before asking for a passphrase), that a
/// backup to `target` is allowed; a refusal is audited like any other.
pub fn preflight(permit: &Permit<Create>, target: &Target, encrypted: bool) -> Result<Resolved> {
    let home = permit.home();
    let result = Profile::load(home).and_then(|p| destination(&p, home, target, encrypted));
    if let Err(e) = &result {
        audit::append(
            home,
            &Event::new(permit.user(), "create", Outcome::Refused)
                .reason(&e.message_in(crate::i18n::Lang::En)),
        )?;
    }
    result
}

/// Checks a label a person chose: 1 to [`MAX_LABEL_CHARS`] characters of
/// plain text (no control characters, not only blanks). The one rule for
/// the CLI and the web, applied again when a backup is made.
pub fn check_label(label: Option<&str>) -> Result<()> {
    match label {
        Some(l)
            if l.chars().count() > MAX_LABEL_CHARS
                || l.chars().any(char::is_control)
                || l.trim().is_empty() =>
        {
            Err(Error::new(
                Kind::Usage,
                t!("ops-backup-bad-label", max = MAX_LABEL_CHARS),
                t!("ops-backup-bad-label-advice"),
            ))
        }
        _ => Ok(()),
    }
}

/// Makes a backup, audited. Holds the operation lock; refuses (or waits,
/// if asked) while a synchronization runs.
pub fn create(
    permit: &Permit<Create>,
    req: &BackupRequest,
    progress: &dyn Progress,
) -> Result<BackupOutcome> {
    create_as(permit.home(), permit.user(), Kind_::Manual, req, progress)
}

/// Makes a backup of the data staged in the app home `staging` (an import)
/// for the permit's user. The caller audits it in the permit's home.
pub fn create_staged(
    permit: &Permit<Create>,
    staging: &Path,
    req: &BackupRequest,
    progress: &dyn Progress,
) -> Result<BackupOutcome> {
    // Signed with this installation's device key, not one of the staging home.
    create_inner(
        staging,
        permit.home(),
        permit.user(),
        Kind_::Manual,
        req,
        progress,
    )
}

/// Manual or automatic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind_ {
    Manual,
    Automatic,
}

pub(crate) fn create_as(
    home: &Path,
    user: &str,
    kind: Kind_,
    req: &BackupRequest,
    progress: &dyn Progress,
) -> Result<BackupOutcome> {
    let result = create_inner(home, home, user, kind, req, progress);
    let action = if kind == Kind_::Automatic {
        "automatic backup"
    } else {
        "create"
    };
    let event = match &result {
        Ok(o) => Event::new(user, action, Outcome::Success)
            .backup(&o.metadata.sealed.id)
            .medium(o.metadata.sealed.location.as_str()),
        Err(e) => Event::new(
            user,
            action,
            if e.kind() == Kind::Busy || e.kind() == Kind::Usage {
                Outcome::Refused
            } else {
                Outcome::Failure
            },
        )
        .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    audit::append(home, &event)?;
    result
}

fn wait_for_sync(
    home: &Path,
    wait: Option<std::time::Duration>,
    progress: &dyn Progress,
) -> Result<crate::hostlock::LockGuard> {
    crate::hostlock::when_sync_idle(home, wait, progress)?.ok_or_else(|| {
        Error::new(
            Kind::Busy,
            if wait.is_some() {
                t!("ops-backup-sync-running-after-wait")
            } else {
                t!("ops-backup-sync-running")
            },
            t!("ops-backup-sync-running-advice"),
        )
    })
}

/// Backs up the data of `home`; `signer` is the app home whose device key
/// signs it (the same home, except for an import's staging home).
fn create_inner(
    home: &Path,
    signer: &Path,
    user: &str,
    kind: Kind_,
    req: &BackupRequest,
    progress: &dyn Progress,
) -> Result<BackupOutcome> {
    let profile = Profile::load(home)?;
    let encrypted = req.passphrase.is_some();
    // Every new passphrase meets the rule, except the device secret of an
    // automatic backup (256 random bits, never typed).
    if let (Some(pass), true) = (&req.passphrase, kind != Kind_::Automatic) {
        crate::passphrase::check_new_secret(pass, &[user])?;
    }
    let dest = destination(&profile, home, &req.target, encrypted)?;
    let _op = crate::hostlock::HostLock::Operation
        .try_exclusive(home)
        .map_err(|e| {
            Error::io(
                t!("ops-doing-taking-operation-lock"),
                layout::data_dir(home),
                e,
            )
        })?
        .ok_or_else(busy_error)?;
    crate::restore::recover(home)?;
    check_label(req.label.as_deref())?;
    let label = req.label.clone();
    let recipients: Vec<age::x25519::Recipient> = req
        .recovery_keys
        .iter()
        .map(|k| keys::parse_recipient(k))
        .collect::<Result<_>>()?;
    if req.passphrase.is_none() && !recipients.is_empty() {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-backup-recovery-needs-passphrase"),
            t!("ops-backup-recovery-needs-passphrase-advice"),
        ));
    }
    let mut plan = plan_data(home)?;
    let sync_guard = wait_for_sync(home, req.wait_sync, progress)?;
    std::fs::create_dir_all(&dest.dir)
        .map_err(|e| Error::io(t!("ops-doing-creating-backup-folder"), &dest.dir, e))?;
    if dest.medium == crate::media::Medium::Private && matches!(req.target, Target::Medium(_)) {
        fsutil::private_dir(&layout::private_dir(home))?;
        fsutil::private_dir(&dest.dir)?;
    }
    fsutil::clean_stale_temps(&dest.dir);

    let config = AppConfig::read(&layout::data_dir(home))?;
    let now = req
        .origin
        .as_ref()
        .map_or_else(jiff::Timestamp::now, |o| o.created_at);
    let id = new_id(now);
    let label = label.unwrap_or_else(|| {
        let prefix = if kind == Kind_::Automatic {
            "Automatic"
        } else {
            "Backup"
        };
        format!("{prefix}-{}", now.strftime("%Y-%m-%d-%H%M%S"))
    });
    let key = encrypted.then(BackupKey::generate);
    let mut slots: Vec<(String, Vec<u8>)> = Vec::new();
    let mut key_slots = Vec::new();
    // The passphrase slot costs scrypt's whole work (0.75 s and 256 MiB at
    // work factor 18): it is computed on another thread while the payload
    // streams, and a placeholder of its exact length holds its place.
    let pending_slot = match (&key, &req.passphrase) {
        (Some(key), Some(pass)) => Some((key, pass)),
        _ => None,
    };
    if let Some((key, _)) = pending_slot {
        let len = keys::passphrase_slot_len(key, req.scrypt_log_n)?;
        slots.push((PASSPHRASE_SLOT_NAME.into(), vec![0u8; len]));
        if !recipients.is_empty() {
            slots.push((
                RECOVERY_SLOT_NAME.into(),
                keys::recovery_slot(key, &recipients)?,
            ));
        }
    }
    for (name, bytes) in &slots {
        key_slots.push(KeySlot {
            name: name.clone(),
            kind: if name == PASSPHRASE_SLOT_NAME {
                SlotKind::Passphrase
            } else {
                SlotKind::Recovery
            },
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
        });
    }
    let location = match &req.target {
        Target::Folder(_) => Location::Folder,
        Target::Medium(_) => dest.medium.into(),
    };
    let metadata = Metadata {
        sealed: Sealed {
            format: FORMAT_NAME.into(),
            format_version: FORMAT_VERSION,
            format_minor: crate::format::origin::FORMAT_MINOR,
            id: id.clone(),
            label,
            created_at: CreatedAt::new(now),
            created_by: req
                .origin
                .as_ref()
                .map_or(user, |o| &o.created_by)
                .to_string(),
            location,
            encrypted,
            automatic: kind == Kind_::Automatic,
            app_version: env!("CARGO_PKG_VERSION").into(),
            facility: config.facility.clone(),
            device: config.device_name.clone(),
            payload: payload_name(encrypted).into(),
            recovery_recipients: req
                .recovery_keys
                .iter()
                .map(|k| k.trim().to_string())
                .collect(),
        },
        key_slots,
    };

    check_head_writable(&metadata, &slots)?;
    let mut tmp = TempFile::create(&dest.dir, &format!("{id}.partial"))?;
    let (dbs, barrier_ms) = snapshot::pin_all(home, &plan.databases)?;
    // The snapshot is pinned: a synchronization may start now.
    drop(sync_guard);
    let recipient = key.as_ref().map(|k| k.recipient());
    let cplan = ContainerPlan {
        home,
        metadata: &metadata,
        slots: &slots,
        recipient: recipient.as_ref(),
        settings: AppSettings {
            realm: config.realm.clone(),
            sync_endpoint: config.sync_endpoint.clone(),
        },
        barrier_ms,
        mtime: now.as_second().max(0) as u64,
        compression: req.compression,
    };
    let tmp_path = tmp.path().to_path_buf();
    let log_n = req.scrypt_log_n;
    let (written, slot) = std::thread::scope(|s| {
        let job = pending_slot
            .map(|(key, pass)| s.spawn(move || keys::passphrase_slot(key, pass, log_n)));
        let written = write_container(
            &mut crate::fault::Checked::new(tmp.file(), &tmp_path),
            &cplan,
            &dbs,
            std::mem::take(&mut plan.files),
            progress,
        );
        if job.as_ref().is_some_and(|h| !h.is_finished()) {
            // The payload is written and scrypt still runs: say so rather
            // than sit at 100 %.
            progress.start(crate::Phase::KeyDerivation, 0);
        }
        let slot = job.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(Error::internal(t!("ops-internal-slot-not-made"))))
        });
        (written, slot)
    });
    let with_path = |e: Error| {
        if e.path().is_none() {
            e.at(&tmp_path)
        } else {
            e
        }
    };
    let (manifest, head_len) = written.map_err(with_path)?;
    drop(dbs);
    let mtime = cplan.mtime;
    let mut metadata = metadata;
    if let Some(bytes) = slot.transpose()? {
        if bytes.len() != slots[0].1.len() {
            return Err(Error::internal(t!(
                "ops-internal-slot-size",
                size = bytes.len(),
                reserved = slots[0].1.len()
            )));
        }
        metadata.key_slots[0].sha256 = hex::encode(sha2::Sha256::digest(&bytes));
        slots[0].1 = bytes;
        rewrite_head(
            &mut crate::fault::Checked::new(tmp.file(), &tmp_path),
            &metadata,
            &slots,
            mtime,
            head_len,
        )
        .map_err(with_path)?;
    }
    // The device key signs the finished container (format 1.1 origin parts).
    crate::provenance::sign_container(signer, tmp.file(), &tmp_path, mtime).map_err(with_path)?;
    // What a reader would refuse is never reported as made.
    manifest.check_writable()?;
    // What the outcome reports of the manifest, taken before the read-back:
    // the reader builds its own copy and index of it, and holding both
    // made a backup's peak memory grow by ~0.3 KiB per file.
    let (entries, data_bytes, rows) = (
        manifest.entries.len(),
        manifest.total_size(),
        key_rows(&manifest),
    );
    drop(manifest);
    if req.verify {
        crate::verify::check_written(&tmp_path, &metadata, key.as_ref(), progress)?;
    }
    let size = tmp
        .file()
        .metadata()
        .map_err(|e| Error::io(t!("ops-doing-measuring-backup"), &tmp_path, e))?
        .len();
    let final_path = dest.dir.join(file_name(&id));
    tmp.persist(&final_path)?;
    Ok(BackupOutcome {
        path: final_path,
        destination: dest,
        metadata,
        size,
        entries,
        data_bytes,
        barrier_ms,
        skipped: plan.skipped,
        rows,
        verified: req.verify,
    })
}

/// The readable details and key slots must pass the reader's own rules
/// before anything is written (an over-long facility name in the app's
/// settings, too many recovery keys): the reader's parser is the judge.
fn check_head_writable(metadata: &Metadata, slots: &[(String, Vec<u8>)]) -> Result<()> {
    use crate::format::limits::MAX_SLOT_BYTES;
    let refuse = |what: Text| {
        Err(Error::new(
            Kind::Usage,
            t!("ops-backup-head-unwritable", what = what),
            t!("ops-backup-head-unwritable-advice"),
        ))
    };
    if let Err(e) = Metadata::parse_marked(
        &metadata.to_bytes(),
        Some((
            crate::format::FORMAT_VERSION,
            crate::format::origin::FORMAT_MINOR,
        )),
    ) {
        return refuse(t!(
            "ops-backup-head-breaks-rules",
            problem = Error::from(e).message_text()
        ));
    }
    if let Some((name, _)) = slots.iter().find(|(_, b)| b.len() as u64 > MAX_SLOT_BYTES) {
        return refuse(t!(
            "ops-backup-slot-too-large",
            name = name,
            max = MAX_SLOT_BYTES
        ));
    }
    Ok(())
}

/// The file name of backup `id`.
pub fn file_name(id: &str) -> String {
    format!("Backup-{id}.bin")
}

/// Rows of the clinic app's key tables in a manifest
/// ([`crate::clinic_app::ClinicApp::key_tables`]).
pub fn key_rows(m: &Manifest) -> std::collections::BTreeMap<String, u64> {
    crate::clinic_app::current()
        .key_tables()
        .iter()
        .filter_map(|t| m.rows(t.table).map(|n| (t.table.to_string(), n)))
        .collect()
}

/// The error for a second concurrent operation.
pub fn busy_error() -> Error {
    Error::new(Kind::Busy, t!("ops-busy"), t!("ops-busy-advice"))
}
