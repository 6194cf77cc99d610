//! Printing results: plain text for people, JSON for scripts.

use carevault_core::catalog::Listed;
use carevault_core::fsutil::human_size;
use carevault_core::Error;
use serde_json::json;

pub fn print_error(e: &Error, json: bool) {
    if json {
        let v = json!({"error": {
            "kind": e.kind().code(),
            "exit_code": e.kind().exit_code(),
            "message": e.message(),
            "advice": e.advice(),
            "path": e.path().map(|p| p.display().to_string()),
        }});
        println!("{v}");
    } else {
        eprintln!("error: {e}");
        if let Some(c) = e.cause() {
            eprintln!("  cause: {c}");
        }
        eprintln!("  what to do: {}", e.advice());
    }
}

pub fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).expect("json"));
}

/// Local time, with seconds and the zone, for a stored UTC timestamp.
pub fn local_time(utc: &str) -> String {
    utc.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_else(|_| utc.to_string())
}

/// An age in words: "under a minute", "5 minutes", "3 hours", "2 days".
pub fn age_words(days: f64) -> String {
    if !days.is_finite() {
        return "of unknown age".into();
    }
    let minutes = (days * 24.0 * 60.0).max(0.0);
    let (n, unit) = if minutes < 1.0 {
        return "made under a minute ago".into();
    } else if minutes < 60.0 {
        (minutes, "minute")
    } else if minutes < 48.0 * 60.0 {
        (minutes / 60.0, "hour")
    } else {
        (days, "day")
    };
    let n = n.floor() as u64;
    format!("made {n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A table without borders, its columns as wide as their widest cell.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .set_header(header.iter().copied());
    t
}

/// Prints a table flush left, without trailing blanks.
pub fn print_table(t: &comfy_table::Table) {
    for line in t.to_string().lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        println!("{}", line.trim_end());
    }
}

/// `found_on` names where each file was found (Private, Documents,
/// Downloads, USB drive or SD card, or its folder).
pub fn print_listing(items: &[Listed], found_on: &dyn Fn(&Listed) -> String) {
    if items.is_empty() {
        println!("No Results Returned");
        return;
    }
    let mut t = table(&[
        "Label/ID",
        "Timestamp",
        "Size",
        "Encrypted",
        "Created By",
        "Location",
        "Found On",
        "Signature",
    ]);
    for l in items {
        match &l.metadata {
            Some(m) => {
                let s = &m.sealed;
                let mut sig = signature_text(l);
                if l.conflict {
                    sig.push_str("  CONFLICT: another file has this ID");
                }
                t.add_row(vec![
                    format!("{} ({})", s.label, s.id),
                    local_time(&s.created_at),
                    human_size(l.size),
                    (if s.encrypted { "yes" } else { "no" }).to_string(),
                    s.created_by.clone(),
                    s.location.clone(),
                    found_on(l),
                    sig,
                ]);
            }
            None => {
                t.add_row(vec![
                    l.path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    "-".into(),
                    human_size(l.size),
                    format!("DAMAGED: {}", l.problem.as_deref().unwrap_or("")),
                ]);
            }
        }
    }
    print_table(&t);
}

/// "this device", "trusted (name)", "not trusted" or "unsigned", with the key ID.
pub fn signature_text(l: &Listed) -> String {
    match &l.trust {
        Some(t) => trust_text(t),
        None => "-".into(),
    }
}

/// Words for a trust verdict, with the signer's key ID.
pub fn trust_text(t: &carevault_core::provenance::Trust) -> String {
    let mut s = t.level.describe().to_string();
    if let Some(n) = &t.key_name {
        s.push_str(&format!(" ({n})"));
    }
    if let Some(k) = &t.key_id {
        s.push_str(&format!(" key {k}"));
    }
    s
}
