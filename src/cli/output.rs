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

/// Local time for a stored UTC timestamp.
pub fn local_time(utc: &str) -> String {
    utc.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| utc.to_string())
}

pub fn print_listing(items: &[Listed]) {
    if items.is_empty() {
        println!("No Results Returned");
        return;
    }
    println!(
        "{:<44} {:<17} {:>9} {:<9} {:<12} {:<9} {:<9} {:<11}",
        "Label/ID",
        "Timestamp",
        "Size",
        "Encrypted",
        "Created By",
        "Location",
        "Found On",
        "Signature"
    );
    for l in items {
        match &l.metadata {
            Some(m) => {
                let s = &m.sealed;
                println!(
                    "{:<44} {:<17} {:>9} {:<9} {:<12} {:<9} {:<9} {:<11}{}",
                    format!("{} ({})", s.label, s.id),
                    local_time(&s.created_at),
                    human_size(l.size),
                    if s.encrypted { "yes" } else { "no" },
                    s.created_by,
                    s.location,
                    l.medium.as_deref().unwrap_or("-"),
                    signature_text(l),
                    if l.conflict {
                        "  CONFLICT: another file has this ID"
                    } else {
                        ""
                    }
                );
            }
            None => println!(
                "{:<44} {:<17} {:>9} DAMAGED: {}",
                l.path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                "-",
                human_size(l.size),
                l.problem.as_deref().unwrap_or("")
            ),
        }
    }
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
