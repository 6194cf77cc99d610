//! `carevault offsite check-bucket`: whether the bucket has versioning,
//! object lock with a default retention, and the lifecycle rules
//! docs/OFFSITE.md recommends. Exit 14 (check failed) when any is missing.

use super::output::print_json;
use carevault_core::{Error, Kind, Result};
use carevault_offsite::bucket_check::{self, State};
use carevault_offsite::fleet::{self, StoreUrl};
use carevault_offsite::{Config, S3Store};
use serde_json::json;
use std::path::Path;

fn state(s: &State) -> &'static str {
    match s {
        State::Enabled => "enabled",
        State::Off => "off",
        State::NotSet => "not set",
        State::NotSupported => "not supported by this store",
    }
}

pub fn run(home: &Path, store: Option<&str>, config: Option<&Path>, json: bool) -> Result<()> {
    let cfg = match store {
        Some(url) => {
            let url = StoreUrl::parse(url)?;
            fleet::config(&url, config)?
        }
        None => Config::for_home(home)?,
    };
    let s3 = S3Store::new(&cfg)?;
    let c = bucket_check::check(&s3)?;
    let bucket = &cfg.settings.bucket;
    if json {
        print_json(&json!({
            "bucket": bucket,
            "result": if c.missing.is_empty() { "ok" } else { "incomplete" },
            "check": c,
        }));
    } else {
        println!("Bucket {bucket} at {}:", cfg.settings.endpoint);
        println!("  versioning:   {}", state(&c.versioning));
        let ret = c.default_retention.as_ref().map_or(String::new(), |r| {
            format!(
                ", default retention {} {}",
                carevault_core::audit::printable(&r.mode),
                match (r.days, r.years) {
                    (Some(d), _) => format!("{d} days"),
                    (None, Some(y)) => format!("{y} years"),
                    _ => "(no period)".into(),
                }
            )
        });
        println!("  object lock:  {}{ret}", state(&c.object_lock));
        println!("  lifecycle:    {}", state(&c.lifecycle));
        if let Some(d) = c.abort_incomplete_uploads_days {
            println!("    incomplete multipart uploads aborted after {d} days");
        }
        if let Some(d) = c.expire_noncurrent_days {
            println!("    noncurrent versions expire after {d} days");
        }
        for m in &c.missing {
            println!("  MISSING: {m}");
        }
    }
    if c.missing.is_empty() {
        return Ok(());
    }
    let e = Error::new(
        Kind::CheckFailed,
        format!(
            "the bucket lacks {} of the recommended settings",
            c.missing.len()
        ),
        "apply the bucket settings of docs/OFFSITE.md (steps 2 to 4), or use a store that has them",
    );
    if json {
        // The report above is the JSON answer; the exit code says it failed.
        std::process::exit(e.kind().exit_code());
    }
    Err(e)
}
