//! Printing results: plain text for people, JSON for scripts.

use carevault_core::auth::Role;
use carevault_core::catalog::Listed;
use carevault_core::i18n::{t, Text};
use carevault_core::provenance::TrustLevel;
use carevault_core::units::human_size;
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
        eprintln!("{}", t!("cli-error", message = e.to_string()));
        if let Some(c) = e.cause() {
            eprintln!("  {}", t!("cli-error-cause", cause = c));
        }
        eprintln!("  {}", t!("cli-error-advice", advice = e.advice()));
    }
}

pub fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).expect("json"));
}

/// Local time, with seconds and the zone, for a stored UTC timestamp.
pub fn local_time(utc: &str) -> String {
    utc.parse::<jiff::Timestamp>()
        .map(local_time_of)
        .unwrap_or_else(|_| utc.to_string())
}

/// The instant `t` in the system's time zone.
pub fn local_time_of(t: jiff::Timestamp) -> String {
    t.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// An age in words: "made under a minute ago", "made 5 minutes ago",
/// "made 3 hours ago", "made 2 days ago".
pub fn age_words(days: f64) -> String {
    if !days.is_finite() {
        return t!("cli-age-unknown").text();
    }
    let minutes = (days * 24.0 * 60.0).max(0.0);
    if minutes < 1.0 {
        t!("cli-age-under-a-minute").text()
    } else if minutes < 60.0 {
        t!("cli-age-minutes", n = minutes.floor() as u64).text()
    } else if minutes < 48.0 * 60.0 {
        t!("cli-age-hours", n = (minutes / 60.0).floor() as u64).text()
    } else {
        t!("cli-age-days", n = days.floor() as u64).text()
    }
}

/// "yes" or "no" in the process's language.
pub fn yes_no(yes: bool) -> String {
    if yes {
        t!("cli-yes").text()
    } else {
        t!("cli-no").text()
    }
}

/// A role's name for people (the command arguments stay English).
pub fn role_name(role: Role) -> Text {
    match role {
        Role::ClinicalManager => t!("cli-role-clinical-manager"),
        Role::ClinicNurse => t!("cli-role-clinic-nurse"),
        Role::SystemAdministrator => t!("cli-role-system-administrator"),
        Role::ClinicStaff => t!("cli-role-clinic-staff"),
    }
}

/// A table without borders, its columns as wide as their widest cell.
pub fn table(header: &[Text]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .set_header(header.iter().map(Text::text));
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
        println!("{}", t!("cli-list-none"));
        return;
    }
    let mut t = table(&[
        t!("cli-list-col-label"),
        t!("cli-list-col-timestamp"),
        t!("cli-list-col-size"),
        t!("cli-list-col-encrypted"),
        t!("cli-list-col-created-by"),
        t!("cli-list-col-location"),
        t!("cli-list-col-found-on"),
        t!("cli-list-col-signature"),
    ]);
    for l in items {
        match &l.metadata {
            Some(m) => {
                let s = &m.sealed;
                let mut sig = signature_text(l);
                if l.conflict {
                    sig.push_str("  ");
                    sig.push_str(&t!("cli-list-conflict").text());
                }
                t.add_row(vec![
                    format!("{} ({})", s.label, s.id),
                    local_time_of(s.created_at.timestamp()),
                    human_size(l.size),
                    yes_no(s.encrypted),
                    s.created_by.clone(),
                    s.location.to_string(),
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
                    t!(
                        "cli-list-damaged",
                        problem = l.problem.as_deref().unwrap_or("")
                    )
                    .text(),
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
    let mut s = match t.level {
        TrustLevel::ThisDevice => t!("cli-trust-this-device"),
        TrustLevel::Trusted => t!("cli-trust-trusted"),
        TrustLevel::NotTrusted => t!("cli-trust-not-trusted"),
        TrustLevel::Unsigned => t!("cli-trust-unsigned"),
    }
    .text();
    if let Some(n) = &t.key_name {
        s.push_str(&format!(" ({n})"));
    }
    if let Some(k) = &t.key_id {
        s.push(' ');
        s.push_str(&t!("cli-trust-key", id = k).text());
    }
    s
}
