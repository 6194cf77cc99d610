//! The incomplete multipart uploads part of `carevault offsite status`:
//! those a local journal resumes, and the abandoned ones.

use carevault_core::i18n::t;
use carevault_offsite::uploads::{self, Incomplete, Uploads};
use carevault_offsite::{Config, RetryPolicy, S3Store};
use serde_json::{json, Value};
use std::path::Path;

/// Asks the store (two tries: `status` is not the place to wait out an
/// unreachable store) and gives the JSON object and the lines to print.
pub fn report(home: &Path, configured: bool) -> (Value, Vec<String>) {
    if !configured {
        return (
            json!({"state": "not_configured", "resuming": [], "abandoned": [], "error": null}),
            Vec::new(),
        );
    }
    let seen = Config::for_home_device(home, None)
        .and_then(|mut cfg| {
            cfg.retry = RetryPolicy {
                tries: 2,
                ..RetryPolicy::default()
            };
            S3Store::new(&cfg)
        })
        .map(|store| uploads::incomplete(&store))
        .unwrap_or_else(Uploads::Failed);
    let none: &[Incomplete] = &[];
    let (state, resuming, abandoned, error) = match &seen {
        Uploads::Listed {
            resuming,
            abandoned,
        } => ("listed", &resuming[..], &abandoned[..], None),
        Uploads::Refused => ("refused", none, none, None),
        Uploads::Unsupported => ("unsupported", none, none, None),
        Uploads::Failed(e) => ("failed", none, none, Some(e.message())),
    };
    let value = json!({
        "state": state,
        "resuming": resuming,
        "abandoned": abandoned,
        "error": error,
    });
    let mut lines = Vec::new();
    match &seen {
        Uploads::Listed { .. } => {
            if !resuming.is_empty() {
                lines.push(t!("cli-offsite-status-resuming", n = resuming.len()).text());
            }
            if !abandoned.is_empty() {
                lines.push(t!("cli-offsite-status-abandoned", n = abandoned.len()).text());
                for u in abandoned {
                    // The store's words: escaped, no control sequence reaches
                    // the terminal.
                    lines.push(
                        t!(
                            "cli-offsite-status-abandoned-one",
                            key = u.key.escape_debug().to_string(),
                            initiated = u
                                .initiated
                                .as_deref()
                                .unwrap_or("?")
                                .escape_debug()
                                .to_string(),
                            days = u
                                .age_days
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "?".into())
                        )
                        .text(),
                    );
                }
                lines.push(t!("cli-offsite-status-abandoned-advice").text());
            }
        }
        Uploads::Refused => lines.push(t!("cli-offsite-status-uploads-refused").text()),
        Uploads::Unsupported => lines.push(t!("cli-offsite-status-uploads-unsupported").text()),
        Uploads::Failed(e) => {
            lines.push(t!("cli-offsite-status-uploads-failed", message = e.message()).text())
        }
    }
    (value, lines)
}
