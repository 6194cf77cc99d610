//! The fleet view built from the index: per device the newest backup, the
//! newest offsite copy and its age, the size trend, the last verification,
//! the audit anchor's status, and why the device is at risk.

use super::index::Index;
use carevault_core::error::Result;
use carevault_core::i18n::t;
use serde::Serialize;
use std::collections::BTreeMap;

/// The rules a device is judged by.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// A device with no offsite copy newer than this is at risk.
    pub days: u32,
    /// Now, seconds since the epoch.
    pub now: i64,
}

/// The newest backup of a device.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BackupRef {
    pub id: String,
    pub made: String,
    pub size: u64,
}

/// The newest offsite copy of a device.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OffsiteRef {
    pub backup: String,
    pub uploaded: String,
    pub age_days: f64,
}

/// The audit anchor of a device: the heads its status events carry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Anchor {
    /// `ok` (each head extends the one before), `none` (no event carries
    /// a head), or `backwards` (a later event's head is behind or
    /// differs from an earlier one's).
    pub status: &'static str,
    pub seq: Option<u64>,
    pub hash: Option<String>,
    /// For `backwards`: which event and how.
    pub detail: Option<String>,
}

/// One device of the fleet.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Device {
    pub facility: String,
    pub device: String,
    /// Backups with a usable sidecar.
    pub backups: u64,
    pub newest_backup: Option<BackupRef>,
    pub newest_offsite: Option<OffsiteRef>,
    /// Size of the newest backup against the one before, in percent.
    pub size_trend_percent: Option<f64>,
    pub last_verified: Option<String>,
    pub audit_anchor: Anchor,
    /// Objects (and folders) of this device that could not be read.
    pub problems: u64,
    /// Of those, the ones left out of the report's `problems` (it lists
    /// the first [`PROBLEMS_LISTED`] of each device, by key).
    pub problems_not_listed: u64,
    /// Why the device is at risk (empty: it is not), in the process's
    /// language (the report is the command line's).
    pub at_risk: Vec<String>,
}

/// An object that could not be used.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

/// The fleet view.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub devices: Vec<Device>,
    /// The first [`PROBLEMS_LISTED`] problems of each device, by key.
    pub problems: Vec<Problem>,
    /// The problems left out of `problems`, every device's together.
    pub problems_not_listed: u64,
}

/// Problems listed per device: a tablet may write any number of unusable
/// objects into its folder, and the report stays small; the device's
/// `problems` count and its at-risk reason give the whole number.
pub const PROBLEMS_LISTED: usize = 20;

/// A backup counts as shrinking when it is smaller than this share of the
/// largest of the backups before it (up to [`TREND_WINDOW`]).
const SHRINK_RATIO: f64 = 0.8;
const TREND_WINDOW: usize = 5;

pub fn time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "(out of range)".into())
}

#[derive(Default)]
struct Acc {
    backups: u64,
    sizes: Vec<u64>,
    newest: Option<(i64, BackupRef)>,
    offsite: Option<(i64, String)>,
    verified: Option<i64>,
    head: Option<(u64, String)>,
    had_head: bool,
    backwards: Option<String>,
    events: u64,
    unfinished: Vec<String>,
    problems: u64,
}

/// Builds the view from `index` under `policy`.
pub fn build(index: &Index, policy: Policy) -> Result<Report> {
    let c = index.conn();
    let mut devices: BTreeMap<(String, String), Acc> = BTreeMap::new();
    let e = |e| index.err(e);
    let mut st = c
        .prepare("SELECT DISTINCT facility, device FROM objects")
        .map_err(e)?;
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(e)?;
    for r in rows {
        devices.entry(r.map_err(e)?).or_default();
    }
    let mut st = c
        .prepare("SELECT facility, device, backup, size, made FROM sidecars ORDER BY facility, device, made, key")
        .map_err(e)?;
    let mut rows = st.query([]).map_err(e)?;
    while let Some(r) = rows.next().map_err(e)? {
        let k: (String, String) = (r.get(0).map_err(e)?, r.get(1).map_err(e)?);
        let id: String = r.get(2).map_err(e)?;
        let size = r.get::<_, i64>(3).map_err(e)?.max(0) as u64;
        let made: i64 = r.get(4).map_err(e)?;
        let a = devices.entry(k).or_default();
        a.backups += 1;
        a.sizes.push(size);
        if a.sizes.len() > TREND_WINDOW + 1 {
            a.sizes.remove(0);
        }
        a.newest = Some((
            made,
            BackupRef {
                id,
                made: time(made),
                size,
            },
        ));
    }
    let mut st = c
        .prepare("SELECT facility, device, key, uploaded, verified, seq, hash, backup FROM events ORDER BY facility, device, key")
        .map_err(e)?;
    let mut rows = st.query([]).map_err(e)?;
    while let Some(r) = rows.next().map_err(e)? {
        let k: (String, String) = (r.get(0).map_err(e)?, r.get(1).map_err(e)?);
        let key: String = r.get(2).map_err(e)?;
        let uploaded: i64 = r.get(3).map_err(e)?;
        let verified: i64 = r.get(4).map_err(e)?;
        let seq: Option<i64> = r.get(5).map_err(e)?;
        let hash: Option<String> = r.get(6).map_err(e)?;
        let backup: String = r.get(7).map_err(e)?;
        let a = devices.entry(k).or_default();
        a.events += 1;
        if a.offsite.as_ref().is_none_or(|(t, _)| uploaded >= *t) {
            a.offsite = Some((uploaded, backup));
        }
        a.verified = Some(a.verified.map_or(verified, |v| v.max(verified)));
        match (seq, hash) {
            (Some(seq), Some(hash)) => {
                let seq = seq.max(0) as u64;
                if let Some((pseq, phash)) = &a.head {
                    let behind = seq < *pseq || (seq == *pseq && hash != *phash);
                    if behind && a.backwards.is_none() {
                        a.backwards = Some(
                            if seq == *pseq {
                                t!(
                                    "offsite-fleet-head-other-hash",
                                    key = key.as_str(),
                                    seq = seq.to_string(),
                                    before = pseq.to_string()
                                )
                            } else {
                                t!(
                                    "offsite-fleet-head-behind",
                                    key = key.as_str(),
                                    seq = seq.to_string(),
                                    before = pseq.to_string()
                                )
                            }
                            .text(),
                        );
                    }
                }
                if a.head.as_ref().is_none_or(|(p, _)| seq >= *p) {
                    a.head = Some((seq, hash));
                }
                a.had_head = true;
            }
            _ if a.had_head && a.backwards.is_none() => {
                a.backwards = Some(t!("offsite-fleet-head-removed", key = key.as_str()).text());
            }
            _ => {}
        }
    }
    // Uploads that did not finish: a sidecar without its status event, or
    // a backup object without its sidecar.
    let mut st = c
        .prepare(
            "SELECT s.facility, s.device, s.backup FROM sidecars s WHERE NOT EXISTS
               (SELECT 1 FROM events e WHERE e.facility=s.facility AND e.device=s.device AND e.backup=s.backup)
             UNION ALL
             SELECT o.facility, o.device, o.name FROM objects o WHERE o.kind='backup' AND NOT EXISTS
               (SELECT 1 FROM objects s WHERE s.key = o.key || '.json')",
        )
        .map_err(e)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                r.get::<_, String>(2)?,
            ))
        })
        .map_err(e)?;
    for r in rows {
        let (k, what) = r.map_err(e)?;
        devices.entry(k).or_default().unfinished.push(what);
    }
    let mut st = c
        .prepare("SELECT facility, device, count(*) FROM problems GROUP BY facility, device")
        .map_err(e)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(e)?;
    for r in rows {
        let (k, n) = r.map_err(e)?;
        devices.entry(k).or_default().problems = n.max(0) as u64;
    }
    let mut problems = Vec::new();
    let mut st = c
        .prepare(
            "SELECT key, message FROM
               (SELECT key, message, row_number() OVER (PARTITION BY facility, device ORDER BY key) AS n
                FROM problems)
             WHERE n <= ?1 ORDER BY key",
        )
        .map_err(e)?;
    let rows = st
        .query_map([PROBLEMS_LISTED as i64], |r| {
            Ok(Problem {
                key: r.get(0)?,
                message: r.get(1)?,
            })
        })
        .map_err(e)?;
    for r in rows {
        problems.push(r.map_err(e)?);
    }
    let all: u64 = devices.values().map(|a| a.problems).sum();
    let problems_not_listed = all.saturating_sub(problems.len() as u64);
    let devices = devices
        .into_iter()
        .map(|((facility, device), a)| judge(facility, device, a, policy))
        .collect();
    Ok(Report {
        devices,
        problems,
        problems_not_listed,
    })
}

fn judge(facility: String, device: String, a: Acc, policy: Policy) -> Device {
    let mut risk = Vec::new();
    let newest_offsite = a.offsite.map(|(t, backup)| OffsiteRef {
        backup,
        uploaded: time(t),
        age_days: ((policy.now - t).max(0) as f64 / 86_400.0 * 10.0).round() / 10.0,
    });
    match &newest_offsite {
        None => risk.push(t!("offsite-fleet-risk-no-copy").text()),
        Some(o) if o.age_days > f64::from(policy.days) => risk.push(
            t!(
                "offsite-fleet-risk-old-copy",
                age = o.age_days.to_string(),
                days = policy.days.to_string()
            )
            .text(),
        ),
        Some(_) => {}
    }
    if !a.unfinished.is_empty() {
        let mut list = a.unfinished.clone();
        list.sort();
        list.truncate(3);
        risk.push(
            t!(
                "offsite-fleet-risk-unfinished",
                count = a.unfinished.len().to_string(),
                list = list.join(", ")
            )
            .text(),
        );
    }
    let trend = match a.sizes.as_slice() {
        [.., prev, last] if *prev > 0 => {
            Some(((*last as f64 / *prev as f64 - 1.0) * 1000.0).round() / 10.0)
        }
        _ => None,
    };
    if let [before @ .., last] = a.sizes.as_slice() {
        if let Some(max) = before.iter().max() {
            if (*last as f64) < *max as f64 * SHRINK_RATIO {
                risk.push(
                    t!(
                        "offsite-fleet-risk-shrinking",
                        percent = ((1.0 - *last as f64 / *max as f64) * 100.0)
                            .round()
                            .to_string(),
                        count = before.len().to_string()
                    )
                    .text(),
                );
            }
        }
    }
    let audit_anchor = if let Some(d) = a.backwards {
        risk.push(t!("offsite-fleet-risk-anchor", detail = d.as_str()).text());
        Anchor {
            status: "backwards",
            seq: a.head.as_ref().map(|h| h.0),
            hash: a.head.map(|h| h.1),
            detail: Some(d),
        }
    } else {
        Anchor {
            status: if a.had_head { "ok" } else { "none" },
            seq: a.head.as_ref().map(|h| h.0),
            hash: a.head.map(|h| h.1),
            detail: None,
        }
    };
    if a.problems > 0 {
        risk.push(
            t!(
                "offsite-fleet-risk-problems",
                count = a.problems.to_string()
            )
            .text(),
        );
    }
    Device {
        facility,
        device,
        backups: a.backups,
        newest_backup: a.newest.map(|n| n.1),
        newest_offsite,
        size_trend_percent: trend,
        last_verified: a.verified.map(time),
        audit_anchor,
        problems: a.problems,
        problems_not_listed: a.problems.saturating_sub(PROBLEMS_LISTED as u64),
        at_risk: risk,
    }
}

impl Report {
    /// The report as `carevault --json fleet` prints it and the fleet
    /// page's `GET /api/fleet` answers it (docs/JSON.md): the store, the
    /// index file, the policy, what the refresh did, every device, the
    /// devices at risk (facility, device, reasons), the unusable objects
    /// (at most [`PROBLEMS_LISTED`] per device) and how many were left out.
    pub fn document(
        &self,
        store: &str,
        index: &std::path::Path,
        days: u32,
        refresh: &super::index::Refresh,
    ) -> serde_json::Value {
        let at_risk: Vec<_> = self
            .devices
            .iter()
            .filter(|d| !d.at_risk.is_empty())
            .map(|d| serde_json::json!({"facility": d.facility, "device": d.device, "reasons": d.at_risk}))
            .collect();
        serde_json::json!({
            "store": store,
            "index": index,
            "policy_days": days,
            "refresh": refresh,
            "devices": self.devices,
            "at_risk": at_risk,
            "problems": self.problems,
            "problems_not_listed": self.problems_not_listed,
        })
    }
}
