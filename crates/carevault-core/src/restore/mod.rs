//! Restoring a backup: plan, then apply.
//!
//! 1. Open and unlock the backup, read its manifest (checked against the
//!    readable metadata). A dry run stops here and returns the plan.
//! 2. Check free space ("need X, have Y").
//! 3. Extract into a staging folder beside `data/`, checking every byte
//!    (names, types, sizes, hashes, MACs) as it streams.
//! 4. Check every database, on worker threads as soon as it is written
//!    (see `dbcheck`): a `quick_check` and the rows per table against the
//!    manifest; and the checks of `PRAGMA integrity_check` (split into one
//!    `integrity_check(TABLE)` per table) unless the backup sealed its own
//!    passing `integrity_check` of the very bytes the entry's SHA-256
//!    proves (`--full-check` runs them anyway).
//! 5. Under the write barrier, swap the staged folder and `data/` in one
//!    atomic `renameat2(RENAME_EXCHANGE)`; the old data becomes a safety
//!    copy under `safety-copies/`, never deleted.
//!
//! Until step 5 the live data is untouched; a failure removes the staging
//! folder. A crash at any point is repaired by [`recover`], which every
//! operation runs first: it either discards an unswapped staging folder or
//! files an already-swapped one as the safety copy.

mod apply;
pub mod changes;
mod checks;
mod dbcheck;
mod sink;

pub(crate) use apply::exchange;
pub use apply::{recover, recover_if_idle, safety_dir};
pub use changes::Changes;
pub use checks::Check;

use crate::archive::keys::Unlock;
use crate::archive::reader::Opened;
use crate::audit::{self, Event, Outcome};
use crate::auth::{Permit, Restore as RestoreAction};
use crate::error::{Error, Kind, Result};
use crate::format::metadata::Sealed;
use crate::fsutil::free_space;
use crate::hostlock::HostLock;
use crate::i18n::t;
use crate::units::human_size;
use crate::{layout, Progress};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a restore will do (all a dry run does is compute this).
#[derive(Debug, Clone, Serialize)]
pub struct RestorePlan {
    /// The backup file.
    pub file: PathBuf,
    /// Its sealed details.
    pub backup: Sealed,
    /// The data folder that will be replaced.
    pub target: PathBuf,
    /// Whether there is data to replace (it will be kept as a safety copy).
    pub replaces_existing: bool,
    /// Files and bytes in the current data folder.
    pub current_files: u64,
    /// Bytes in the current data folder.
    pub current_bytes: u64,
    /// Entries and bytes the backup will write.
    pub backup_entries: usize,
    /// Bytes the backup will write.
    pub backup_bytes: u64,
    /// Free space needed on the app home's storage.
    pub space_needed: u64,
    /// Free space available there.
    pub space_available: u64,
    /// Provenance, facility, device, users and roles, unsynchronized
    /// outbox records: what changes besides the data.
    pub changes: Changes,
    /// Patients in the clinic data now (absent without a `patients` table).
    pub patients_now: Option<u64>,
    /// Patients in the backup (from its manifest).
    pub patients_in_backup: Option<u64>,
}

/// What a finished restore did and found.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// The plan it carried out.
    pub plan: RestorePlan,
    /// Where the replaced data was kept, if there was any.
    pub safety_copy: Option<PathBuf>,
    /// Database integrity results and key figures against the manifest.
    pub checks: Vec<Check>,
}

/// A restore request (into the home of the permit).
pub struct RestoreRequest<'a> {
    /// The backup file.
    pub file: &'a Path,
    /// Passphrase or recovery key (encrypted backups).
    pub unlock: Option<&'a Unlock>,
    /// Highest scrypt work factor accepted.
    pub max_log_n: u8,
    /// Only compute the plan.
    pub dry_run: bool,
    /// The backup ID the user chose, when they chose it from a listing:
    /// the restore refuses (nothing changed, before any key is derived)
    /// unless the file carries this ID, in its readable metadata and again
    /// in its sealed copy. This holds against a file replaced by another
    /// backup between the listing and the restore; only a signature says
    /// who made a file (a forger can write any ID into one of their own).
    pub expect_id: Option<&'a str>,
}

/// The outcome: a plan (dry run) or a report.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RestoreOutcome {
    /// Dry run: what would happen.
    Plan(RestorePlan),
    /// Done.
    Restored(RestoreReport),
}

/// Files and bytes under `dir` (links are not followed).
pub(crate) fn tree_size(dir: &Path) -> (u64, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => {
                    files += 1;
                    bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                }
                _ => {}
            }
        }
    }
    (files, bytes)
}

/// Disk space a restore of `manifest` needs: every file rounded up to whole
/// 4 KiB blocks, a block per folder, 2% and 1 MiB to spare.
fn space_needed(manifest: &crate::format::manifest::Manifest) -> u64 {
    const B: u64 = 4096;
    let files = manifest.entries.iter().fold(0u64, |t, e| {
        t.saturating_add(e.size.div_ceil(B).saturating_mul(B))
    });
    let folders: std::collections::HashSet<&str> = manifest
        .entries
        .iter()
        .filter_map(|e| e.path.rsplit_once('/').map(|(d, _)| d))
        .collect();
    let total = files.saturating_add(folders.len() as u64 * B);
    total.saturating_add(total / 50).saturating_add(1024 * 1024)
}

/// Restores (or plans restoring) a backup into the permit's app home. A
/// real restore is audited (after the swap: the audit trail lives in
/// `private/`, which a restore never replaces).
pub fn restore(
    permit: &Permit<RestoreAction>,
    req: &RestoreRequest<'_>,
    progress: &dyn Progress,
) -> Result<RestoreOutcome> {
    restore_waiting(permit, req, None, progress)
}

/// Like [`restore`], waiting up to `wait_sync` for a running
/// synchronization to end before a restore over existing data.
pub fn restore_waiting(
    permit: &Permit<RestoreAction>,
    req: &RestoreRequest<'_>,
    wait_sync: Option<std::time::Duration>,
    progress: &dyn Progress,
) -> Result<RestoreOutcome> {
    restore_confirmed(permit, req, wait_sync, None, progress)
}

/// Asked, over existing clinic data, once the staged data passed every
/// check and before anything is replaced: `true` to go on. The plan it is
/// shown holds the backup's time and author, the patients now and in the
/// backup, and the unsynchronized outbox records the restore would lose.
pub type Confirm<'a> = &'a (dyn Fn(&RestorePlan) -> bool + Sync);

/// Like [`restore_waiting`], asking `confirm` (when given) before a
/// restore over existing clinic data replaces it. A "no" ends the restore
/// with nothing changed (exit 2), audited as refused.
pub fn restore_confirmed(
    permit: &Permit<RestoreAction>,
    req: &RestoreRequest<'_>,
    wait_sync: Option<std::time::Duration>,
    confirm: Option<Confirm<'_>>,
    progress: &dyn Progress,
) -> Result<RestoreOutcome> {
    restore_checked(permit, req, wait_sync, confirm, false, progress)
}

/// Like [`restore_confirmed`]; with `full_check`, every database gets the
/// whole `integrity_check` even where the backup sealed a passing one
/// (`restore --full-check`). Without it, a database of an encrypted
/// backup whose manifest entry carries `"integrity_check": "ok"` is checked
/// by its SHA-256 (identity with the snapshot the backup checked), a
/// `quick_check` and its row counts; any other gets the whole check. An
/// unencrypted backup's manifest is not authenticated (anyone may rewrite
/// it with its hashes), so its sealed verdict is never relied on.
pub fn restore_checked(
    permit: &Permit<RestoreAction>,
    req: &RestoreRequest<'_>,
    wait_sync: Option<std::time::Duration>,
    confirm: Option<Confirm<'_>>,
    full_check: bool,
    progress: &dyn Progress,
) -> Result<RestoreOutcome> {
    let result = restore_inner(permit, req, wait_sync, confirm, full_check, progress);
    if req.dry_run {
        return result;
    }
    let mut event = match &result {
        Ok(_) => Event::new(permit.user(), "restore", Outcome::Success),
        // The staged data failed a check, or the restore could not start:
        // nothing was replaced.
        Err(e)
            if matches!(
                e.kind(),
                Kind::CheckFailed | Kind::Busy | Kind::PermissionDenied | Kind::Usage
            ) =>
        {
            Event::new(permit.user(), "restore", Outcome::Refused)
                .reason(&e.message_in(crate::i18n::Lang::En))
        }
        Err(e) => Event::new(permit.user(), "restore", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    // The backup restored, or the one chosen; the file is read again for
    // its ID only when neither is known (it may have changed since).
    let id = match (&result, req.expect_id) {
        (Ok(RestoreOutcome::Restored(r)), _) => Some(r.plan.backup.id.clone()),
        (_, Some(chosen)) => Some(chosen.to_string()),
        _ => crate::catalog::id_of(req.file),
    };
    if let Some(id) = id {
        event = event.backup(&id);
    }
    audit::append(permit.home(), &event)?;
    if let Ok(RestoreOutcome::Restored(report)) = &result {
        // The data is restored either way: a record that cannot be written
        // is removed rather than left naming an older backup.
        let home = permit.home();
        if crate::restored_from::record_restore(home, permit.user(), &report.plan.backup).is_err() {
            let _ = crate::restored_from::clear(home);
        }
    }
    result
}

/// Refuses a file that no longer holds the backup the user chose
/// ([`RestoreRequest::expect_id`]).
fn check_expected(req: &RestoreRequest<'_>, opened: &Opened) -> Result<()> {
    let (Some(want), got) = (req.expect_id, &opened.metadata.sealed.id) else {
        return Ok(());
    };
    if got == want {
        return Ok(());
    }
    Err(Error::new(
        Kind::CheckFailed,
        t!("ops-restore-file-changed", want = want, got = got),
        t!("ops-restore-file-changed-advice"),
    )
    .at(req.file))
}

fn restore_inner(
    permit: &Permit<RestoreAction>,
    req: &RestoreRequest<'_>,
    wait_sync: Option<std::time::Duration>,
    confirm: Option<Confirm<'_>>,
    full_check: bool,
    progress: &dyn Progress,
) -> Result<RestoreOutcome> {
    let home = permit.home();
    std::fs::create_dir_all(home).map_err(|e| Error::io(t!("ops-doing-creating-home"), home, e))?;
    let _op = HostLock::Operation
        .try_exclusive(home)
        .map_err(|e| Error::io(t!("ops-doing-taking-operation-lock"), home, e))?
        .ok_or_else(crate::backup::busy_error)?;
    recover(home)?;
    let first_run = crate::auth::is_first_run(home);
    let mut opened = Opened::open(req.file)?;
    // Before any key is derived: a replacement with another passphrase is
    // refused as a replacement, not counted as a wrong passphrase.
    check_expected(req, &opened)?;
    // Who may restore this backup, and the sync guard, before any work.
    let (changes, _sync) = changes::before_start(permit, req, &opened, wait_sync, progress)?;
    let key = opened.unlock_reporting(req.unlock, req.max_log_n, progress)?;
    let (manifest, manifest_copy) = opened.manifest(key.as_ref())?;
    // Again on the authenticated copy: the manifest binds the readable
    // metadata to the sealed one.
    check_expected(req, &opened)?;
    let target = layout::data_dir(home);
    let (current_files, current_bytes) = tree_size(&target);
    let backup_bytes = manifest.total_size();
    let mut plan = RestorePlan {
        file: req.file.to_path_buf(),
        backup: opened.metadata.sealed.clone(),
        replaces_existing: target.exists(),
        target: target.clone(),
        current_files,
        current_bytes,
        backup_entries: manifest.entries.len(),
        backup_bytes,
        // Staged files as the file system stores them (whole blocks, a
        // block per folder), plus room for SQLite's journal while the mode
        // is set back.
        space_needed: space_needed(&manifest),
        space_available: free_space(home)?,
        changes,
        patients_now: crate::preview::live_rows(
            &target,
            crate::clinic_app::current().patients_table(),
        ),
        patients_in_backup: manifest.rows(crate::clinic_app::current().patients_table()),
    };
    if req.dry_run {
        changes::read_users_dry_run(
            home,
            &mut opened,
            key.as_ref(),
            &manifest,
            &manifest_copy,
            &mut plan.changes,
        )?;
        return Ok(RestoreOutcome::Plan(plan));
    }
    if plan.space_available < plan.space_needed {
        return Err(Error::new(
            Kind::NoSpace,
            t!(
                "ops-restore-no-space",
                need = human_size(plan.space_needed),
                have = human_size(plan.space_available)
            ),
            t!(
                "ops-restore-no-space-advice",
                missing = human_size(plan.space_needed - plan.space_available),
                home = home.display()
            ),
        )
        .at(home));
    }
    let staging = apply::Staging::create(home, &opened.metadata.sealed.id)?;
    let mut sink = sink::StagingSink::new(staging.root(), full_check || key.is_none());
    opened.stream(key.as_ref(), &manifest, &manifest_copy, &mut sink, progress)?;
    crate::stop_point::stop_point(crate::stop_point::RESTORE_STREAMED);
    let db_results = sink.finish()?;
    let db_checks = checks::check_staged(staging.root(), &manifest, db_results)?;
    plan.changes.users_after = Some(changes::users_in(&layout::data_dir(staging.root()))?);
    // Count what the swap is about to put live: once the write barrier is
    // released the app may write again, and its changes are not the backup's.
    let report = checks::report(staging.root(), &manifest)?;
    // Every check runs on the staged data, before anything is replaced: a
    // difference is a refusal, and the clinic data stays as it was.
    checks::refuse_differences(&report)?;
    if let Some(ask) = confirm {
        if !first_run && !ask(&plan) {
            return Err(Error::new(
                Kind::Usage,
                t!("ops-restore-not-confirmed"),
                t!("ops-restore-not-confirmed-advice"),
            ));
        }
    }
    let safety_copy = staging.swap_in(home, &opened.metadata.sealed, permit.user())?;
    let mut checks = db_checks;
    checks.extend(report);
    Ok(RestoreOutcome::Restored(RestoreReport {
        plan,
        safety_copy,
        checks,
    }))
}
