//! `carevault status`: sync state, the newest backup on each medium and its
//! age, free space, and the guide's weekly-backup warning.

use crate::auth::{Permit, View};
use crate::error::{Error, Result};
use crate::hostlock::{sync_state, SyncState};
use crate::i18n::{t, Text};
use crate::media::{self, Medium, MediumStatus};
use crate::profile::Profile;
use serde::Serialize;

/// The guide asks for a backup at least once a week.
pub const STALE_AFTER_DAYS: f64 = 7.0;

/// Newest backup on one medium.
#[derive(Debug, Clone, Serialize)]
pub struct Newest {
    /// The medium.
    pub medium: Medium,
    /// Backup ID.
    pub id: String,
    /// Label.
    pub label: String,
    /// UTC creation time.
    pub created_at: crate::format::metadata::CreatedAt,
    /// Age in days.
    pub age_days: f64,
}

/// The whole status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Idle or Running.
    pub sync: SyncState,
    /// Each medium: where, whether available, free space.
    pub media: Vec<MediumStatus>,
    /// Newest backup per medium (media without backups are absent).
    pub newest: Vec<Newest>,
    /// The weekly reminder ([`reminder_text`]): set when no backup on Public or
    /// External storage is under a week old. Serialised in the process's
    /// language; a front end renders it in its reader's.
    #[serde(serialize_with = "crate::i18n::serialize_opt_text")]
    pub warning: Option<Text>,
    /// The safety copies restores left, and the space they use.
    pub safety_copies: SafetyCopies,
    /// Offsite copies: configured or not, how many backups wait, the
    /// newest copy's age.
    pub offsite: OffsiteSummary,
}

/// The offsite part of the status.
#[derive(Debug, Clone, Serialize)]
pub struct OffsiteSummary {
    /// Whether the profile has an `[offsite]` section.
    pub configured: bool,
    /// Local backups not offsite yet (0 when not configured).
    pub pending: usize,
    /// Age in days of the newest backup recorded as offsite.
    pub newest_age_days: Option<f64>,
}

/// Age in days of the newest backup copied offsite (by when the backup was
/// made; older records, by when the copy was recorded), if any.
pub fn offsite_newest_age(home: &std::path::Path, now: jiff::Timestamp) -> Option<f64> {
    crate::offsite_state::records(home)
        .ok()?
        .values()
        .map(|r| age_days(r.created_at.as_deref().unwrap_or(&r.at), now))
        .min_by(|a, b| a.total_cmp(b))
}

/// How many safety copies there are and how much space they use.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyCopies {
    /// Number of safety copies.
    pub count: usize,
    /// Bytes they hold together.
    pub bytes: u64,
}

/// The guide's weekly reminder, from the backups found (medium, age in
/// days). Only a copy that survives the app's "Clear Data", a reinstall or
/// a lost tablet counts: one on the Public or External medium. Backups on
/// the Private medium (the automatic ones among them) are wiped with the
/// app's data, so they never silence the reminder; it says which kind of
/// copy is missing. A copy offsite counts as a surviving one:
/// `offsite_age` is the age in days of the newest ([`offsite_newest_age`]).
pub fn reminder_text(
    backups: impl Iterator<Item = (Medium, f64)>,
    offsite_age: Option<f64>,
) -> Option<Text> {
    let (mut surviving, mut private) = (offsite_age.unwrap_or(f64::INFINITY), f64::INFINITY);
    for (medium, age) in backups {
        let best = if medium == Medium::Private {
            &mut private
        } else {
            &mut surviving
        };
        *best = best.min(age);
    }
    let todo = t!("ops-reminder-what-to-do");
    if surviving <= STALE_AFTER_DAYS {
        None
    } else if surviving.is_finite() {
        Some(t!(
            "ops-reminder-stale",
            days = format!("{surviving:.0}"),
            todo = todo
        ))
    } else if private.is_finite() {
        Some(t!("ops-reminder-private-only", todo = todo))
    } else {
        Some(t!("ops-reminder-none", todo = todo))
    }
}

/// [`reminder_text`] in the process's language ([`crate::i18n::current`]).
pub fn reminder(
    backups: impl Iterator<Item = (Medium, f64)>,
    offsite_age: Option<f64>,
) -> Option<String> {
    reminder_text(backups, offsite_age).map(|t| t.text())
}

/// Age in days of a backup created at `created_at` (RFC 3339), as of
/// `now`; infinite when `created_at` is not a time.
pub fn age_days(created_at: &str, now: jiff::Timestamp) -> f64 {
    created_at
        .parse::<jiff::Timestamp>()
        .map_or(f64::INFINITY, |t| age_days_of(t, now))
}

/// Age in days of a backup created at `created_at`, as of `now`.
pub fn age_days_of(created_at: jiff::Timestamp, now: jiff::Timestamp) -> f64 {
    (now.as_second() - created_at.as_second()) as f64 / 86400.0
}

/// Computes the status of the permit's home.
pub fn report(permit: &Permit<View>) -> Result<StatusReport> {
    let home = permit.home();
    crate::restore::recover_if_idle(home);
    let profile = Profile::load(home)?;
    let sync = sync_state(home).map_err(|e| {
        Error::io(
            t!("ops-doing-reading-sync-state"),
            crate::hostlock::locks_dir(home),
            e,
        )
    })?;
    let now = jiff::Timestamp::now();
    let mut newest = Vec::new();
    let offsite_ids = crate::offsite_state::records(home).unwrap_or_default();
    let mut pending = std::collections::BTreeSet::new();
    for (medium, dir) in profile.media.listing_dirs(home) {
        let listed = crate::catalog::scan(&[dir]);
        for m in listed.iter().filter_map(|l| l.metadata.as_ref()) {
            if !offsite_ids.contains_key(&m.sealed.id) {
                pending.insert(m.sealed.id.clone());
            }
        }
        if let Some(m) = listed.iter().find_map(|l| l.metadata.as_ref()) {
            let age_days = age_days_of(m.sealed.created_at.timestamp(), now);
            if newest
                .iter()
                .any(|n: &Newest| n.medium == medium && n.age_days <= age_days)
            {
                continue;
            }
            newest.retain(|n: &Newest| n.medium != medium);
            newest.push(Newest {
                medium,
                id: m.sealed.id.clone(),
                label: m.sealed.label.clone(),
                created_at: m.sealed.created_at.clone(),
                age_days,
            });
        }
    }
    let offsite = OffsiteSummary {
        configured: profile.offsite.is_some(),
        pending: if profile.offsite.is_some() {
            pending.len()
        } else {
            0
        },
        newest_age_days: offsite_newest_age(home, now),
    };
    let warning = reminder_text(
        newest.iter().map(|n| (n.medium, n.age_days)),
        offsite.newest_age_days,
    );
    let copies = crate::safety::scan(home);
    Ok(StatusReport {
        sync,
        media: media::status(&profile.media, home),
        newest,
        warning,
        safety_copies: SafetyCopies {
            count: copies.len(),
            bytes: copies.iter().map(|c| c.bytes).sum(),
        },
        offsite,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offsite_copy_under_a_week_silences_the_reminder() {
        let private_only = || [(Medium::Private, 1.0)].into_iter();
        assert!(reminder(private_only(), None).is_some());
        assert_eq!(reminder(private_only(), Some(2.0)), None);
        let old = reminder(private_only(), Some(9.0)).expect("a 9-day-old copy is stale");
        assert!(old.contains("9 days old"), "{old}");
        assert!(old.contains("offsite"), "{old}");
    }
}
