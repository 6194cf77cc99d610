//! The import: read the whole SanteDB backup into a staging app home,
//! check everything its format allows, then make a normal carevault backup
//! of the staged data with the core's backup creation. The staging folder
//! is removed on success and on failure.

use crate::decomp::{drain_zeros, Compression};
use crate::fail::{damaged, incomplete};
use crate::header::{clean_creator, Layout};
use crate::open::open;
use crate::place::{walk, AssetReport, Placer, TarEnd};
use carevault_core::audit::{self, Event, Outcome};
use carevault_core::auth::{Create, Permit};
use carevault_core::backup::{self, BackupOutcome, BackupRequest, Origin, Target};
use carevault_core::format::metadata::MAX_LABEL_CHARS;
use carevault_core::fsutil::free_space;
use carevault_core::i18n::{t, Text};
use carevault_core::profile::Profile;
use carevault_core::units::human_size;
use carevault_core::{Error, Kind, Progress, Result, SecretString};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Prefix of staging folders in the `--to` folder.
pub const STAGING_PREFIX: &str = ".santedb-import-";

/// The tar stream may be at most this many times the file's size (plus
/// [`CAP_FLOOR`]): far above what clinic data compresses to, far below a
/// decompression bomb.
pub const CAP_RATIO: u64 = 200;
/// See [`CAP_RATIO`].
pub const CAP_FLOOR: u64 = 64 << 20;

/// What to import and how to write the result.
pub struct ImportRequest<'a> {
    /// The SanteDB backup.
    pub file: &'a Path,
    /// Its passphrase (SanteDB's), when it is encrypted.
    pub passphrase: Option<&'a str>,
    /// Folder for the carevault backup.
    pub to: PathBuf,
    /// Label of the carevault backup; one is made from the creation time when `None`.
    pub label: Option<String>,
    /// Passphrase of the carevault backup; `None` = unencrypted (where policy allows).
    pub new_passphrase: Option<SecretString>,
    /// Recovery public keys of the carevault backup.
    pub recovery_keys: Vec<String>,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
}

/// What the SanteDB backup held.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// The file read.
    pub file: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its layout (`tar.gz`, `SDB\x02`, `SDB\x03`, `SB\0BK-2023`, `SB\0BK-2024-01`, `SB\0BK-2024`, `SB\0BK-2025`, `SB\x01BK`).
    pub layout: Layout,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// `gzip`, `bzip2`, or `null` (a bare tar inside bzip2).
    pub compression: Option<&'static str>,
    /// Creation time (UTC, RFC 3339), when the layout records it.
    pub created_at: Option<String>,
    /// Creator, when the layout records it.
    pub creator: Option<String>,
    /// Every asset, as placed.
    pub assets: Vec<AssetReport>,
    /// Bytes of data.
    pub data_bytes: u64,
    /// Things the user should know (password in clear, missing gzip
    /// trailer...). In JSON, rendered in the process's language.
    #[serde(serialize_with = "texts_in_current")]
    pub warnings: Vec<Text>,
}

/// Each text rendered in the process's language
/// ([`carevault_core::i18n::current`]).
fn texts_in_current<S: serde::Serializer>(texts: &[Text], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(texts.iter().map(Text::text))
}

/// The result of an import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    /// `imported` or `plan` (dry run).
    pub result: &'static str,
    /// What the SanteDB backup held.
    pub source: SourceReport,
    /// The carevault backup written (`null` for a dry run).
    pub backup: Option<BackupOutcome>,
}

/// Imports a SanteDB backup; audited as `import` (a dry run is not).
pub fn import(
    permit: &Permit<Create>,
    req: &ImportRequest<'_>,
    progress: &dyn Progress,
) -> Result<ImportOutcome> {
    let made_folder = !req.dry_run && !req.to.exists();
    let result = import_inner(permit, req, progress);
    if result.is_err() && made_folder {
        // A refused import leaves no trace: not even the folder it made.
        let _ = std::fs::remove_dir(&req.to);
    }
    if req.dry_run {
        return result;
    }
    let event = match &result {
        Ok(o) => {
            let b = o.backup.as_ref().expect("a real import writes a backup");
            Event::new(permit.user(), "import", Outcome::Success)
                .backup(&b.metadata.sealed.id)
                .medium(b.metadata.sealed.location.as_str())
                .reason(&format!("from SanteDB backup {}", req.file.display()))
        }
        Err(e) => Event::new(
            permit.user(),
            "import",
            if matches!(e.kind(), Kind::Usage | Kind::Busy | Kind::PermissionDenied) {
                Outcome::Refused
            } else {
                Outcome::Failure
            },
        )
        .reason(&e.message_in(carevault_core::i18n::Lang::En)),
    };
    audit::append(permit.home(), &event)?;
    result
}

fn check_label(label: &Option<String>) -> Result<()> {
    if let Some(l) = label {
        if l.chars().count() > MAX_LABEL_CHARS
            || l.chars().any(char::is_control)
            || l.trim().is_empty()
        {
            return Err(Error::new(
                Kind::Usage,
                t!("santedb-label-rule", max = MAX_LABEL_CHARS),
                t!("santedb-label-rule-advice"),
            ));
        }
    }
    Ok(())
}

/// The folder layouts' and the bug window's tail rules: see `docs/IMPORT.md`.
fn lost_trailer_window(layout: Layout, encrypted: bool, created: Option<jiff::Timestamp>) -> bool {
    // 2025-10-28T00:00:00Z .. 2025-11-20T00:00:00Z
    encrypted
        && matches!(layout, Layout::Sb0Bk2025 | Layout::Sb1Bk)
        && created.is_some_and(|t| (1_761_609_600..1_763_596_800).contains(&t.as_second()))
}

fn import_inner(
    permit: &Permit<Create>,
    req: &ImportRequest<'_>,
    progress: &dyn Progress,
) -> Result<ImportOutcome> {
    let home = permit.home();
    check_label(&req.label)?;
    let profile = Profile::load(home)?;
    let file_len = std::fs::metadata(req.file).map(|m| m.len()).unwrap_or(0);
    if !req.dry_run {
        // The passphrase rule and the policy first, before any work.
        if let Some(pass) = &req.new_passphrase {
            carevault_core::passphrase::check_new_secret(pass, &[permit.user()])?;
        }
        backup::destination(
            &profile,
            home,
            &Target::Folder(req.to.clone()),
            req.new_passphrase.is_some(),
        )?;
        std::fs::create_dir_all(&req.to)
            .map_err(|e| crate::fail::io(t!("santedb-doing-creating-backup-folder"), &req.to, e))?;
    }
    let parent = if req.to.is_dir() {
        req.to.clone()
    } else {
        std::env::temp_dir()
    };
    clean_stale_staging(&parent);
    let free = free_space(&parent)?;
    let need = file_len.saturating_mul(2).saturating_add(32 << 20);
    if free < need {
        return Err(Error::new(
            Kind::NoSpace,
            t!(
                "santedb-no-space",
                need = human_size(need),
                free = human_size(free)
            ),
            t!(
                "santedb-no-space-advice",
                more = human_size(need - free),
                folder = parent.display()
            ),
        )
        .at(&parent));
    }
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&parent)
        .map_err(|e| crate::fail::io(t!("santedb-doing-creating-staging"), &parent, e))?;
    let lock = staging.path().join(".lock");
    // Held while the import runs; written only once held, so that another
    // import's clean-up never mistakes a folder being set up for a stale one.
    let mut lock_file = std::fs::File::create(&lock)
        .map_err(|e| crate::fail::io(t!("santedb-doing-creating-staging"), &lock, e))?;
    if lock_file.try_lock().is_ok() {
        use std::io::Write;
        lock_file
            .write_all(b"import running\n")
            .map_err(|e| crate::fail::io(t!("santedb-doing-creating-staging"), &lock, e))?;
    }
    let shome = staging.path().join("home");
    std::fs::create_dir_all(shome.join("data"))
        .map_err(|e| crate::fail::io(t!("santedb-doing-creating-staging"), &shome, e))?;

    let cap = CAP_FLOOR.saturating_add(file_len.saturating_mul(CAP_RATIO));
    let opened = open(req.file, req.passphrase, cap, progress)?;
    let header = opened.header.clone();
    let diag = opened.diag.clone();
    let mut placer = Placer::new(&shome, header.layout, &header.assets, file_len)?;
    let (end, mut rest) = walk(opened.tar, &diag, &mut placer, cap)?;
    if end == TarEnd::Marker {
        diag.set_tar_complete();
    }
    let mut warnings = Vec::new();
    // The tail: the second end block, the gzip trailer, the padding.
    let tail = drain_zeros(&mut rest);
    let tail_ok =
        matches!(tail, Ok(true)) && (opened.compression.is_none() || diag.compressed_end());
    let window = lost_trailer_window(header.layout, header.iv.is_some(), header.created_at);
    let tail_bad = !tail_ok || end == TarEnd::Eof;
    let complete = end == TarEnd::Marker || header.layout.has_table();
    if tail_bad && !(window && complete) {
        return Err(match tail {
            Err(e) => diag.explain(&e, t!("santedb-doing-end")),
            Ok(false) => damaged(t!("santedb-bytes-after-tar")),
            Ok(true) if end == TarEnd::Eof => incomplete(t!("santedb-tar-no-end-marker")),
            Ok(true) => diag.explain(&std::io::Error::other("end"), t!("santedb-doing-end")),
        });
    }
    placer.finish_table()?;
    if tail_bad {
        warnings.push(t!("santedb-warning-lost-trailer"));
    }
    placer.finish_folder()?;
    warnings.append(&mut placer.notes);
    if header.layout.has_table() && header.assets.is_empty() {
        warnings.push(t!("santedb-warning-no-assets"));
    }
    if !placer.reports.iter().any(|a| a.kind == "sqlite") {
        warnings.push(t!("santedb-warning-no-database"));
    }
    for a in &placer.reports {
        if a.database.as_ref().is_some_and(|d| d.password_in_clear) {
            warnings.push(t!(
                "santedb-warning-password-in-clear",
                asset = format!("{:?}", a.name)
            ));
        }
        if a.class_id
            .as_deref()
            .is_some_and(|c| crate::assets::class_of(c).is_none())
        {
            warnings.push(t!(
                "santedb-warning-unknown-class",
                asset = format!("{:?}", a.name),
                path = &a.path
            ));
        }
    }
    if header
        .creator
        .as_deref()
        .is_some_and(|c| clean_creator(c) != c)
    {
        warnings.push(t!("santedb-warning-creator-replaced"));
    }
    let source = SourceReport {
        file: req.file.to_path_buf(),
        size: file_len,
        layout: header.layout,
        encrypted: header.iv.is_some(),
        compression: opened.compression.map(Compression::name),
        created_at: header
            .created_at
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
        creator: header.creator.clone(),
        data_bytes: placer.reports.iter().map(|a| a.size).sum(),
        assets: placer.reports.clone(),
        warnings,
    };
    if req.dry_run {
        return Ok(ImportOutcome {
            result: "plan",
            source,
            backup: None,
        });
    }
    let profile_file = home.join("carevault.toml");
    if profile_file.exists() {
        std::fs::copy(&profile_file, shome.join("carevault.toml"))
            .map_err(|e| crate::fail::io(t!("santedb-doing-copying-profile"), &profile_file, e))?;
    }
    // This tablet's users come along: a SanteDB backup carries no carevault
    // users, and a restore of the import must not leave the clinic data
    // without anyone who may log in (nor with a first run's open door).
    let users = carevault_core::layout::data_dir(home).join("users.db");
    if users.is_file() {
        let dest = carevault_core::layout::data_dir(&shome).join("users.db");
        let copy = || -> rusqlite::Result<()> {
            let src = rusqlite::Connection::open_with_flags(
                &users,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )?;
            src.busy_timeout(std::time::Duration::from_secs(5))?;
            src.backup(
                rusqlite::MAIN_DB,
                &dest,
                None::<fn(rusqlite::backup::Progress)>,
            )?;
            // Staged databases are in rollback-journal form.
            let d = rusqlite::Connection::open(&dest)?;
            d.pragma_update(None, "journal_mode", "DELETE")?;
            Ok(())
        };
        copy().map_err(|e| {
            Error::new(
                Kind::Io,
                t!("santedb-users-not-copied", error = e.to_string()),
                t!("santedb-users-not-copied-advice"),
            )
            .at(&users)
        })?;
    }
    let scratch = carevault_core::layout::private_dir(&shome).join("db-scratch");
    let _ = std::fs::remove_dir_all(scratch);
    let mut breq = BackupRequest::new(&profile, Target::Folder(req.to.clone()));
    let created = header.created_at.unwrap_or_else(jiff::Timestamp::now);
    breq.label = Some(
        req.label
            .clone()
            .unwrap_or_else(|| format!("SanteDB-{}", created.strftime("%Y-%m-%d-%H%M%S"))),
    );
    breq.passphrase = req.new_passphrase.clone();
    breq.recovery_keys = req.recovery_keys.clone();
    breq.origin = Some(Origin {
        created_by: header
            .creator
            .as_deref()
            .map(clean_creator)
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| permit.user().to_string()),
        created_at: created,
    });
    let out = backup::create_staged(permit, &shome, &breq, progress)?;
    if !out.skipped.is_empty() {
        let _ = std::fs::remove_file(&out.path);
        return Err(Error::internal(t!(
            "santedb-staged-files-left-out",
            files = out.skipped.join("; ")
        )));
    }
    staging
        .close()
        .map_err(|e| crate::fail::io(t!("santedb-doing-removing-staging"), &parent, e))?;
    drop(lock_file);
    Ok(ImportOutcome {
        result: "imported",
        source,
        backup: Some(out),
    })
}

/// Removes staging folders of imports that were killed: their lock file is
/// written (the import had taken it) and no longer locked.
fn clean_stale_staging(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        if !name.to_string_lossy().starts_with(STAGING_PREFIX) {
            continue;
        }
        let lock = e.path().join(".lock");
        if let Ok(f) = std::fs::File::open(&lock) {
            let written = f.metadata().map(|m| m.len() > 0).unwrap_or(false);
            if written && f.try_lock().is_ok() {
                drop(f);
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}
