//! `carevault fleet --store URL` and `carevault fleet audit`: the
//! ministry's view of every tablet in a bucket, and the read-only auditor
//! (docs/FLEET.md).

use super::output::print_json;
use carevault_core::i18n::t;
use carevault_core::{Error, Kind, Result};
use carevault_offsite::fleet::{self, index::Index, report, StoreUrl};
use carevault_offsite::S3Store;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// The bucket and prefix the tablets write under: s3://BUCKET/PREFIX/.
    #[arg(long, value_name = "URL")]
    pub store: String,
    /// A file (mode 0600) with `endpoint`, `region`, `access_key` and
    /// `secret_key` lines; else CAREVAULT_S3_ENDPOINT, CAREVAULT_S3_REGION,
    /// CAREVAULT_S3_ACCESS_KEY and CAREVAULT_S3_SECRET_KEY.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub action: Option<FleetAction>,
    #[command(flatten)]
    pub store: Option<StoreArgs>,
    /// The index file (SQLite), made if missing.
    #[arg(long, value_name = "FILE", default_value = "carevault-fleet.sqlite")]
    pub index: PathBuf,
    /// A device with no offsite copy newer than this many days is at risk.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// List every folder from its start, as one run in ten does: finds keys
    /// written out of order and drops objects gone from the bucket.
    #[arg(long)]
    pub full: bool,
}

#[derive(Subcommand, Debug)]
pub enum FleetAction {
    /// Download backups (a sample or all) and check them without the passphrase.
    Audit {
        #[command(flatten)]
        store: StoreArgs,
        /// Check this many backups, picked at random (default: all).
        #[arg(long, value_name = "N")]
        sample: Option<usize>,
    },
    /// A read-only web page of the fleet report, on this machine (docs/FLEET.md).
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The index file (SQLite), made if missing.
    #[arg(long, value_name = "FILE", default_value = "carevault-fleet.sqlite")]
    pub index: PathBuf,
    /// A device with no offsite copy newer than this many days is at risk.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Address and port to listen on (loopback unless told otherwise).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: std::net::SocketAddr,
    /// A file (mode 0600) holding the access token the page asks for;
    /// required when --listen is not a loopback address.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

pub fn run(args: FleetArgs, json: bool) -> Result<()> {
    match args.action {
        Some(FleetAction::Audit { store, sample }) => audit(&store, sample, json),
        Some(FleetAction::Serve(a)) => serve(a, json),
        None => {
            let store = args.store.ok_or_else(|| {
                Error::new(
                    Kind::Usage,
                    t!("cli-fleet-no-store"),
                    t!("cli-fleet-no-store-advice"),
                )
            })?;
            view(&store, &args.index, args.days, args.full, json)
        }
    }
}

pub(super) fn connect(store: &StoreArgs) -> Result<(StoreUrl, carevault_offsite::Config)> {
    let url = StoreUrl::parse(&store.store)?;
    let cfg = fleet::config(&url, store.config.as_deref())?;
    Ok((url, cfg))
}

fn view(
    store: &StoreArgs,
    index_path: &std::path::Path,
    days: u32,
    full: bool,
    json: bool,
) -> Result<()> {
    let (url, cfg) = connect(store)?;
    let s3 = S3Store::new(&cfg)?;
    let mut index = Index::open(
        index_path,
        &format!("{} {}", cfg.settings.endpoint, url.to_url()),
    )?;
    let refresh = index.refresh(&s3, full)?;
    let policy = report::Policy {
        days,
        now: jiff::Timestamp::now().as_second(),
    };
    let rep = report::build(&index, policy)?;
    if json {
        print_json(&rep.document(&url.to_url(), index_path, days, &refresh));
        return Ok(());
    }
    let at_risk = rep.devices.iter().filter(|d| !d.at_risk.is_empty()).count();
    println!(
        "{}",
        t!(
            "cli-fleet-head",
            store = url.to_url(),
            devices = rep.devices.len(),
            listed = refresh.listed,
            read = refresh.read,
            unchanged = refresh.unchanged,
            removed = refresh.removed
        )
    );
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header(
        [
            t!("cli-fleet-col-facility"),
            t!("cli-fleet-col-device"),
            t!("cli-fleet-col-backups"),
            t!("cli-fleet-col-newest-backup"),
            t!("cli-fleet-col-size"),
            t!("cli-fleet-col-trend"),
            t!("cli-fleet-col-newest-offsite"),
            t!("cli-fleet-col-age"),
            t!("cli-fleet-col-verified"),
            t!("cli-fleet-col-audit"),
        ]
        .map(|h| h.text()),
    );
    for d in &rep.devices {
        let nb = d.newest_backup.as_ref();
        let no = d.newest_offsite.as_ref();
        t.add_row([
            d.facility.clone(),
            d.device.clone(),
            d.backups.to_string(),
            nb.map_or("-".into(), |b| b.made.clone()),
            nb.map_or("-".into(), |b| carevault_core::units::human_size(b.size)),
            d.size_trend_percent
                .map_or("-".into(), |p| format!("{p:+}%")),
            no.map_or("-".into(), |o| o.uploaded.clone()),
            no.map_or("-".into(), |o| o.age_days.to_string()),
            d.last_verified.clone().unwrap_or_else(|| "-".into()),
            d.audit_anchor.status.to_string(),
        ]);
    }
    println!("{t}");
    if at_risk == 0 {
        println!("\n{}", t!("cli-fleet-none-at-risk", days = days));
    } else {
        println!("\n{}", t!("cli-fleet-at-risk", n = at_risk));
        for d in rep.devices.iter().filter(|d| !d.at_risk.is_empty()) {
            println!("  {}/{}:", d.facility, d.device);
            for r in &d.at_risk {
                println!("    - {}", carevault_core::audit::printable(r));
            }
        }
    }
    let all = rep.problems.len() as u64 + rep.problems_not_listed;
    if all > 0 {
        println!("\n{}", t!("cli-fleet-problems", n = all));
        for p in &rep.problems {
            println!(
                "  {}: {}",
                p.key,
                carevault_core::audit::printable(&p.message)
            );
        }
        if rep.problems_not_listed > 0 {
            println!(
                "  {}",
                t!("cli-fleet-problems-more", n = rep.problems_not_listed)
            );
        }
    }
    Ok(())
}

/// `carevault fleet serve`: refreshes the index, then serves the page
/// until Ctrl-C.
fn serve(args: ServeArgs, json: bool) -> Result<()> {
    let token = match &args.token_file {
        Some(path) => Some(read_token(path)?),
        None if !args.listen.ip().is_loopback() => {
            return Err(Error::new(
                Kind::Usage,
                t!(
                    "cli-fleet-serve-needs-token",
                    addr = args.listen.to_string()
                ),
                t!("cli-fleet-serve-needs-token-advice"),
            ))
        }
        None => None,
    };
    let (url, cfg) = connect(&args.store)?;
    let page = carevault_web::FleetPage::open(carevault_web::FleetConfig {
        store: url.to_url(),
        offsite: cfg,
        index: args.index.clone(),
        days: args.days,
        token,
        limits: carevault_web::Limits::default(),
    })?;
    super::listen::run(
        args.listen,
        json,
        |url| t!("cli-fleet-serve-url", url = url),
        |listener, _addr, ctrl_c| async move {
            carevault_web::serve_fleet(listener, page, ctrl_c.wait())
                .await
                .map_err(|e| Error::io(t!("cli-doing-serving-fleet"), &args.index, e))
        },
    )
}

/// The shortest access token taken: refused requests are not throttled,
/// so the token must be long enough not to be guessed one request at a
/// time (`openssl rand -hex 16` gives 32 characters, 128 bits).
const MIN_TOKEN_CHARS: usize = 32;

/// The access token: a file of the owner's only (mode 0600), one line of
/// at least [`MIN_TOKEN_CHARS`] characters.
fn read_token(path: &std::path::Path) -> Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let bad = |msg| Error::new(Kind::Usage, msg, t!("cli-fleet-token-advice")).at(path);
    let meta =
        std::fs::metadata(path).map_err(|e| Error::io(t!("cli-doing-reading-token"), path, e))?;
    if !meta.is_file() {
        return Err(bad(t!("cli-fleet-token-not-file")));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(Error::new(
            Kind::PermissionDenied,
            t!("cli-fleet-token-readable"),
            t!("cli-fleet-token-advice"),
        )
        .at(path));
    }
    let bytes = carevault_core::ops::files::read_small(path, 1024)
        .map_err(|e| Error::io(t!("cli-doing-reading-token"), path, e))?
        .ok_or_else(|| bad(t!("cli-fleet-token-not-file")))?;
    let token = String::from_utf8(bytes)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() >= MIN_TOKEN_CHARS && s.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| bad(t!("cli-fleet-token-bad")))?;
    Ok(token)
}

fn audit(store: &StoreArgs, sample: Option<usize>, json: bool) -> Result<()> {
    let (url, cfg) = connect(store)?;
    let work = fleet::audit::work_dir(&std::env::temp_dir())?;
    let result = fleet::audit::run(&cfg, sample, &work);
    let _ = std::fs::remove_dir_all(&work);
    let rep = result?;
    if json {
        print_json(&json!({
            "store": url.to_url(),
            "listed": rep.listed,
            "checked": rep.checked,
            "ok": rep.ok,
            "damaged": rep.damaged,
        }));
    } else {
        println!(
            "{}",
            t!(
                "cli-fleet-audit-head",
                store = url.to_url(),
                listed = rep.listed,
                checked = rep.checked,
                ok = rep.ok
            )
        );
        for d in &rep.damaged {
            println!(
                "  {}",
                t!(
                    "cli-fleet-audit-damaged",
                    key = &d.key,
                    message = carevault_core::audit::printable(&d.message)
                )
            );
        }
    }
    if rep.damaged.is_empty() {
        return Ok(());
    }
    let e = Error::new(
        Kind::Corrupted,
        t!(
            "cli-fleet-audit-failed",
            damaged = rep.damaged.len(),
            checked = rep.checked
        ),
        t!("cli-fleet-audit-failed-advice"),
    );
    if json {
        // The report above is the JSON answer; the exit code says it failed.
        std::process::exit(e.kind().exit_code());
    }
    Err(e)
}
