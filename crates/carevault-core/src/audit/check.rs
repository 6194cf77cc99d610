//! Verification of the audit trail: pure analysis of the log's bytes and
//! the head file, producing one plain-words line per problem.

use super::store::{parse_line, sniff_seq, split_lines, HeadState};
use super::{encode, AuditCheck, Record, GENESIS};
use crate::i18n::{t, Text};
use std::collections::{BTreeMap, BTreeSet};

/// One line of the log, as read.
enum Line {
    Rec(Record),
    /// Not readable as a record; `seq` if one can still be seen in it.
    Bad {
        seq: Option<u64>,
        /// Why it cannot be read; `None` when the log ends in it.
        why: Option<Text>,
    },
}

pub(super) fn check(log: Option<&[u8]>, head: &HeadState) -> AuditCheck {
    let mut problems = Vec::new();
    let Some(bytes) = log else {
        match head {
            HeadState::Present(h) if h.seq > 0 => {
                problems.push(t!("ops-audit-log-deleted", seq = h.seq.to_string()))
            }
            HeadState::Unreadable(why) => {
                problems.push(t!("ops-audit-log-missing-head-damaged", why = why))
            }
            _ => {}
        }
        return AuditCheck::of(0, problems);
    };

    let (raw, fragment) = split_lines(bytes);
    let mut lines: Vec<(&[u8], Line)> = raw
        .iter()
        .map(|l| {
            let line = match parse_line(l) {
                Ok(r) => Line::Rec(r),
                Err(why) => Line::Bad {
                    seq: sniff_seq(l),
                    why: Some(why),
                },
            };
            (*l, line)
        })
        .collect();
    if let Some(f) = fragment {
        lines.push((
            f,
            Line::Bad {
                seq: sniff_seq(f),
                why: None,
            },
        ));
    }

    // Every sequence number that occurs, readable or not, and how many
    // times each readable one occurs.
    let mut present = BTreeSet::new();
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for (_, line) in &lines {
        match line {
            Line::Rec(r) => {
                present.insert(r.seq);
                *counts.entry(r.seq).or_default() += 1;
            }
            Line::Bad { seq: Some(s), .. } => {
                present.insert(*s);
            }
            Line::Bad { seq: None, .. } => {}
        }
    }
    // True when no sequence number in `from..to` occurs anywhere: a plain
    // gap, reported once below as missing entries.
    let absent = |from: u64, to: u64| from < to && present.range(from..to).next().is_none();

    let mut entries = 0u64;
    // The last readable entry so far; the start of the trail counts as
    // entry 0 with hash GENESIS, so that entry 1 is checked like any other.
    let mut last = (0u64, GENESIS.to_string());
    // `Some(seq)` when the line just before was damaged.
    let mut after_bad: Option<Option<u64>> = None;
    for (i, (bytes, line)) in lines.iter().enumerate() {
        let n = i + 1;
        match line {
            Line::Rec(r) => {
                entries += 1;
                let s = r.seq;
                if r.hash != r.compute_hash() {
                    problems.push(t!(
                        "ops-audit-entry-hash-mismatch",
                        seq = s.to_string(),
                        line = n.to_string()
                    ));
                } else if encode(r) != *bytes {
                    problems.push(t!(
                        "ops-audit-entry-rewritten",
                        seq = s.to_string(),
                        line = n.to_string()
                    ));
                }
                let (ls, lh) = &last;
                if Some(s) == ls.checked_add(1) {
                    // The next entry after the last readable one (possibly
                    // across a damaged line: a write that was interrupted
                    // and then made again). Its link must match.
                    if r.prev != *lh {
                        problems.push(if *ls == 0 {
                            t!("ops-audit-first-not-start", line = n.to_string())
                        } else {
                            t!(
                                "ops-audit-broken-link",
                                seq = s.to_string(),
                                line = n.to_string(),
                                prev = ls.to_string()
                            )
                        });
                    }
                } else {
                    match after_bad {
                        // Right after a damaged line whose seq cannot be seen.
                        Some(None) => {}
                        Some(Some(b)) => place(&mut problems, s, n, b, &absent),
                        None => place(&mut problems, s, n, *ls, &absent),
                    }
                }
                last = (s, r.hash.clone());
                after_bad = None;
            }
            Line::Bad { seq, why } => {
                let line = n.to_string();
                let what = match (seq, last.0) {
                    (Some(s), _) => t!("ops-audit-line-seq", line = &line, seq = s.to_string()),
                    (None, 0) => t!("ops-audit-line-first", line = &line),
                    (None, p) => t!("ops-audit-line-after", line = &line, prev = p.to_string()),
                };
                problems.push(match why {
                    None => t!("ops-audit-line-incomplete", what = what),
                    Some(why) => t!("ops-audit-line-damaged", what = what, why = why),
                });
                after_bad = Some(*seq);
            }
        }
    }
    for (s, c) in &counts {
        if *c > 1 {
            problems.push(t!(
                "ops-audit-entry-repeated",
                seq = s.to_string(),
                times = c.to_string()
            ));
        }
    }

    // Gaps between the sequence numbers that occur.
    let unknown_bad = lines
        .iter()
        .any(|(_, l)| matches!(l, Line::Bad { seq: None, .. }));
    let gap_why = || {
        if unknown_bad {
            t!("ops-audit-why-removed-or-damaged")
        } else {
            t!("ops-audit-why-removed")
        }
    };
    let mut before = 0u64;
    for &s in &present {
        if s > before.saturating_add(1) {
            problems.push(missing(before + 1, s - 1, Place::Log, gap_why()));
        }
        before = s;
    }

    let log_max = present.last().copied();
    match head {
        HeadState::Missing => {
            if !lines.is_empty() {
                problems.push(t!("ops-audit-head-missing"));
            }
        }
        HeadState::Unreadable(why) => problems.push(t!("ops-audit-head-damaged", why = why)),
        HeadState::Present(h) => match log_max {
            None if h.seq > 0 => problems.push(missing(
                1,
                h.seq,
                Place::Log,
                t!("ops-audit-why-head-went-on", seq = h.seq.to_string()),
            )),
            None => {}
            Some(m) if h.seq > m => problems.push(missing(
                m.saturating_add(1),
                h.seq,
                Place::End,
                t!("ops-audit-why-head-last", seq = h.seq.to_string()),
            )),
            Some(m) => {
                let recorded = lines.iter().find_map(|(_, l)| match l {
                    Line::Rec(r) if r.seq == h.seq => Some(r),
                    _ => None,
                });
                if let Some(r) = recorded {
                    if r.hash != h.hash {
                        problems.push(t!("ops-audit-head-mismatch", seq = h.seq.to_string()));
                    }
                }
                if h.seq < m {
                    problems.push(t!(
                        "ops-audit-log-beyond-head",
                        seq = h.seq.to_string(),
                        max = m.to_string()
                    ));
                }
            }
        },
    }

    AuditCheck::of(entries, problems)
}

/// Reports entry `s` (line `n`) when it does not belong right after the
/// entry with sequence number `ps`; a plain gap is left to the report of
/// missing entries.
fn place(problems: &mut Vec<Text>, s: u64, n: usize, ps: u64, absent: &impl Fn(u64, u64) -> bool) {
    match ps.checked_add(1) {
        Some(want) if s == want || absent(want, s) => {}
        _ if ps == 0 => problems.push(t!(
            "ops-audit-out-of-place-first",
            seq = s.to_string(),
            line = n.to_string()
        )),
        _ => problems.push(t!(
            "ops-audit-out-of-place",
            seq = s.to_string(),
            line = n.to_string(),
            prev = ps.to_string()
        )),
    }
}

/// Where missing entries were expected.
enum Place {
    /// Anywhere in the log.
    Log,
    /// At its end.
    End,
}

/// "entry seq 5 is missing from the log (why)" or "entries seq 5 to 9 are ...".
fn missing(from: u64, to: u64, place: Place, why: Text) -> Text {
    let (from, to) = (from.to_string(), to.to_string());
    match (from == to, place) {
        (true, Place::Log) => t!("ops-audit-missing-one", seq = from, why = why),
        (true, Place::End) => t!("ops-audit-missing-one-end", seq = from, why = why),
        (false, Place::Log) => t!("ops-audit-missing-range", from = from, to = to, why = why),
        (false, Place::End) => {
            t!(
                "ops-audit-missing-range-end",
                from = from,
                to = to,
                why = why
            )
        }
    }
}
