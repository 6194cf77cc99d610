//! Administration commands: users, audit trail, sync state, status, auto.

use super::args::{AuditAction, SyncAction, UsersAction};
use super::output::{local_time, print_json};
use super::progress::Bar;
use super::secrets::{self, Login};
use carevault_core::auth::{self, AuditTrail, ManageUsers, Role, View};
use carevault_core::fsutil::human_size;
use carevault_core::hostlock::{sync_state, SyncState};
use carevault_core::{audit, Error, Kind, Result};
use serde_json::json;
use std::path::Path;

fn new_password(file: Option<&Path>) -> Result<String> {
    use age::secrecy::ExposeSecret;
    Ok(secrets::ask(
        file,
        secrets::Ask::password(
            "--new-password-file",
            "CAREVAULT_NEW_PASSWORD",
            "New user's password",
            true,
        ),
    )?
    .expose_secret()
    .to_string())
}

fn parse_role(name: &str) -> Result<Role> {
    let r = Role::parse(name);
    if r == Role::ClinicStaff && !name.to_ascii_lowercase().contains("staff") {
        return Err(Error::new(
            Kind::Usage,
            format!("{name:?} is not a role carevault knows"),
            "use \"Clinical Manager\", \"Clinic Nurse\", \"System Administrator\" or \"Clinic Staff\"",
        ));
    }
    Ok(r)
}

pub fn users(login: &Login, action: UsersAction, json: bool) -> Result<()> {
    match action {
        UsersAction::Add {
            name,
            role,
            new_password_file,
            home,
        } => {
            let role = parse_role(&role)?;
            let home = &home.home;
            if !auth::has_users(home)? && login.user.is_none() {
                if role != Role::SystemAdministrator {
                    return Err(Error::new(
                        Kind::Usage,
                        "the first user must be a System Administrator",
                        "add them with --role \"System Administrator\"",
                    ));
                }
                auth::first_user(home, &name, &new_password(new_password_file.as_deref())?)?;
            } else {
                let _permit = login.permit::<ManageUsers>(home)?;
                auth::add_user(
                    home,
                    &name,
                    role,
                    &new_password(new_password_file.as_deref())?,
                )?;
            }
            say(
                json,
                json!({"result": "added", "user": name, "role": role}),
                &format!("Added {name} ({role})"),
            );
        }
        UsersAction::List { home } => {
            let _permit = login.permit::<ManageUsers>(&home.home)?;
            let users = auth::list_users(&home.home)?;
            if json {
                print_json(&json!({ "users": users }));
            } else {
                for u in users {
                    println!("{:<20} {}", u.username, u.effective_role);
                }
            }
        }
        UsersAction::Passwd {
            name,
            new_password_file,
            home,
        } => {
            let _permit = login.permit::<ManageUsers>(&home.home)?;
            auth::set_password(
                &home.home,
                &name,
                &new_password(new_password_file.as_deref())?,
            )?;
            say(
                json,
                json!({"result": "password changed", "user": name}),
                &format!("Password of {name} changed"),
            );
        }
        UsersAction::Role { name, role, home } => {
            let _permit = login.permit::<ManageUsers>(&home.home)?;
            let role = parse_role(&role)?;
            auth::set_role(&home.home, &name, role)?;
            say(
                json,
                json!({"result": "role changed", "user": name, "role": role}),
                &format!("{name} is now {role}"),
            );
        }
    }
    Ok(())
}

fn say(json: bool, v: serde_json::Value, text: &str) {
    if json {
        print_json(&v);
    } else {
        println!("{text}");
    }
}

pub fn audit(login: &Login, action: AuditAction, json: bool) -> Result<()> {
    match action {
        AuditAction::List { home } => {
            let _permit = login.permit::<AuditTrail>(&home.home)?;
            let records = audit::read(&home.home)?;
            if json {
                print_json(&json!({ "entries": records }));
            } else {
                // Every field as `audit::printable` shows it: a line break,
                // carriage return or terminal escape in a field (a file
                // name, an old entry) cannot draw a fake entry.
                let p = audit::printable;
                for r in records {
                    let e = &r.event;
                    println!(
                        "{:>5} {} {:<10} {:<18} {:<8?} {} {} {}",
                        r.seq,
                        p(&local_time(&r.time)),
                        p(&e.user),
                        p(&e.action),
                        e.outcome,
                        p(e.backup.as_deref().unwrap_or("-")),
                        p(e.medium.as_deref().unwrap_or("-")),
                        p(e.reason.as_deref().unwrap_or(""))
                    );
                }
            }
        }
        AuditAction::Verify { home } => {
            let _permit = login.permit::<AuditTrail>(&home.home)?;
            let check = audit::verify(&home.home)?;
            if json {
                print_json(&json!({ "entries": check.entries, "problems": check.problems }));
            } else if check.problems.is_empty() {
                println!("OK: {} entries, the chain is intact", check.entries);
            }
            if !check.problems.is_empty() {
                if !json {
                    for p in &check.problems {
                        eprintln!("  {p}");
                    }
                }
                return Err(Error::new(
                    Kind::Tampered,
                    format!("the audit trail was altered: {} problem(s)", check.problems.len()),
                    "keep a copy of private/audit.log for investigation and report it to the System Administrator",
                ));
            }
        }
    }
    Ok(())
}

pub fn sync(action: SyncAction, json: bool) -> Result<()> {
    let SyncAction::Status { home } = action;
    let state =
        sync_state(&home.home).map_err(|e| Error::io("reading the sync state", &home.home, e))?;
    if json {
        print_json(&json!({ "sync": state }));
    } else {
        match state {
            SyncState::Idle => println!("Idle"),
            SyncState::Running { since } => println!(
                "Running{}",
                since
                    .map(|s| format!(" since {}", local_time(&s)))
                    .unwrap_or_default()
            ),
        }
    }
    Ok(())
}

pub fn status(login: &Login, home: &Path, json: bool) -> Result<()> {
    let permit = login.permit::<View>(home)?;
    let r = carevault_core::status::report(&permit)?;
    if json {
        print_json(&json!(r));
        return Ok(());
    }
    match &r.sync {
        SyncState::Idle => println!("Synchronization  Idle"),
        SyncState::Running { since } => println!(
            "Synchronization  Running{}",
            since
                .as_deref()
                .map(|s| format!(" since {}", local_time(s)))
                .unwrap_or_default()
        ),
    }
    for m in &r.media {
        let newest = r.newest.iter().find(|n| n.medium == m.medium);
        println!(
            "{:<8} {:<40} {:>10} free  newest: {}",
            m.medium.to_string(),
            m.dir.display().to_string(),
            m.free_bytes.map(human_size).unwrap_or_else(|| "-".into()),
            newest
                .map(|n| format!("{} ({})", n.label, super::output::age_words(n.age_days)))
                .unwrap_or_else(|| "none".into())
        );
        if let Some(note) = &m.note {
            println!("         {note}");
        }
    }
    if r.safety_copies.count > 0 {
        println!(
            "Safety copies    {} ({}; `carevault safety-copies list`)",
            r.safety_copies.count,
            human_size(r.safety_copies.bytes)
        );
    }
    if r.offsite.configured {
        println!(
            "Offsite          {} pending, newest copy {}",
            r.offsite.pending,
            r.offsite
                .newest_age_days
                .map(|d| format!("{d:.1} days old"))
                .unwrap_or_else(|| "none yet".into())
        );
    }
    if let Some(w) = &r.warning {
        println!("WARNING: {w}");
    }
    Ok(())
}

pub fn auto(home: &Path, json: bool) -> Result<()> {
    let bar = Bar::new();
    let out = carevault_core::auto::run(home, &bar)?;
    drop(bar);
    if json {
        print_json(&json!(out));
    } else {
        match &out.made {
            Some(b) => println!(
                "Automatic backup made: {} ({}), because {}",
                b.metadata.sealed.id,
                human_size(b.size),
                out.reason
            ),
            None => println!("No automatic backup: {}", out.reason),
        }
        for d in &out.deleted {
            println!("Removed old automatic backup {}", d.display());
        }
    }
    Ok(())
}
