//! `carevault offsite check-bucket`: whether the bucket has versioning,
//! object lock with a default retention, and the lifecycle rules
//! docs/OFFSITE.md recommends. Exit 14 (check failed) when any is missing.

use super::output::print_json;
use carevault_core::i18n::t;
use carevault_core::{Error, Kind, Result};
use carevault_offsite::bucket_check::{self, State};
use carevault_offsite::fleet::{self, StoreUrl};
use carevault_offsite::{Config, S3Store};
use serde_json::json;
use std::path::Path;

fn state(s: &State) -> String {
    match s {
        State::Enabled => t!("cli-bucket-enabled"),
        State::Off => t!("cli-bucket-off"),
        State::NotSet => t!("cli-bucket-not-set"),
        State::NotSupported => t!("cli-bucket-not-supported"),
    }
    .text()
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
    let (uploads, upload_lines) = uploads_report(&cfg, c.abort_incomplete_uploads_days);
    let bucket = &cfg.settings.bucket;
    if json {
        print_json(&json!({
            "bucket": bucket,
            "result": if c.missing.is_empty() { "ok" } else { "incomplete" },
            "check": c,
            "incomplete_uploads": uploads,
        }));
    } else {
        println!(
            "{}",
            t!(
                "cli-bucket-head",
                bucket = bucket,
                endpoint = &cfg.settings.endpoint
            )
        );
        println!(
            "  {}",
            t!("cli-bucket-versioning", state = state(&c.versioning))
        );
        let ret = c.default_retention.as_ref().map_or(String::new(), |r| {
            let period = match (r.days, r.years) {
                (Some(d), _) => t!("cli-bucket-days", n = d),
                (None, Some(y)) => t!("cli-bucket-years", n = y),
                _ => t!("cli-bucket-no-period"),
            };
            t!(
                "cli-bucket-retention",
                mode = carevault_core::audit::printable(&r.mode),
                period = period
            )
            .text()
        });
        println!(
            "  {}",
            t!(
                "cli-bucket-object-lock",
                state = state(&c.object_lock),
                retention = ret
            )
        );
        println!(
            "  {}",
            t!("cli-bucket-lifecycle", state = state(&c.lifecycle))
        );
        if let Some(d) = c.abort_incomplete_uploads_days {
            println!("    {}", t!("cli-bucket-abort-uploads", n = d));
        }
        if let Some(d) = c.expire_noncurrent_days {
            println!("    {}", t!("cli-bucket-expire-noncurrent", n = d));
        }
        for line in upload_lines {
            println!("  {line}");
        }
        for m in &c.missing {
            println!("  {}", t!("cli-bucket-missing", what = m));
        }
    }
    if c.missing.is_empty() {
        return Ok(());
    }
    let e = Error::new(
        Kind::CheckFailed,
        t!("cli-bucket-incomplete", n = c.missing.len()),
        t!("cli-bucket-incomplete-advice"),
    );
    if json {
        // The report above is the JSON answer; the exit code says it failed.
        std::process::exit(e.kind().exit_code());
    }
    Err(e)
}

/// The incomplete multipart uploads across the whole bucket, and how many
/// are older than the abort rule's days (the rule is then not acting).
/// Information only: the exit code is the settings'.
fn uploads_report(cfg: &Config, abort_days: Option<u64>) -> (serde_json::Value, Vec<String>) {
    use carevault_offsite::uploads::{self, Uploads};
    let seen = S3Store::with_prefix(cfg, "")
        .map(|s| uploads::incomplete(&s))
        .unwrap_or_else(Uploads::Failed);
    match seen {
        Uploads::Listed {
            resuming,
            abandoned,
        } => {
            let all: Vec<_> = resuming.iter().chain(&abandoned).collect();
            let stale = abort_days.map(|d| {
                all.iter()
                    .filter(|u| u.age_days.is_some_and(|a| a > d as i64))
                    .count()
            });
            let mut lines = vec![t!("cli-bucket-uploads", n = all.len()).text()];
            if let (Some(n @ 1..), Some(days)) = (stale, abort_days) {
                lines.push(format!(
                    "  {}",
                    t!("cli-bucket-uploads-stale", n = n, days = days)
                ));
            }
            (
                json!({"state": "listed", "count": all.len(), "older_than_abort_rule": stale, "error": null}),
                lines,
            )
        }
        Uploads::Refused => (
            json!({"state": "refused", "count": null, "older_than_abort_rule": null, "error": null}),
            vec![t!("cli-bucket-uploads-refused").text()],
        ),
        Uploads::Unsupported => (
            json!({"state": "unsupported", "count": null, "older_than_abort_rule": null, "error": null}),
            vec![t!("cli-bucket-uploads-unsupported").text()],
        ),
        Uploads::Failed(e) => (
            json!({"state": "failed", "count": null, "older_than_abort_rule": null, "error": e.message()}),
            vec![t!("cli-bucket-uploads-failed", message = e.message()).text()],
        ),
    }
}
