//! `carevault trust`: the facility's trusted signing keys; and how a
//! restore's changes (provenance, facility, device, users) are printed.

use super::args::TrustAction;
use super::output::{print_json, trust_text};
use super::secrets::Login;
use carevault_core::auth::ManageTrust;
use carevault_core::i18n::{t, Text};
use carevault_core::provenance::{facility, trust};
use carevault_core::restore::Changes;
use carevault_core::Result;
use serde_json::json;

/// Reads a key given as text or as a file holding it.
fn key_text(arg: &str) -> Result<String> {
    let p = std::path::Path::new(arg);
    if !arg.starts_with("RW") && p.is_file() {
        let bytes = carevault_core::ops::files::read_small(p, 4096)
            .map_err(|e| carevault_core::Error::io(t!("cli-doing-reading-key-file"), p, e))?
            .unwrap_or_default();
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(arg.to_string())
}

pub fn run(login: &Login, action: TrustAction, json: bool) -> Result<()> {
    match action {
        TrustAction::Add {
            key,
            name,
            facility,
            home,
        } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let kind = if facility {
                trust::KeyKind::Facility
            } else {
                trust::KeyKind::Device
            };
            let k = trust::add_kind(&permit, &key_text(&key)?, &name, kind)?;
            if json {
                print_json(&json!({"result": "trusted", "key": k}));
            } else {
                println!("{}", t!("cli-trust-added", id = &k.key_id, name = &k.name));
            }
        }
        TrustAction::List { home } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let listing = carevault_core::ops::trust::list(&permit)?;
            if json {
                print_json(&json!(listing));
            } else {
                let own = &listing.device;
                println!(
                    "{}",
                    t!("cli-trust-own", id = &own.key_id, key = &own.public_key)
                );
                let keys = listing.trusted;
                if keys.is_empty() {
                    println!("{}", t!("cli-trust-none"));
                }
                if carevault_core::ops::trust::certified(&permit)? {
                    println!("{}", t!("cli-trust-certified"));
                }
                let (device, facility) = (
                    t!("cli-trust-kind-device").text(),
                    t!("cli-trust-kind-facility").text(),
                );
                let width = device.chars().count().max(facility.chars().count());
                for k in keys {
                    let kind = match k.kind {
                        trust::KeyKind::Device => &device,
                        trust::KeyKind::Facility => &facility,
                    };
                    println!(
                        "{}",
                        t!(
                            "cli-trust-entry",
                            kind = format!("{kind:<width$}"),
                            id = &k.key_id,
                            key = &k.public_key,
                            name = &k.name,
                            by = &k.added_by,
                            at = &k.added_at
                        )
                    );
                }
            }
        }
        TrustAction::FacilityKey { out } => {
            let (secret, public) = facility::generate()?;
            write_new_secret(&out, &secret)?;
            let (key_id, _) = trust::parse_public_key(&public)?;
            if json {
                print_json(
                    &json!({"key_id": key_id, "public_key": public, "secret_key_file": out}),
                );
            } else {
                println!("{}", t!("cli-facility-key-written", path = &out));
                println!("{}", t!("cli-facility-key-public", key = &public));
                println!("{}", t!("cli-facility-key-id", id = &key_id));
            }
        }
        TrustAction::Certify { facility_key, home } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let text = carevault_core::ops::files::read_small(&facility_key, 4096)
                .map_err(|e| {
                    carevault_core::Error::io(
                        t!("cli-doing-reading-facility-key"),
                        &facility_key,
                        e,
                    )
                })?
                .ok_or_else(|| {
                    carevault_core::Error::new(
                        carevault_core::Kind::NotFound,
                        t!("cli-facility-key-missing"),
                        t!("cli-facility-key-missing-advice"),
                    )
                    .at(&facility_key)
                })?;
            let id = facility::certify(&permit, &String::from_utf8_lossy(&text))?;
            if json {
                print_json(&json!({"result": "certified", "facility_key_id": id}));
            } else {
                println!("{}", t!("cli-trust-certify-done", id = &id));
            }
        }
        TrustAction::Remove { key, home } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let k = trust::remove(&permit, &key)?;
            if json {
                print_json(&json!({"result": "removed", "key": k}));
            } else {
                println!(
                    "{}",
                    t!("cli-trust-removed", id = &k.key_id, name = &k.name)
                );
            }
        }
    }
    Ok(())
}

/// Prints what a restore changes besides the data.
pub fn print_changes(c: &Changes, replaces: bool) {
    for line in changes_lines(c, replaces) {
        println!("{line}");
    }
}

/// The lines of [`print_changes`]: signature, where the file was found,
/// facility, device, the users and roles after the restore, the outbox
/// records it loses, and why a System Administrator is needed. Names that
/// come from the backup are printed escaped (they are not trusted text).
pub fn changes_lines(c: &Changes, replaces: bool) -> Vec<String> {
    // The labels' column: as wide as the longest label in this language.
    let width = [
        t!("cli-changes-signature"),
        t!("cli-changes-found-on"),
        t!("cli-changes-facility"),
        t!("cli-changes-device"),
        t!("cli-changes-warning"),
    ]
    .iter()
    .map(|l| l.text().chars().count())
    .fold(10, usize::max);
    let line = |what: Text, value: String| format!("  {:<width$} {value}", what.text());
    let mut out = vec![
        line(t!("cli-changes-signature"), trust_text(&c.provenance)),
        line(t!("cli-changes-found-on"), format!("{:?}", c.found)),
    ];
    let change = |what: Text, ch: &carevault_core::restore::changes::Change| match &ch.now {
        Some(now) if *now != ch.after => line(
            what,
            t!(
                "cli-changes-from-to",
                now = format!("{now:?}"),
                after = format!("{:?}", ch.after)
            )
            .text(),
        ),
        _ => line(what, format!("{:?}", ch.after)),
    };
    out.push(change(t!("cli-changes-facility"), &c.facility));
    out.push(change(t!("cli-changes-device"), &c.device));
    if let Some(users) = &c.users_after {
        let list: Vec<String> = users
            .iter()
            .map(|u| {
                format!(
                    "{} ({})",
                    u.username.escape_debug(),
                    super::output::role_name(u.role)
                )
            })
            .collect();
        out.push(format!(
            "  {}",
            t!("cli-changes-users-after", users = list.join(", "))
        ));
    }
    if replaces {
        if let Some(n) = c.unsynced_outbox {
            if n > 0 {
                out.push(line(
                    t!("cli-changes-warning"),
                    t!("cli-changes-unsynced", n = n).text(),
                ));
            }
        }
        if let Some(why) = &c.needs_admin {
            out.push(format!("  {}", t!("cli-changes-needs-admin", why = why)));
        }
    }
    out
}

/// Writes a new secret key file (O_EXCL|O_NOFOLLOW, 0600); never overwrites.
fn write_new_secret(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = carevault_core::ops::files::create_private(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            carevault_core::Error::new(
                carevault_core::Kind::Usage,
                t!("cli-key-file-exists"),
                t!("cli-key-file-exists-advice"),
            )
            .at(path)
        } else {
            carevault_core::Error::io(t!("cli-doing-writing-key-file"), path, e)
        }
    })?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| carevault_core::Error::io(t!("cli-doing-writing-key-file"), path, e))
}
