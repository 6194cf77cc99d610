//! `carevault status`: sync state, the newest backup on each medium and its
//! age, free space, and the guide's weekly-backup warning.

use crate::auth::{Permit, View};
use crate::error::{Error, Result};
use crate::hostlock::{sync_state, SyncState};
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
    pub created_at: String,
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
    /// Set when the newest backup anywhere is over a week old, or there is none.
    pub warning: Option<String>,
}

/// Computes the status of the permit's home.
pub fn report(permit: &Permit<View>) -> Result<StatusReport> {
    let home = permit.home();
    crate::restore::recover_if_idle(home);
    let profile = Profile::load(home)?;
    let sync = sync_state(home).map_err(|e| {
        Error::io(
            "reading the sync state",
            crate::hostlock::locks_dir(home),
            e,
        )
    })?;
    let now = jiff::Timestamp::now();
    let mut newest = Vec::new();
    for (medium, dir) in profile.media.listing_dirs(home) {
        let listed = crate::catalog::scan(&[dir]);
        if let Some(m) = listed.iter().find_map(|l| l.metadata.as_ref()) {
            let age_days = m
                .sealed
                .created_at
                .parse::<jiff::Timestamp>()
                .map(|t| (now.as_second() - t.as_second()) as f64 / 86400.0)
                .unwrap_or(f64::INFINITY);
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
    let freshest = newest
        .iter()
        .map(|n| n.age_days)
        .fold(f64::INFINITY, f64::min);
    let warning = if newest.is_empty() {
        Some(
            "there is no backup yet: make one now (the guide asks for one at least once a week)"
                .to_string(),
        )
    } else if freshest > STALE_AFTER_DAYS {
        Some(format!("the newest backup is {freshest:.0} days old: make one now (the guide asks for one at least once a week)"))
    } else {
        None
    };
    Ok(StatusReport {
        sync,
        media: media::status(&profile.media, home),
        newest,
        warning,
    })
}
