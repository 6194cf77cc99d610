//! One function per backup command: gather inputs, call the library, print.

use super::args::{BackupArgs, Cli, Command, ListArgs, UnlockArgs};
use super::output::{local_time, local_time_of, print_json, print_listing, yes_no};
use super::progress::Bar;
use super::secrets::{self, Login};
use carevault_core::auth::{self, Create, Delete, Restore, View};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::i18n::t;
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::restore::{self, RestoreOutcome, RestoreRequest};
use carevault_core::units::human_size;
use carevault_core::{catalog, rekey, verify, Error, Kind, Result, Unlock};
use serde_json::json;
use std::path::{Path, PathBuf};

pub fn dispatch(cli: Cli) -> Result<()> {
    let json = cli.json;
    let login = Login {
        user: cli.user.clone(),
        password_file: cli.password_file.clone(),
    };
    // The tests' stop seam, for the two commands the kill tests stop at an
    // exact moment; never for `serve` or any other.
    if matches!(cli.command, Command::Restore { .. } | Command::Rekey { .. }) {
        use carevault_core::stop_point;
        if let Some(moment) = std::env::var_os(stop_point::STOP_AT_ENV) {
            stop_point::arm(&moment.to_string_lossy());
        }
    }
    match cli.command {
        Command::Demo(args) => super::demo::run(args, json),
        Command::Backup(args) => cmd_backup(&login, &args, json),
        Command::Verify {
            backup,
            unlock,
            list,
        } => cmd_verify(&login, &list, &backup, &unlock, json),
        Command::Restore {
            backup,
            list,
            unlock,
            dry_run,
            wait_sync,
            yes,
            full_check,
        } => cmd_restore(
            &login,
            &backup,
            &list,
            &unlock,
            (
                dry_run,
                wait_sync.map(std::time::Duration::from_secs),
                yes,
                full_check,
            ),
            json,
        ),
        Command::List(args) => {
            let permit = login.permit::<View>(&args.home.home)?;
            let items = catalog::list(&permit, &folders(&args)?);
            if json {
                print_json(&json!({ "backups": items }));
            } else {
                let home = &args.home.home;
                let media = Profile::load(home)?.media;
                print_listing(&items, &|l| match media.place_of(home, &l.path) {
                    Some((w, _)) => w.to_string(),
                    None => l.medium.clone().unwrap_or_else(|| "-".into()),
                });
            }
            Ok(())
        }
        Command::Show {
            backup,
            list,
            unlock,
            contents,
        } => cmd_show(&login, &backup, &list, &unlock, contents, json),
        Command::Delete { backup, list } => {
            let permit = login.permit::<Delete>(&list.home.home)?;
            let path = catalog::find(&permit, &folders(&list)?, &backup)?;
            let gone = catalog::delete(&permit, &path)?;
            if json {
                print_json(&json!({"result": "deleted", "backup": gone}));
            } else {
                println!("{}", t!("cli-deleted", path = &gone.path));
            }
            Ok(())
        }
        Command::Rekey {
            backup,
            unlock,
            new_passphrase_file,
            list,
        } => {
            let home = &list.home.home;
            let permit = login.permit::<Create>(home)?;
            let file = catalog::find(&permit, &folders(&list)?, &backup)?;
            let profile = Profile::load(home)?;
            let old = unlock_for(home, &file, &unlock)?.ok_or_else(|| {
                Error::new(
                    Kind::Usage,
                    t!("cli-rekey-not-encrypted"),
                    t!("cli-rekey-not-encrypted-advice"),
                )
            })?;
            let new = secrets::ask(
                new_passphrase_file.as_deref(),
                secrets::Ask::new_passphrase(
                    "--new-passphrase-file",
                    "CAREVAULT_NEW_PASSPHRASE",
                    t!("cli-prompt-new-passphrase"),
                ),
            )?;
            let bar = Bar::new();
            rekey::rekey_reporting(
                &permit,
                &file,
                &old,
                &new,
                profile.encryption.work_factor,
                profile.encryption.max_work_factor,
                &bar,
            )?;
            drop(bar);
            if json {
                print_json(&json!({"result": "rekeyed", "path": file}));
            } else {
                println!("{}", t!("cli-rekeyed", path = &file));
            }
            Ok(())
        }
        Command::Keygen { out } => {
            let (secret, public) = carevault_core::generate_recovery_key();
            {
                use age::secrecy::ExposeSecret;
                write_secret_file(&out, secret.expose_secret())?;
            }
            if json {
                print_json(&json!({"public_key": public, "secret_key_file": out}));
            } else {
                println!("{}", t!("cli-keygen-written", path = &out));
                println!("{}", t!("cli-keygen-public", key = public));
            }
            Ok(())
        }
        Command::Users(a) => super::admin::users(&login, a, json),
        Command::Audit(a) => super::admin::audit(&login, a, json),
        Command::SafetyCopies(a) => super::safety::run(&login, a, json),
        Command::Trust(a) => super::trust::run(&login, a, json),
        Command::Sync(a) => super::admin::sync(a, json),
        Command::Status { home } => super::admin::status(&login, &home.home, json),
        Command::Auto { home } => super::admin::auto(&home.home, json),
        Command::Serve(args) => super::serve::run(&args, json),
        Command::Import(a) => super::import::run(&login, a, json),
        Command::Offsite(a) => super::offsite::run(&login, a, json),
        Command::Fleet(a) => super::fleet::run(a, json),
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
                    t!("cli-key-file-exists"),
                    t!("cli-key-file-exists-advice"),
                )
                .at(path)
            } else {
                Error::io(t!("cli-doing-writing-key-file"), path, e)
            }
        })?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(t!("cli-doing-writing-key-file"), path, e))
}

/// The folders a listing covers: every medium (or the one asked for) plus `--in`.
pub fn folders(args: &ListArgs) -> Result<Vec<PathBuf>> {
    let profile = Profile::load(&args.home.home)?;
    let only = args
        .media
        .as_deref()
        .map(str::parse::<Medium>)
        .transpose()?;
    let mut v: Vec<PathBuf> = profile
        .media
        .listing_dirs(&args.home.home)
        .into_iter()
        .filter(|(m, _)| only.is_none_or(|o| o == *m))
        .map(|(_, d)| d)
        .collect();
    v.extend(args.dirs.iter().cloned());
    v.dedup();
    Ok(v)
}

fn print_rows(rows: &std::collections::BTreeMap<String, u64>) {
    for (t, n) in rows {
        println!("  {t:<14} {n}");
    }
}

/// How to unlock `file` (the core's rule, `unlocking::unlock_for`): what
/// the options or CAREVAULT_PASSPHRASE give, else the device secret for
/// this device's automatic backups, else a prompt.
fn unlock_for(home: &Path, file: &Path, args: &UnlockArgs) -> Result<Option<Unlock>> {
    let given = || {
        let explicit = args.passphrase_file.is_some()
            || args.identity.is_some()
            || std::env::var_os("CAREVAULT_PASSPHRASE").is_some();
        explicit
            .then(|| secrets::unlock(args.passphrase_file.as_deref(), args.identity.as_deref()))
            .transpose()
    };
    carevault_core::unlocking::unlock_for(home, file, given, || secrets::unlock(None, None))
}

fn cmd_verify(
    login: &Login,
    list: &ListArgs,
    what: &str,
    unlock: &UnlockArgs,
    json: bool,
) -> Result<()> {
    let home = &list.home.home;
    let permit = login.permit::<View>(home)?;
    let file = catalog::find(&permit, &folders(list)?, what)?;
    let profile = Profile::load(home)?;
    let how = unlock_for(home, &file, unlock)?;
    let bar = Bar::new();
    let r = verify::verify(
        &permit,
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
            "{}",
            t!(
                "cli-verify-ok",
                label = &r.metadata.sealed.label,
                entries = r.entries,
                data = human_size(r.data_bytes),
                size = human_size(r.size)
            )
        );
        print_rows(&r.rows);
    }
    Ok(())
}

pub fn cmd_backup(login: &Login, args: &BackupArgs, json: bool) -> Result<()> {
    let home = &args.home.home;
    let permit = login.permit::<Create>(home)?;
    let profile = Profile::load(home)?;
    let target = match &args.to {
        Some(d) => Target::Folder(d.clone()),
        None => Target::Medium(args.medium.parse()?),
    };
    let mut req = BackupRequest::new(&profile, target.clone());
    req.label = args.label.clone();
    req.recovery_keys = args.recovery_key.clone();
    req.wait_sync = args.wait_sync.map(std::time::Duration::from_secs);
    req.verify = !args.no_verify;
    // Refuse a policy breach before asking for a passphrase.
    backup::preflight(&permit, &target, !args.no_encrypt)?;
    if !args.no_encrypt {
        req.passphrase = Some(secrets::ask(
            args.passphrase_file.as_deref(),
            secrets::Ask::new_passphrase(
                "--passphrase-file",
                "CAREVAULT_PASSPHRASE",
                t!("cli-prompt-passphrase-for-backup"),
            ),
        )?);
    }
    let bar = Bar::new();
    let out = backup::create(&permit, &req, &bar)?;
    drop(bar);
    if json {
        print_json(&json!({"result": "created", "backup": out}));
    } else {
        let s = &out.metadata.sealed;
        println!("{}", t!("cli-backup-done", label = &s.label, id = &s.id));
        if let Some(note) = &out.destination.note {
            println!("  {}", t!("cli-backup-note", note = note));
        }
        println!("  {}", t!("cli-backup-file", path = &out.path));
        println!(
            "  {}",
            t!(
                "cli-backup-size",
                size = human_size(out.size),
                data = human_size(out.data_bytes),
                entries = out.entries
            )
        );
        let encrypted = if s.encrypted {
            t!("cli-yes")
        } else {
            t!("cli-no-caps")
        };
        println!("  {}", t!("cli-backup-encrypted", encrypted = encrypted));
        let verified = if out.verified {
            t!("cli-backup-verified-yes")
        } else {
            t!("cli-backup-verified-no")
        };
        println!("  {}", t!("cli-backup-verified", verified = verified));
        let paused = if out.barrier_ms < 1.0 {
            t!("cli-backup-paused-under-1-ms")
        } else {
            t!(
                "cli-backup-paused-ms",
                ms = format!("{:.0}", out.barrier_ms)
            )
        };
        println!("  {}", t!("cli-backup-paused", paused = paused));
        print_rows(&out.rows);
        for s in &out.skipped {
            println!("  {}", t!("cli-backup-not-stored", what = s));
        }
    }
    Ok(())
}

pub fn cmd_restore(
    login: &Login,
    what: &str,
    list: &ListArgs,
    unlock: &UnlockArgs,
    (dry_run, wait_sync, yes, full_check): (bool, Option<std::time::Duration>, bool, bool),
    json: bool,
) -> Result<()> {
    use std::io::IsTerminal;
    // No home check: a first-run restore may make the app home.
    let home = list.home.home.as_path();
    // A home without clinic data has no users to log in as: the backup's
    // passphrase is the gate (the guide's reinstall case).
    let first_run = auth::is_first_run(home);
    let permit = if first_run {
        auth::first_run_restore(home)?
    } else {
        login.permit::<Restore>(home)?
    };
    // Over clinic data the restore asks first; with no terminal to ask at,
    // only --yes says yes (before any key is derived or byte read).
    let ask = !dry_run && !first_run && !yes;
    if ask && !std::io::stdin().is_terminal() {
        return Err(Error::new(
            Kind::Usage,
            t!("cli-restore-needs-confirmation"),
            t!("cli-restore-needs-confirmation-advice"),
        ));
    }
    // Named by ID or label: the restore refuses the file if it holds
    // another backup by the time it is opened.
    let (file, listed_id) = catalog::find_listed(&permit, &folders(list)?, what)?;
    let file = &file;
    let profile = Profile::load(home)?;
    let how = unlock_for(home, file, unlock)?;
    let bar = Bar::new();
    let req = RestoreRequest {
        file,
        unlock: how.as_ref(),
        max_log_n: profile.encryption.max_work_factor,
        dry_run,
        expect_id: listed_id.as_deref(),
    };
    let confirm = |plan: &restore::RestorePlan| bar.suspend(|| confirm_at_terminal(plan));
    let outcome = restore::restore_checked(
        &permit,
        &req,
        wait_sync,
        ask.then_some(&confirm as restore::Confirm<'_>),
        full_check,
        &bar,
    )?;
    drop(bar);
    if json {
        print_json(&serde_json::to_value(&outcome).expect("json"));
        return Ok(());
    }
    let plan = match &outcome {
        RestoreOutcome::Plan(p) => p,
        RestoreOutcome::Restored(r) => &r.plan,
    };
    let (label, id, by) = (&plan.backup.label, &plan.backup.id, &plan.backup.created_by);
    let taken = local_time_of(plan.backup.created_at.timestamp());
    let head = if dry_run {
        t!(
            "cli-restore-would",
            label = label,
            id = id,
            taken = taken,
            by = by
        )
    } else {
        t!(
            "cli-restore-done",
            label = label,
            id = id,
            taken = taken,
            by = by
        )
    };
    println!("{head}");
    println!("  {}", t!("cli-restore-into", path = &plan.target));
    if plan.replaces_existing {
        println!(
            "  {}",
            t!(
                "cli-restore-replacing",
                files = plan.current_files,
                size = human_size(plan.current_bytes)
            )
        );
    }
    println!(
        "  {}",
        t!(
            "cli-restore-writes",
            entries = plan.backup_entries,
            size = human_size(plan.backup_bytes)
        )
    );
    println!(
        "  {}",
        t!(
            "cli-restore-space",
            need = human_size(plan.space_needed),
            have = human_size(plan.space_available)
        )
    );
    super::trust::print_changes(&plan.changes, plan.replaces_existing);
    if let RestoreOutcome::Restored(r) = &outcome {
        if let Some(s) = &r.safety_copy {
            println!("  {}", t!("cli-restore-safety-copy", path = s));
        }
        println!("{}", t!("cli-restore-checks"));
        for c in &r.checks {
            println!(
                "  {}",
                check_line(c.ok, &c.name, &c.expected, &c.actual, 30)
            );
        }
    } else {
        println!("{}", t!("cli-restore-dry-run"));
    }
    Ok(())
}

/// One line of a restore's check against the manifest: "ok" or "DIFF",
/// the name padded to `width`, what was expected and what was found.
pub fn check_line(ok: bool, name: &str, expected: &str, actual: &str, width: usize) -> String {
    let mark = if ok {
        t!("cli-check-ok")
    } else {
        t!("cli-check-diff")
    };
    t!(
        "cli-check-line",
        mark = format!("{:<4}", mark.text()),
        name = format!("{name:<width$}"),
        expected = format!("{expected:<12}"),
        actual = actual
    )
    .text()
}

/// Shows what a restore replaces and asks for "yes" on the terminal.
fn confirm_at_terminal(plan: &restore::RestorePlan) -> bool {
    let b = &plan.backup;
    let count = |n: Option<u64>| n.map_or_else(|| t!("cli-unknown").text(), |n| n.to_string());
    eprintln!("{}", t!("cli-confirm-intro"));
    eprintln!(
        "  {}",
        t!(
            "cli-confirm-backup",
            label = b.label.escape_debug().to_string(),
            id = b.id.escape_debug().to_string(),
            made = local_time_of(b.created_at.timestamp()),
            by = b.created_by.escape_debug().to_string()
        )
    );
    eprintln!(
        "  {}",
        t!(
            "cli-confirm-patients",
            now = count(plan.patients_now),
            backup = count(plan.patients_in_backup)
        )
    );
    match plan.changes.unsynced_outbox {
        Some(n) if n > 0 => eprintln!("  {}", t!("cli-confirm-lost", n = n)),
        _ => eprintln!("  {}", t!("cli-confirm-outbox-synchronized")),
    }
    // Who the users and roles will be, the facility and device, why an
    // administrator is needed: what the person must see before saying yes.
    for line in super::trust::changes_lines(&plan.changes, true) {
        eprintln!("{line}");
    }
    eprintln!("{}", t!("cli-confirm-safety-copy"));
    eprint!("{} ", t!("cli-confirm-question"));
    let mut answer = String::new();
    // The answer is the word the question names, in the process's
    // language ("yes", "oui"); "yes" is always accepted (scripts, habits).
    std::io::stdin().read_line(&mut answer).is_ok()
        && (answer.trim() == "yes" || answer.trim() == t!("cli-confirm-yes-word").text())
}

fn cmd_show(
    login: &Login,
    what: &str,
    list: &ListArgs,
    unlock: &UnlockArgs,
    contents: bool,
    json: bool,
) -> Result<()> {
    let home = &list.home.home;
    let permit = login.permit::<View>(home)?;
    let path = catalog::find(&permit, &folders(list)?, what)?;
    let how = contents.then_some(|| unlock_for(home, &path, unlock));
    let r = carevault_core::ops::show::show(&permit, &path, how)?;
    if json {
        print_json(&json!(r));
        return Ok(());
    }
    let md = &r.metadata;
    let s = &md.sealed;
    println!("{}", t!("cli-show-label", label = &s.label, id = &s.id));
    println!(
        "{}",
        t!(
            "cli-show-timestamp",
            local = local_time_of(s.created_at.timestamp()),
            utc = s.created_at.to_string()
        )
    );
    println!("{}", t!("cli-show-created-by", by = &s.created_by));
    println!(
        "{}",
        t!("cli-show-location", location = s.location.as_str())
    );
    println!(
        "{}",
        t!("cli-show-encrypted", encrypted = yes_no(s.encrypted))
    );
    println!("{}", t!("cli-show-size", size = human_size(r.size)));
    println!(
        "{}",
        t!(
            "cli-show-facility",
            facility = &s.facility,
            device = &s.device
        )
    );
    println!(
        "{}",
        t!(
            "cli-show-version",
            app = &s.app_version,
            format = s.format_version.to_string()
        )
    );
    println!("{}", t!("cli-show-file", path = &path));
    println!(
        "{}",
        t!(
            "cli-show-signature",
            signature = super::output::trust_text(&r.trust)
        )
    );
    match r.last_verification {
        Some(v) if v.ok => println!("{}", t!("cli-show-verified-ok", at = local_time(&v.at))),
        Some(v) => println!(
            "{}",
            t!(
                "cli-show-verified-failed",
                at = local_time(&v.at),
                problem = v.problem.unwrap_or_default()
            )
        ),
        None => println!("{}", t!("cli-show-verified-never")),
    }
    match r.contents {
        Some(c) => {
            println!(
                "{}",
                t!(
                    "cli-show-contents",
                    entries = c.entries,
                    data = human_size(c.data_bytes),
                    realm = &c.settings.realm,
                    endpoint = &c.settings.sync_endpoint
                )
            );
            print_rows(&c.rows);
        }
        None => println!("{}", t!("cli-show-contents-hidden")),
    }
    Ok(())
}
