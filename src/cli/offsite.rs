//! `carevault offsite push | status | list | get | check-bucket`: copies of the backups
//! on S3-compatible object storage (docs/OFFSITE.md).

use super::output::print_json;
use super::progress::Bar;
use super::secrets::Login;
use carevault_core::archive::reader::Opened;
use carevault_core::audit::{self, Event, Outcome};
use carevault_core::auth::{self, Create, Permit, View};
use carevault_core::fsutil::{human_size, TEMP_PREFIX};
use carevault_core::offsite_state::{self, LastError, OffsiteRecord};
use carevault_core::profile::Profile;
use carevault_core::store::Store;
use carevault_core::{catalog, Error, Kind, Result};
use carevault_offsite::{Config, S3Store};
use clap::Subcommand;
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest sidecar read back (a sidecar is a few KiB).
const MAX_SIDECAR: u64 = 1 << 20;

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
    /// What is offsite, what is pending, the last success and error.
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

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Finished local backups on every medium: (path, id, size), ok and
/// without a conflicting copy.
fn local_backups(permit: &Permit<View>) -> Result<Vec<(PathBuf, String, u64)>> {
    let home = permit.home();
    let profile = Profile::load(home)?;
    let dirs: Vec<PathBuf> = profile
        .media
        .listing_dirs(home)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let mut out: Vec<(PathBuf, String, u64)> = Vec::new();
    for l in catalog::list(permit, &dirs) {
        if let (Some(m), false) = (&l.metadata, l.conflict) {
            if !out.iter().any(|(_, id, _)| *id == m.sealed.id) {
                out.push((l.path.clone(), m.sealed.id.clone(), l.size));
            }
        }
    }
    Ok(out)
}

fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = carevault_core::fsutil::open_regular_following(path)
        .map_err(|e| Error::io("reading the backup", path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io("reading the backup", path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The sidecar: the backup's readable metadata (no patient data), its
/// file name, size and SHA-256.
fn sidecar(name: &str, size: u64, sha256: &str, opened: &Opened) -> Vec<u8> {
    let v = json!({
        "file": name,
        "size": size,
        "sha256": sha256,
        "signed_by": opened.signed.as_ref().map(|s| s.key_id.clone()),
        "metadata": opened.metadata,
    });
    let mut b = serde_json::to_vec_pretty(&v).expect("json");
    b.push(b'\n');
    b
}

/// Uploads one backup, its sidecar and a status event; then records it.
fn push_one(
    home: &Path,
    store: &S3Store,
    path: &Path,
    bar: &Bar,
) -> Result<(OffsiteRecord, &'static str)> {
    // What can be checked without the passphrase: the container, the
    // readable metadata against the sealed payload name, the key slots'
    // checksums, and the device signature when the backup is signed.
    let opened = Opened::open(path)?;
    let checked = if opened.signed.is_some() {
        "container, readable metadata, key slots, device signature"
    } else {
        "container, readable metadata, key slots"
    };
    let verified_at = now();
    let id = opened.metadata.sealed.id.clone();
    let name = carevault_core::backup::file_name(&id);
    let size = opened.file_len;
    let sha256 = sha256_file(path)?;
    let info = store.put_checked(&name, path, bar)?;
    store.put_bytes(
        &format!("backups/{name}.json"),
        &sidecar(&name, size, &sha256, &opened),
    )?;
    let uploaded_at = now();
    let head = audit::head(home)?;
    let event = json!({
        "event": "offsite-copy",
        "backup": id,
        "file": name,
        "size": size,
        "sha256": sha256,
        "etag": info.etag,
        "made": opened.metadata.sealed.created_at,
        "verified": verified_at,
        "checked": checked,
        "uploaded": uploaded_at,
        "audit_head": head.as_ref().map(|(seq, hash)| json!({"seq": seq, "hash": hash})),
    });
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.3fZ")
        .to_string();
    store.put_bytes(
        &format!("events/{stamp}-{id}.json"),
        serde_json::to_string_pretty(&event)
            .expect("json")
            .as_bytes(),
    )?;
    let record = OffsiteRecord {
        id,
        key: store.key(&name),
        size,
        etag: info.etag,
        at: uploaded_at,
    };
    offsite_state::mark(home, &record)?;
    Ok((record, checked))
}

fn push(login: &Login, home: &Path, ids: &[String], all: bool, json: bool) -> Result<()> {
    let who = login.authenticate(home)?;
    let permit = auth::authorize::<Create>(&who)?;
    let view = auth::authorize::<View>(&who)?;
    if ids.is_empty() && !all {
        return Err(Error::new(
            Kind::Usage,
            "name the backups to copy offsite, or give --all",
            "run `carevault offsite push --all`, or `carevault offsite status` to see what is pending",
        ));
    }
    let cfg = Config::for_home(home)?;
    let store = S3Store::new(&cfg)?;
    let local = local_backups(&view)?;
    for want in ids {
        if !local.iter().any(|(_, id, _)| id == want) {
            return Err(Error::new(
                Kind::NotFound,
                format!("there is no local backup with ID {want:?}"),
                "run `carevault list` to see the backups and their IDs",
            ));
        }
    }
    let done = offsite_state::records(home)?;
    let todo: Vec<_> = local
        .into_iter()
        .filter(|(_, id, _)| (all || ids.contains(id)) && !done.contains_key(id))
        .collect();
    let mut copied = Vec::new();
    let mut failed = Vec::new();
    let mut first_error: Option<Error> = None;
    for (path, id, size) in &todo {
        let bar = Bar::new();
        let r = push_one(home, &store, path, &bar);
        drop(bar);
        let key = store.key(&carevault_core::backup::file_name(id));
        match r {
            Ok((rec, checked)) => {
                audit::append(
                    home,
                    &Event::new(permit.user(), "offsite push", Outcome::Success)
                        .backup(id)
                        .medium("Offsite")
                        .reason(&rec.key),
                )?;
                if !json {
                    println!(
                        "Copied offsite: {id} ({}) as {} (checked before the upload: {checked}; stored size and ETag checked after it)",
                        human_size(*size),
                        rec.key
                    );
                }
                copied.push(json!({"id": id, "key": rec.key, "size": rec.size, "etag": rec.etag, "checked": checked}));
            }
            Err(e) => {
                audit::append(
                    home,
                    &Event::new(permit.user(), "offsite push", Outcome::Failure)
                        .backup(id)
                        .medium("Offsite")
                        .reason(&format!("{key}: {}", e.message())),
                )?;
                offsite_state::update_push_state(home, |s| {
                    s.last_error = Some(LastError {
                        at: now(),
                        code: e.kind().code().into(),
                        message: e.message().into(),
                    })
                })?;
                failed.push(id.clone());
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
                "{} of {} backups could not be copied offsite; the first error:",
                failed.len(),
                todo.len()
            );
        }
        return Err(e);
    }
    offsite_state::update_push_state(home, |s| s.last_success = Some(now()))?;
    if json {
        print_json(&json!({"result": "pushed", "copied": copied}));
    } else if copied.is_empty() {
        println!("Nothing to copy: every backup asked for is offsite already.");
    }
    Ok(())
}

fn status(login: &Login, home: &Path, json: bool) -> Result<()> {
    let permit = login.permit::<View>(home)?;
    let configured = Profile::load(home)?.offsite.is_some();
    let records = offsite_state::records(home)?;
    let pending: Vec<Value> = local_backups(&permit)?
        .into_iter()
        .filter(|(_, id, _)| !records.contains_key(id))
        .map(|(p, id, size)| json!({"id": id, "path": p, "size": size}))
        .collect();
    let bytes_left: u64 = pending.iter().filter_map(|p| p["size"].as_u64()).sum();
    let state = offsite_state::push_state(home)?;
    let offsite: Vec<Value> = records
        .values()
        .map(|r| json!({"id": r.id, "key": r.key, "size": r.size, "etag": r.etag, "at": r.at}))
        .collect();
    if json {
        print_json(&json!({
            "configured": configured,
            "offsite": offsite,
            "pending": pending,
            "bytes_left": bytes_left,
            "last_success": state.last_success,
            "last_error": state.last_error,
        }));
        return Ok(());
    }
    if !configured {
        println!(
            "Offsite copies are not configured (add [offsite] to carevault.toml: docs/OFFSITE.md)."
        );
    }
    println!("Offsite   {} backup(s)", offsite.len());
    println!(
        "Pending   {} backup(s), {} to upload",
        pending.len(),
        human_size(bytes_left)
    );
    println!(
        "Last success  {}",
        state.last_success.as_deref().unwrap_or("never")
    );
    if let Some(e) = &state.last_error {
        println!("Last error    {} ({}): {}", e.at, e.code, e.message);
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
    let mut items = Vec::new();
    for o in store.list()? {
        let side = store
            .get_small(&format!("backups/{}.json", o.name), MAX_SIDECAR)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        let md = side.as_ref().map(|s| &s["metadata"]);
        items.push(json!({
            "name": o.name,
            "size": o.size,
            "id": md.and_then(|m| m["id"].as_str()),
            "label": md.and_then(|m| m["label"].as_str()),
            "created_at": md.and_then(|m| m["created_at"].as_str()),
            "sidecar": side.is_some(),
        }));
    }
    if json {
        print_json(&json!({"prefix": store.prefix(), "backups": items}));
    } else {
        for i in &items {
            println!(
                "{}  {:>10}  {}  {}",
                i["name"].as_str().unwrap_or(""),
                human_size(i["size"].as_u64().unwrap_or(0)),
                i["created_at"].as_str().unwrap_or("-"),
                i["label"].as_str().unwrap_or("(no sidecar)"),
            );
        }
    }
    Ok(())
}

fn damaged(msg: String, at: &Path) -> Error {
    Error::new(
        Kind::Corrupted,
        msg,
        "the download was removed; run the command again, and if it fails again use another copy of the backup",
    )
    .at(at)
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
    let name = if id.ends_with(".bin") {
        id.to_string()
    } else {
        carevault_core::backup::file_name(id)
    };
    carevault_core::store::check_name(&name)?;
    if name.contains('/') {
        return Err(Error::new(
            Kind::Usage,
            format!("{id:?} is not a backup ID"),
            "use an ID that `carevault offsite list` shows",
        ));
    }
    let listed = store
        .list()?
        .into_iter()
        .find(|o| o.name == name)
        .ok_or_else(|| carevault_core::store::not_found(&store, &name))?;
    let side: Value = store
        .get_small(&format!("backups/{name}.json"), MAX_SIDECAR)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            Error::new(
                Kind::NotFound,
                format!("the store holds {name} but not its sidecar {name}.json, so the download cannot be checked"),
                "push it again from the tablet that made it, or ask the bucket's administrator",
            )
        })?;
    if side["size"].as_u64() != Some(listed.size) || side["file"].as_str() != Some(name.as_str()) {
        return Err(Error::new(
            Kind::Tampered,
            format!(
                "the store lists {name} with {} bytes, but its sidecar says otherwise",
                listed.size
            ),
            "use another copy of the backup; this object or its sidecar was altered",
        ));
    }
    std::fs::create_dir_all(to).map_err(|e| Error::io("creating the download folder", to, e))?;
    let final_path = to.join(&name);
    if final_path.exists() {
        return Err(Error::new(
            Kind::Exists,
            format!(
                "{} exists already; it was left as it is",
                final_path.display()
            ),
            "choose another folder, or remove the file if it is an older download",
        ));
    }
    let partial = to.join(format!("{TEMP_PREFIX}offsite-{name}"));
    {
        let bar = Bar::new();
        store.fetch(&name, listed.size, &partial, &bar)?;
    }
    let check = || -> Result<()> {
        let got = std::fs::metadata(&partial)
            .map_err(|e| Error::io("reading the download", &partial, e))?
            .len();
        if got != listed.size {
            return Err(damaged(
                format!("the download has {got} bytes, not {}", listed.size),
                &partial,
            ));
        }
        if side["sha256"].as_str() != Some(sha256_file(&partial)?.as_str()) {
            return Err(damaged(
                "the download's SHA-256 differs from its sidecar's".into(),
                &partial,
            ));
        }
        let opened = Opened::open(&partial)?;
        let want: carevault_core::format::metadata::Metadata =
            serde_json::from_value(side["metadata"].clone()).map_err(|e| {
                damaged(
                    format!("the sidecar's metadata cannot be read: {e}"),
                    &partial,
                )
            })?;
        if opened.metadata != want {
            return Err(Error::new(
                Kind::Tampered,
                "the downloaded backup's readable details differ from its sidecar's",
                "use another copy of the backup",
            ));
        }
        Ok(())
    };
    if let Err(e) = check() {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::hard_link(&partial, &final_path)
        .map_err(|e| Error::io("giving the download its name", &final_path, e))?;
    let _ = std::fs::remove_file(&partial);
    carevault_core::fsutil::sync_dir(to)?;
    audit::append(
        home,
        &Event::new(&user, "offsite get", Outcome::Success)
            .backup(side["metadata"]["id"].as_str().unwrap_or(id))
            .medium("Offsite")
            .reason(&store.key(&name)),
    )?;
    if json {
        print_json(
            &json!({"result": "downloaded", "path": final_path, "size": listed.size, "id": side["metadata"]["id"]}),
        );
    } else {
        println!(
            "Downloaded {} ({}); checked against its sidecar and its own container.",
            final_path.display(),
            human_size(listed.size)
        );
    }
    Ok(())
}
