//! `carevault trust`: the facility's trusted signing keys; and how a
//! restore's changes (provenance, facility, device, users) are printed.

use super::args::TrustAction;
use super::output::{print_json, trust_text};
use super::secrets::Login;
use carevault_core::auth::ManageTrust;
use carevault_core::provenance::{device_key, trust};
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
        TrustAction::Add { key, name, home } => {
            let permit = login.permit::<ManageTrust>(&home.home)?;
            let k = trust::add(&permit, &key_text(&key)?, &name)?;
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
                for k in keys {
                    println!(
                        "Trusted      {}  {}  {} (added by {} at {})",
                        k.key_id, k.public_key, k.name, k.added_by, k.added_at
                    );
                }
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
    println!("  signature  {}", trust_text(&c.provenance));
    println!("  found on   {:?}", c.found);
    let change = |what: &str, ch: &carevault_core::restore::changes::Change| match &ch.now {
        Some(now) if *now != ch.after => {
            println!("  {what:<10} CHANGES from {now:?} to {:?}", ch.after)
        }
        _ => println!("  {what:<10} {:?}", ch.after),
    };
    change("facility", &c.facility);
    change("device", &c.device);
    if let Some(users) = &c.users_after {
        let list: Vec<String> = users
            .iter()
            .map(|u| format!("{} ({})", u.username, u.role))
            .collect();
        println!("  users after the restore: {}", list.join(", "));
    }
    if replaces {
        if let Some(n) = c.unsynced_outbox {
            if n > 0 {
                println!("  WARNING    {n} outbox records are not yet synchronized; the restore would lose them");
            }
        }
        if let Some(why) = &c.needs_admin {
            println!("  needs a System Administrator: {why}");
        }
    }
}
