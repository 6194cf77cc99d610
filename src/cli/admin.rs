//! Administration commands: users, audit trail, sync state, status, auto.

use super::args::{AuditAction, SyncAction, UsersAction};
use super::output::{local_time, print_json, role_name};
use super::progress::Bar;
use super::secrets::{self, Login};
use carevault_core::auth::{self, AuditTrail, ManageUsers, Role, View};
use carevault_core::i18n::{t, Text};
use carevault_core::ops::{
    self,
    sync::{self as vault_sync, SyncState},
};
use carevault_core::units::human_size;
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
            t!("cli-prompt-new-user-password"),
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
            t!("cli-role-unknown", name = format!("{name:?}")),
            t!("cli-role-unknown-advice"),
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
                        t!("cli-first-user-admin"),
                        t!("cli-first-user-admin-advice"),
                    ));
                }
                auth::first_user(home, &name, &new_password(new_password_file.as_deref())?)?;
            } else {
                let permit = login.permit::<ManageUsers>(home)?;
                let password = new_password(new_password_file.as_deref())?;
                ops::users::add(&permit, &name, role, &password)?;
            }
            say(
                json,
                json!({"result": "added", "user": name, "role": role}),
                t!("cli-user-added", name = &name, role = role_name(role)),
            );
        }
        UsersAction::List { home } => {
            let permit = login.permit::<ManageUsers>(&home.home)?;
            let users = ops::users::list(&permit)?;
            if json {
                print_json(&json!({ "users": users }));
            } else {
                for u in users {
                    println!("{:<20} {}", u.username, role_name(u.effective_role));
                }
            }
        }
        UsersAction::Passwd {
            name,
            new_password_file,
            home,
        } => {
            let permit = login.permit::<ManageUsers>(&home.home)?;
            let password = new_password(new_password_file.as_deref())?;
            let r = ops::users::set_password(&permit, &name, &password)?;
            say(
                json,
                json!(r),
                t!("cli-user-password-changed", name = &name),
            );
        }
        UsersAction::Role { name, role, home } => {
            let permit = login.permit::<ManageUsers>(&home.home)?;
            let role = parse_role(&role)?;
            let r = ops::users::set_role(&permit, &name, role)?;
            say(
                json,
                json!(r),
                t!(
                    "cli-user-role-changed",
                    name = &name,
                    role = role_name(role)
                ),
            );
        }
    }
    Ok(())
}

fn say(json: bool, v: serde_json::Value, text: Text) {
    if json {
        print_json(&v);
    } else {
        println!("{text}");
    }
}

pub fn audit(login: &Login, action: AuditAction, json: bool) -> Result<()> {
    match action {
        AuditAction::List { home } => {
            let permit = login.permit::<AuditTrail>(&home.home)?;
            let records = ops::audit::list(&permit)?;
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
            let permit = login.permit::<AuditTrail>(&home.home)?;
            let check = ops::audit::check(&permit)?;
            if json {
                print_json(&json!({ "entries": check.entries, "problems": check.problems }));
            } else if check.problems.is_empty() {
                println!("{}", t!("cli-audit-intact", entries = check.entries));
            }
            if !check.problems.is_empty() {
                if !json {
                    for p in &check.problems {
                        eprintln!("  {p}");
                    }
                }
                return Err(Error::new(
                    Kind::Tampered,
                    t!("cli-audit-altered", n = check.problems.len()),
                    t!("cli-audit-altered-advice"),
                ));
            }
        }
    }
    Ok(())
}

pub fn sync(action: SyncAction, json: bool) -> Result<()> {
    let SyncAction::Status { home } = action;
    let state = vault_sync::state(&home.home)?;
    if json {
        print_json(&json!({ "sync": state }));
    } else {
        match state {
            SyncState::Idle => println!("{}", t!("cli-sync-idle")),
            SyncState::Running { since } => println!("{}", running(since.as_deref())),
        }
    }
    Ok(())
}

/// "Running" or "Running since TIME".
fn running(since: Option<&str>) -> Text {
    match since {
        Some(s) => t!("cli-sync-running-since", since = local_time(s)),
        None => t!("cli-sync-running"),
    }
}

pub fn status(login: &Login, home: &Path, json: bool) -> Result<()> {
    let permit = login.permit::<View>(home)?;
    let r = carevault_core::status::report(&permit)?;
    if json {
        print_json(&json!(r));
        return Ok(());
    }
    match &r.sync {
        SyncState::Idle => println!("{}", t!("cli-status-sync", state = t!("cli-sync-idle"))),
        SyncState::Running { since } => println!(
            "{}",
            t!("cli-status-sync", state = running(since.as_deref()))
        ),
    }
    for m in &r.media {
        let newest = r.newest.iter().find(|n| n.medium == m.medium);
        println!(
            "{}",
            t!(
                "cli-status-medium",
                medium = format!("{:<8}", m.medium.to_string()),
                dir = format!("{:<40}", m.dir.display().to_string()),
                free = format!(
                    "{:>10}",
                    m.free_bytes.map(human_size).unwrap_or_else(|| "-".into())
                ),
                newest = newest
                    .map(|n| format!("{} ({})", n.label, super::output::age_words(n.age_days)))
                    .unwrap_or_else(|| t!("cli-none").text())
            )
        );
        if let Some(note) = &m.note {
            println!("         {note}");
        }
    }
    if r.safety_copies.count > 0 {
        println!(
            "{}",
            t!(
                "cli-status-safety-copies",
                count = r.safety_copies.count,
                size = human_size(r.safety_copies.bytes)
            )
        );
    }
    if r.offsite.configured {
        let newest = match r.offsite.newest_age_days {
            Some(d) => t!("cli-status-offsite-days-old", days = format!("{d:.1}")),
            None => t!("cli-status-offsite-none-yet"),
        };
        println!(
            "{}",
            t!(
                "cli-status-offsite",
                pending = r.offsite.pending,
                newest = newest
            )
        );
    }
    if let Some(w) = &r.warning {
        println!("{}", t!("cli-status-warning", warning = w));
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
                "{}",
                t!(
                    "cli-auto-made",
                    id = &b.metadata.sealed.id,
                    size = human_size(b.size),
                    reason = &out.reason
                )
            ),
            None => println!("{}", t!("cli-auto-none", reason = &out.reason)),
        }
        for d in &out.deleted {
            println!("{}", t!("cli-auto-removed", path = d));
        }
    }
    Ok(())
}
