//! One function per command: gather inputs, call the library, print.

use super::args::{BackupArgs, Cli, Command, ListArgs};
use super::output::{local_time, print_json, print_listing};
use super::progress::Bar;
use super::secrets;
use carevault_core::backup::{self, BackupRequest};
use carevault_core::fsutil::human_size;
use carevault_core::profile::Profile;
use carevault_core::restore::{self, RestoreOutcome, RestoreRequest};
use carevault_core::{catalog, layout, rekey, verify, Error, Kind, Result};
use serde_json::json;
use std::path::{Path, PathBuf};

pub fn dispatch(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Demo(args) => super::demo::run(args, json),
        Command::Backup(args) => cmd_backup(&args, json),
        Command::Verify { file, unlock, home } => {
            let profile = Profile::load(&home.home)?;
            let opened = carevault_core::archive::reader::Opened::open(&file)?;
            let how = if opened.metadata.sealed.encrypted {
                Some(secrets::unlock(
                    unlock.passphrase_file.as_deref(),
                    unlock.identity.as_deref(),
                )?)
            } else {
                None
            };
            drop(opened);
            let bar = Bar::new();
            let r = verify::verify(
                &file,
                how.as_ref(),
                profile.encryption.max_work_factor,
                &bar,
            )?;
            drop(bar);
            if json {
                print_json(&json!({"result": "verified", "report": r}));
            } else {
                println!(
                    "OK: {} verified ({} entries, {} of data, file {})",
                    r.metadata.sealed.label,
                    r.entries,
                    human_size(r.data_bytes),
                    human_size(r.size)
                );
                print_rows(&r.rows);
            }
            Ok(())
        }
        Command::Restore {
            file,
            home,
            unlock,
            dry_run,
        } => cmd_restore(&file, &home.home, &unlock, dry_run, json),
        Command::List(args) => {
            let items = catalog::list(&folders(&args));
            if json {
                print_json(&json!({ "backups": items }));
            } else {
                print_listing(&items);
            }
            Ok(())
        }
        Command::Show {
            backup,
            list,
            unlock,
            contents,
        } => cmd_show(&backup, &list, &unlock, contents, json),
        Command::Delete { backup, list } => {
            let path = catalog::find(&folders(&list), &backup)?;
            let gone = catalog::delete(&list.home.home, &path)?;
            if json {
                print_json(&json!({"result": "deleted", "backup": gone}));
            } else {
                println!("Deleted {}", gone.path.display());
            }
            Ok(())
        }
        Command::Rekey {
            file,
            unlock,
            new_passphrase_file,
            home,
        } => {
            let profile = Profile::load(&home.home)?;
            let old = secrets::unlock(
                unlock.passphrase_file.as_deref(),
                unlock.identity.as_deref(),
            )?;
            let new = secrets::passphrase(
                new_passphrase_file.as_deref(),
                "CAREVAULT_NEW_PASSPHRASE",
                "New passphrase",
                true,
            )?;
            rekey::rekey(
                &file,
                &old,
                &new,
                profile.encryption.work_factor,
                profile.encryption.max_work_factor,
            )?;
            if json {
                print_json(&json!({"result": "rekeyed", "path": file}));
            } else {
                println!(
                    "The passphrase of {} was changed; the old one no longer opens it.",
                    file.display()
                );
            }
            Ok(())
        }
        Command::Keygen { out } => {
            let (secret, public) = carevault_core::generate_recovery_key();
            write_secret_file(&out, secret.expose())?;
            if json {
                print_json(&json!({"public_key": public, "secret_key_file": out}));
            } else {
                println!(
                    "Recovery key written to {} (keep it offline, e.g. at the facility office).",
                    out.display()
                );
                println!("Public key (give this to backups with --recovery-key): {public}");
            }
            Ok(())
        }
    }
}

trait Expose {
    fn expose(&self) -> &str;
}
impl Expose for carevault_core::SecretString {
    fn expose(&self) -> &str {
        use age::secrecy::ExposeSecret;
        self.expose_secret()
    }
}

fn write_secret_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::new(
                    Kind::Usage,
                    "the key file already exists",
                    "choose another file name; an existing key is never overwritten",
                )
                .at(path)
            } else {
                Error::io("writing the key file", path, e)
            }
        })?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("writing the key file", path, e))
}

pub fn folders(args: &ListArgs) -> Vec<PathBuf> {
    let mut v = vec![layout::private_backups(&args.home.home)];
    v.extend(args.dirs.iter().cloned());
    v
}

fn print_rows(rows: &std::collections::BTreeMap<String, u64>) {
    for (t, n) in rows {
        println!("  {t:<14} {n}");
    }
}

pub fn cmd_backup(args: &BackupArgs, json: bool) -> Result<()> {
    let home = &args.home.home;
    let profile = Profile::load(home)?;
    let (dest, location) = match &args.to {
        Some(d) => (d.clone(), "Folder".to_string()),
        None => (layout::private_backups(home), "Private".to_string()),
    };
    let mut req = BackupRequest::new(home, &dest);
    req.location = location;
    req.label = args.label.clone();
    req.created_by = args.user.clone();
    req.recovery_keys = args.recovery_key.clone();
    req.scrypt_log_n = profile.encryption.work_factor;
    req.compression = profile.compression();
    if !args.no_encrypt {
        req.passphrase = Some(secrets::passphrase(
            args.passphrase_file.as_deref(),
            "CAREVAULT_PASSPHRASE",
            "Passphrase for this backup",
            true,
        )?);
    }
    let bar = Bar::new();
    let out = backup::create(&req, &bar)?;
    drop(bar);
    if json {
        print_json(&json!({"result": "created", "backup": out}));
    } else {
        let s = &out.metadata.sealed;
        println!("Backup complete: {} ({})", s.label, s.id);
        println!("  file       {}", out.path.display());
        println!(
            "  size       {} ({} of data in {} entries)",
            human_size(out.size),
            human_size(out.data_bytes),
            out.entries
        );
        println!("  encrypted  {}", if s.encrypted { "yes" } else { "NO" });
        println!("  snapshot   write barrier held {:.1} ms", out.barrier_ms);
        print_rows(&out.rows);
        for s in &out.skipped {
            println!("  not stored: {s}");
        }
    }
    Ok(())
}

pub fn cmd_restore(
    file: &Path,
    home: &Path,
    unlock: &super::args::UnlockArgs,
    dry_run: bool,
    json: bool,
) -> Result<()> {
    let profile = Profile::load(home)?;
    let opened = carevault_core::archive::reader::Opened::open(file)?;
    let how = if opened.metadata.sealed.encrypted {
        Some(secrets::unlock(
            unlock.passphrase_file.as_deref(),
            unlock.identity.as_deref(),
        )?)
    } else {
        None
    };
    drop(opened);
    let bar = Bar::new();
    let req = RestoreRequest {
        home,
        file,
        unlock: how.as_ref(),
        max_log_n: profile.encryption.max_work_factor,
        dry_run,
    };
    let outcome = restore::restore(&req, &bar)?;
    drop(bar);
    if json {
        print_json(&serde_json::to_value(&outcome).expect("json"));
        return Ok(());
    }
    let plan = match &outcome {
        RestoreOutcome::Plan(p) => p,
        RestoreOutcome::Restored(r) => &r.plan,
    };
    let verb = if dry_run { "Would restore" } else { "Restored" };
    println!(
        "{verb} {} ({}), taken {} by {}",
        plan.backup.label,
        plan.backup.id,
        local_time(&plan.backup.created_at),
        plan.backup.created_by
    );
    println!("  into       {}", plan.target.display());
    if plan.replaces_existing {
        println!(
            "  replacing  {} files, {} (kept as a safety copy)",
            plan.current_files,
            human_size(plan.current_bytes)
        );
    }
    println!(
        "  writes     {} entries, {}",
        plan.backup_entries,
        human_size(plan.backup_bytes)
    );
    println!(
        "  space      need {}, have {}",
        human_size(plan.space_needed),
        human_size(plan.space_available)
    );
    if let RestoreOutcome::Restored(r) = &outcome {
        if let Some(s) = &r.safety_copy {
            println!("  safety copy of the replaced data: {}", s.display());
        }
        println!("Verification against the backup's manifest:");
        for c in &r.checks {
            println!(
                "  {} {:<30} expected {:<12} found {}",
                if c.ok { "ok  " } else { "DIFF" },
                c.name,
                c.expected,
                c.actual
            );
        }
        if r.checks.iter().any(|c| !c.ok) {
            return Err(Error::new(
                Kind::CheckFailed,
                "the restored data differs from the backup's manifest",
                "see the lines marked DIFF; the replaced data is in the safety copy",
            ));
        }
    } else {
        println!("Dry run: nothing was changed.");
    }
    Ok(())
}

fn cmd_show(
    what: &str,
    list: &ListArgs,
    unlock: &super::args::UnlockArgs,
    contents: bool,
    json: bool,
) -> Result<()> {
    let path = catalog::find(&folders(list), what)?;
    let mut opened = carevault_core::archive::reader::Opened::open(&path)?;
    let md = opened.metadata.clone();
    let mut manifest = None;
    if contents {
        let profile = Profile::load(&list.home.home)?;
        let how = if md.sealed.encrypted {
            Some(secrets::unlock(
                unlock.passphrase_file.as_deref(),
                unlock.identity.as_deref(),
            )?)
        } else {
            None
        };
        let key = opened.unlock(how.as_ref(), profile.encryption.max_work_factor)?;
        manifest = Some(opened.manifest(key.as_ref())?.0);
    }
    if json {
        let summary = manifest.as_ref().map(|m| json!({
            "entries": m.entries.len(), "data_bytes": m.total_size(), "rows": backup::key_rows(m), "settings": m.settings,
        }));
        print_json(
            &json!({"path": path, "size": opened.file_len, "metadata": md, "contents": summary}),
        );
        return Ok(());
    }
    let s = &md.sealed;
    println!("Label/ID    {} ({})", s.label, s.id);
    println!(
        "Timestamp   {} (UTC {})",
        local_time(&s.created_at),
        s.created_at
    );
    println!("Created By  {}", s.created_by);
    println!("Location    {}", s.location);
    println!("Encrypted   {}", if s.encrypted { "yes" } else { "no" });
    println!("Size        {}", human_size(opened.file_len));
    println!("Facility    {}  Device {}", s.facility, s.device);
    println!(
        "Version     app {}, format {}",
        s.app_version, s.format_version
    );
    println!("File        {}", path.display());
    match manifest {
        Some(m) => {
            println!(
                "Contents    {} entries, {} of data; realm {}, endpoint {}",
                m.entries.len(),
                human_size(m.total_size()),
                m.settings.realm,
                m.settings.sync_endpoint
            );
            print_rows(&backup::key_rows(&m));
        }
        None => println!("Contents    (use --contents with the passphrase to see them)"),
    }
    Ok(())
}
