//! `carevault offsite push | status | list | get | check-bucket`: copies of the backups
//! on S3-compatible object storage (docs/OFFSITE.md).

use super::output::print_json;
use super::progress::Bar;
use super::secrets::Login;
use carevault_core::auth::{self, Create, View};
use carevault_core::i18n::t;
use carevault_core::offsite_state;
use carevault_core::ops;
use carevault_core::profile::Profile;
use carevault_core::units::human_size;
use carevault_core::{Error, Kind, Result};
use carevault_offsite::{fetch, push, Config, S3Store};
use clap::Subcommand;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum OffsiteAction {
    /// Upload finished backups that are not offsite yet.
    Push {
        #[command(flatten)]
        home: super::args::HomeArg,
        /// Backup IDs to upload.
        ids: Vec<String>,
        /// Every local backup that is not offsite yet.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
    /// What is offsite, what is pending, the last success and error, and
    /// the incomplete uploads left in the store.
    Status {
        #[command(flatten)]
        home: super::args::HomeArg,
    },
    /// The backups in the store under this tablet's prefix.
    List {
        #[command(flatten)]
        home: super::args::HomeArg,
        /// Another tablet's device key ID, for the `{device}` part of the
        /// prefix (a replacement tablet reading the lost one's copies).
        #[arg(long, value_name = "KEY_ID")]
        device: Option<String>,
    },
    /// Download a backup from the store into a folder (resumable).
    Get {
        #[command(flatten)]
        home: super::args::HomeArg,
        /// Backup ID (or its file name).
        id: String,
        /// The folder to put it in.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Another tablet's device key ID (see `list --device`).
        #[arg(long, value_name = "KEY_ID")]
        device: Option<String>,
    },
    /// Whether the bucket has versioning, object lock with a default
    /// retention, and the recommended lifecycle rules.
    CheckBucket {
        #[command(flatten)]
        home: super::args::HomeArg,
        /// Check this bucket (s3://BUCKET) rather than the profile's.
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// With --store: the settings file (see `carevault fleet --help`).
        #[arg(long, value_name = "FILE", requires = "store")]
        config: Option<PathBuf>,
    },
}

pub fn run(login: &Login, action: OffsiteAction, json: bool) -> Result<()> {
    match action {
        OffsiteAction::Push { home, ids, all } => push(login, &home.home, &ids, all, json),
        OffsiteAction::Status { home } => status(login, &home.home, json),
        OffsiteAction::List { home, device } => list(login, &home.home, device.as_deref(), json),
        OffsiteAction::Get {
            home,
            id,
            to,
            device,
        } => get(login, &home.home, &id, &to, device.as_deref(), json),
        OffsiteAction::CheckBucket {
            home,
            store,
            config,
        } => super::check_bucket::run(&home.home, store.as_deref(), config.as_deref(), json),
    }
}

fn push(login: &Login, home: &Path, ids: &[String], all: bool, json: bool) -> Result<()> {
    let who = login.authenticate(home)?;
    let permit = auth::authorize::<Create>(&who)?;
    let view = auth::authorize::<View>(&who)?;
    if ids.is_empty() && !all {
        return Err(Error::new(
            Kind::Usage,
            t!("cli-offsite-push-nothing-named"),
            t!("cli-offsite-push-nothing-named-advice"),
        ));
    }
    let cfg = Config::for_home(home)?;
    let store = S3Store::new(&cfg)?;
    let todo = push::pending(&view, ids)?;
    let mut copied = Vec::new();
    let mut failed = Vec::new();
    let mut first_error: Option<Error> = None;
    for b in &todo {
        let bar = Bar::new();
        let r = push::push_audited(home, permit.user(), &store, b, &bar);
        drop(bar);
        match r {
            Ok(p) => {
                let rec = p.record;
                if !json {
                    println!(
                        "{}",
                        t!(
                            "cli-offsite-copied",
                            id = &b.id,
                            size = human_size(b.size),
                            key = &rec.key,
                            checked = p.checked.to_string()
                        )
                    );
                }
                copied.push(json!({"id": b.id, "key": rec.key, "size": rec.size, "etag": rec.etag, "checked": p.checked}));
            }
            Err(e) => {
                failed.push(b.id.clone());
                first_error.get_or_insert(e);
            }
        }
    }
    // On failure only the first error is printed (with --json, the one
    // error object of docs/CLI.md); what was copied is in the audit trail
    // and in `carevault offsite status`.
    if let Some(e) = first_error {
        if !json && failed.len() > 1 {
            eprintln!(
                "{}",
                t!(
                    "cli-offsite-push-failed-some",
                    failed = failed.len(),
                    total = todo.len()
                )
            );
        }
        return Err(e);
    }
    push::record_success(home)?;
    if json {
        print_json(&json!({"result": "pushed", "copied": copied}));
    } else if copied.is_empty() {
        println!("{}", t!("cli-offsite-nothing-to-copy"));
    }
    Ok(())
}

fn status(login: &Login, home: &Path, json: bool) -> Result<()> {
    let permit = login.permit::<View>(home)?;
    let configured = Profile::load(home)?.offsite.is_some();
    let records = offsite_state::records(home)?;
    let pending: Vec<Value> = push::local_backups(&permit)?
        .into_iter()
        .filter(|b| !records.contains_key(&b.id))
        .map(|b| json!({"id": b.id, "path": b.path, "size": b.size}))
        .collect();
    let bytes_left: u64 = pending.iter().filter_map(|p| p["size"].as_u64()).sum();
    let state = offsite_state::push_state(home)?;
    let offsite: Vec<Value> = records
        .values()
        .map(|r| json!({"id": r.id, "key": r.key, "size": r.size, "etag": r.etag, "at": r.at}))
        .collect();
    let (uploads, upload_lines) = super::offsite_uploads::report(home, configured);
    if json {
        print_json(&json!({
            "configured": configured,
            "offsite": offsite,
            "pending": pending,
            "bytes_left": bytes_left,
            "last_success": state.last_success,
            "last_error": state.last_error,
            "incomplete_uploads": uploads,
        }));
        return Ok(());
    }
    if !configured {
        println!("{}", t!("cli-offsite-not-configured"));
    }
    println!("{}", t!("cli-offsite-status-offsite", n = offsite.len()));
    println!(
        "{}",
        t!(
            "cli-offsite-status-pending",
            n = pending.len(),
            size = human_size(bytes_left)
        )
    );
    let success = match state.last_success.as_deref() {
        Some(at) => at.to_string(),
        None => t!("cli-never").text(),
    };
    println!("{}", t!("cli-offsite-status-last-success", at = success));
    if let Some(e) = &state.last_error {
        println!(
            "{}",
            t!(
                "cli-offsite-status-last-error",
                at = e.at.escape_debug().to_string(),
                code = e.code.escape_debug().to_string(),
                message = e.message.escape_debug().to_string()
            )
        );
    }
    for line in upload_lines {
        println!("{line}");
    }
    Ok(())
}

/// Who reads from the store: a logged-in user, or, in a home without
/// clinic data (a replacement tablet), no one: the bucket's credentials
/// are the gate, as the passphrase is for the restore that follows.
fn reader(login: &Login, home: &Path) -> Result<String> {
    if auth::is_first_run(home) {
        Ok(auth::first_run_restore(home)?.user().to_string())
    } else {
        Ok(login.permit::<View>(home)?.user().to_string())
    }
}

fn list(login: &Login, home: &Path, device: Option<&str>, json: bool) -> Result<()> {
    reader(login, home)?;
    let store = S3Store::new(&Config::for_home_device(home, device)?)?;
    let items = fetch::list_backups(&store)?;
    if json {
        print_json(&json!({"prefix": store.prefix(), "backups": items}));
    } else {
        for i in &items {
            // What the store says is not trusted text: escaped, so that no
            // control sequence reaches the terminal.
            println!(
                "{}  {:>10}  {}  {}",
                i["name"].as_str().unwrap_or("").escape_debug(),
                human_size(i["size"].as_u64().unwrap_or(0)),
                i["created_at"].as_str().unwrap_or("-").escape_debug(),
                i["label"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| t!("cli-offsite-no-sidecar").text())
                    .escape_debug(),
            );
        }
    }
    Ok(())
}

fn get(
    login: &Login,
    home: &Path,
    id: &str,
    to: &Path,
    device: Option<&str>,
    json: bool,
) -> Result<()> {
    let user = reader(login, home)?;
    let store = S3Store::new(&Config::for_home_device(home, device)?)?;
    let got = {
        let bar = Bar::new();
        fetch::get_checked(&store, id, to, &bar)?
    };
    ops::audit::offsite_fetched(home, &user, got.id.as_deref().unwrap_or(id), &got.key)?;
    if json {
        print_json(
            &json!({"result": "downloaded", "path": got.path, "size": got.size, "id": got.id}),
        );
    } else {
        println!(
            "{}",
            t!(
                "cli-offsite-downloaded",
                path = &got.path,
                size = human_size(got.size)
            )
        );
    }
    Ok(())
}
