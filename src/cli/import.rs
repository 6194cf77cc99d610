//! `carevault import santedb`: gather the passphrases, call the importer,
//! print what came over.

use super::args::{ImportAction, SantedbArgs};
use super::output::{local_time, print_json};
use super::progress::Bar;
use super::secrets::{self, Login};
use carevault_core::auth::Create;
use carevault_core::i18n::t;
use carevault_core::units::human_size;
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
                t!("cli-prompt-santedb-passphrase"),
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
                t!("cli-prompt-import-new-passphrase"),
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
    let layout = serde_json::to_value(s.layout)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let encrypted = if s.encrypted {
        t!("cli-import-encrypted")
    } else {
        t!("cli-import-not-encrypted")
    };
    let made = match (&s.created_at, &s.creator) {
        (Some(at), Some(c)) => t!("cli-import-made-by", at = local_time(at), by = c).text(),
        (Some(at), None) => t!("cli-import-made", at = local_time(at)).text(),
        _ => String::new(),
    };
    let file = s.file.display();
    let head = if out.backup.is_some() {
        t!(
            "cli-import-done",
            file = file,
            layout = layout,
            encrypted = encrypted,
            made = made
        )
    } else {
        t!(
            "cli-import-would",
            file = file,
            layout = layout,
            encrypted = encrypted,
            made = made
        )
    };
    println!("{head}");
    for asset in &s.assets {
        let what = match &asset.database {
            Some(d) => {
                let envelope = d.envelope.to_string();
                let rows = d.rows.values().sum::<u64>();
                if d.wal_replayed {
                    t!(
                        "cli-import-database-wal",
                        envelope = envelope,
                        rows = rows,
                        tables = d.rows.len()
                    )
                    .text()
                } else {
                    t!(
                        "cli-import-database",
                        envelope = envelope,
                        rows = rows,
                        tables = d.rows.len()
                    )
                    .text()
                }
            }
            None => asset.class.clone(),
        };
        println!("  {:<52} {:>9}  {what}", asset.path, human_size(asset.size));
    }
    println!(
        "  {}",
        t!(
            "cli-import-assets",
            count = s.assets.len(),
            data = human_size(s.data_bytes)
        )
    );
    for w in &s.warnings {
        println!("  {}", t!("cli-import-warning", warning = w));
    }
    match &out.backup {
        Some(b) => {
            let m = &b.metadata.sealed;
            println!("{}", t!("cli-backup-done", label = &m.label, id = &m.id));
            println!("  {}", t!("cli-backup-file", path = &b.path));
            println!(
                "  {}",
                t!(
                    "cli-backup-size",
                    size = human_size(b.size),
                    data = human_size(b.data_bytes),
                    entries = b.entries
                )
            );
            let encrypted = if m.encrypted {
                t!("cli-yes")
            } else {
                t!("cli-no-caps")
            };
            println!("  {}", t!("cli-backup-encrypted", encrypted = encrypted));
            println!(
                "  {}",
                t!(
                    "cli-import-created",
                    at = super::output::local_time_of(m.created_at.timestamp()),
                    by = &m.created_by
                )
            );
        }
        None => println!("{}", t!("cli-import-dry-run")),
    }
}
