//! `carevault trust`: the facility's trusted signing keys; and how a
//! restore's changes (provenance, facility, device, users) are printed.

use super::args::TrustAction;
use super::output::{print_json, trust_text};
use super::secrets::Login;
use carevault_core::auth::ManageTrust;
use carevault_core::provenance::{device_key, facility, trust};
use carevault_core::restore::Changes;
use carevault_core::Result;
use serde_json::json;

/// Reads a key given as text or as a file holding it.
fn key_text(arg: &str) -> Result<String> {
    let p = std::path::Path::new(arg);
    if !arg.starts_with("RW") && p.is_file() {
        let bytes = carevault_core::fsutil::read_small(p, 4096)
            .map_err(|e| carevault_core::Error::io("reading the key file", p, e))?
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
                println!("Trusted key {} ({})", k.key_id, k.name);
            }
        }
        TrustAction::List { home } => {
            let _permit = login.permit::<ManageTrust>(&home.home)?;
            let own = device_key::load_or_create(&home.home)?;
            let keys = trust::list(&home.home)?;
            if json {
                print_json(&json!({
                    "device": {"key_id": own.key_id(), "public_key": own.public_key()},
                    "trusted": keys,
                }));
            } else {
                println!("This tablet  {}  {}", own.key_id(), own.public_key());
                if keys.is_empty() {
                    println!("No trusted keys (add another tablet's with `carevault trust add`)");
                }
                if let Some(_cert) = facility::certificate(&home.home)? {
                    println!("This tablet's key is certified by a facility key");
                }
                for k in keys {
                    let kind = match k.kind {
                        trust::KeyKind::Device => "Trusted ",
                        trust::KeyKind::Facility => "Facility",
                    };
                    println!(
                        "{kind}     {}  {}  {} (added by {} at {})",
                        k.key_id, k.public_key, k.name, k.added_by, k.added_at
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
                println!(
                    "Facility key written to {} (keep it offline, e.g. with the recovery keys).",
                    out.display()
                );
                println!(
                    "Public key (trust it with `carevault trust add KEY --facility`): {public}"
                );
                println!("Key ID: {key_id}");
            }
        }
        TrustAction::Certify { facility_key, home } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let text = carevault_core::fsutil::read_small(&facility_key, 4096)
                .map_err(|e| {
                    carevault_core::Error::io("reading the facility key", &facility_key, e)
                })?
                .ok_or_else(|| {
                    carevault_core::Error::new(
                        carevault_core::Kind::NotFound,
                        "the facility key file does not exist",
                        "give the file written by `carevault trust facility-key`",
                    )
                    .at(&facility_key)
                })?;
            let id = facility::certify(&permit, &String::from_utf8_lossy(&text))?;
            if json {
                print_json(&json!({"result": "certified", "facility_key_id": id}));
            } else {
                println!("This tablet's key is certified by facility key {id}; new backups carry the certificate.");
            }
        }
        TrustAction::Remove { key, home } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let k = trust::remove(&permit, &key)?;
            if json {
                print_json(&json!({"result": "removed", "key": k}));
            } else {
                println!("No longer trusted: key {} ({})", k.key_id, k.name);
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
    let mut out = vec![
        format!("  signature  {}", trust_text(&c.provenance)),
        format!("  found on   {:?}", c.found),
    ];
    let change = |what: &str, ch: &carevault_core::restore::changes::Change| match &ch.now {
        Some(now) if *now != ch.after => {
            format!("  {what:<10} CHANGES from {now:?} to {:?}", ch.after)
        }
        _ => format!("  {what:<10} {:?}", ch.after),
    };
    out.push(change("facility", &c.facility));
    out.push(change("device", &c.device));
    if let Some(users) = &c.users_after {
        let list: Vec<String> = users
            .iter()
            .map(|u| format!("{} ({})", u.username.escape_debug(), u.role))
            .collect();
        out.push(format!("  users after the restore: {}", list.join(", ")));
    }
    if replaces {
        if let Some(n) = c.unsynced_outbox {
            if n > 0 {
                out.push(format!("  WARNING    {n} outbox records are not yet synchronized; the restore would lose them"));
            }
        }
        if let Some(why) = &c.needs_admin {
            out.push(format!("  needs a System Administrator: {why}"));
        }
    }
    out
}

/// Writes a new secret key file (O_EXCL|O_NOFOLLOW, 0600); never overwrites.
fn write_new_secret(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = carevault_core::fsutil::create_private(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            carevault_core::Error::new(
                carevault_core::Kind::Usage,
                "the key file already exists",
                "choose another file name; an existing key is never overwritten",
            )
            .at(path)
        } else {
            carevault_core::Error::io("writing the key file", path, e)
        }
    })?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| carevault_core::Error::io("writing the key file", path, e))
}
