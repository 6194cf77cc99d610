//! `carevault import santedb`: gather the passphrases, call the importer,
//! print what came over.

use super::args::{ImportAction, SantedbArgs};
use super::output::{local_time, print_json};
use super::progress::Bar;
use super::secrets::{self, Login};
use carevault_core::auth::Create;
use carevault_core::fsutil::human_size;
use carevault_core::Result;
use carevault_santedb::{ImportOutcome, ImportRequest};

pub fn run(login: &Login, action: ImportAction, json: bool) -> Result<()> {
    match action {
        ImportAction::Santedb(a) => santedb(login, &a, json),
    }
}

fn santedb(login: &Login, a: &SantedbArgs, json: bool) -> Result<()> {
    use age::secrecy::ExposeSecret;
    let permit = login.permit::<Create>(&a.home.home)?;
    // Read the clear header first: a passphrase is asked only when needed.
    let (_, encrypted) = carevault_santedb::probe(&a.file)?;
    let pass = if encrypted {
        Some(secrets::ask(
            a.passphrase_file.as_deref(),
            secrets::Ask::passphrase(
                "--passphrase-file",
                "CAREVAULT_SANTEDB_PASSPHRASE",
                "Passphrase of the SanteDB backup",
            ),
        )?)
    } else {
        None
    };
    let new_passphrase = if a.dry_run || a.no_encrypt {
        None
    } else {
        Some(secrets::ask(
            a.encrypt_with_passphrase_file.as_deref(),
            secrets::Ask::new_passphrase(
                "--encrypt-with-passphrase-file",
                "CAREVAULT_NEW_PASSPHRASE",
                "Passphrase for the carevault backup",
            ),
        )?)
    };
    let req = ImportRequest {
        file: &a.file,
        passphrase: pass.as_ref().map(|p| p.expose_secret()),
        to: a.to.clone().unwrap_or_else(std::env::temp_dir),
        label: a.label.clone(),
        new_passphrase,
        recovery_keys: a.recovery_key.clone(),
        dry_run: a.dry_run,
    };
    let bar = Bar::new();
    let out = carevault_santedb::import(&permit, &req, &bar)?;
    drop(bar);
    if json {
        print_json(&serde_json::to_value(&out).expect("json"));
    } else {
        print_text(&out);
    }
    Ok(())
}

fn print_text(out: &ImportOutcome) {
    let s = &out.source;
    let verb = if out.backup.is_some() {
        "Imported"
    } else {
        "Would import"
    };
    let layout = serde_json::to_value(s.layout)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    println!(
        "{verb} SanteDB backup {} (layout {layout}, {}{})",
        s.file.display(),
        if s.encrypted {
            "encrypted"
        } else {
            "not encrypted"
        },
        match (&s.created_at, &s.creator) {
            (Some(t), Some(c)) => format!(", made {} by {c}", local_time(t)),
            (Some(t), None) => format!(", made {}", local_time(t)),
            _ => String::new(),
        }
    );
    for asset in &s.assets {
        let what = match &asset.database {
            Some(d) => format!(
                "database ({} envelope{}), {} rows in {} tables",
                d.envelope,
                if d.wal_replayed { ", WAL replayed" } else { "" },
                d.rows.values().sum::<u64>(),
                d.rows.len()
            ),
            None => asset.class.clone(),
        };
        println!("  {:<52} {:>9}  {what}", asset.path, human_size(asset.size));
    }
    println!(
        "  {} assets, {} of data",
        s.assets.len(),
        human_size(s.data_bytes)
    );
    for w in &s.warnings {
        println!("  warning: {w}");
    }
    match &out.backup {
        Some(b) => {
            let m = &b.metadata.sealed;
            println!("Backup complete: {} ({})", m.label, m.id);
            println!("  file       {}", b.path.display());
            println!(
                "  size       {} ({} of data in {} entries)",
                human_size(b.size),
                human_size(b.data_bytes),
                b.entries
            );
            println!("  encrypted  {}", if m.encrypted { "yes" } else { "NO" });
            println!(
                "  created    {} by {}",
                local_time(&m.created_at),
                m.created_by
            );
        }
        None => println!("Dry run: nothing was written."),
    }
}
