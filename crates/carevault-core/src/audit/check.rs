//! Verification of the audit trail: pure analysis of the log's bytes and
//! the head file, producing one plain-words line per problem.

use super::store::{parse_line, sniff_seq, split_lines, HeadState};
use super::{encode, AuditCheck, Record, GENESIS};
use std::collections::{BTreeMap, BTreeSet};

/// One line of the log, as read.
enum Line {
    Rec(Record),
    /// Not readable as a record; `seq` if one can still be seen in it.
    Bad {
        seq: Option<u64>,
        why: String,
        incomplete: bool,
    },
}

pub(super) fn check(log: Option<&[u8]>, head: &HeadState) -> AuditCheck {
    let mut problems = Vec::new();
    let Some(bytes) = log else {
        match head {
            HeadState::Present(h) if h.seq > 0 => problems.push(format!(
                "the audit log is missing, but the head file says it held entries up to seq {}: it was deleted",
                h.seq
            )),
            HeadState::Unreadable(why) => problems.push(format!(
                "the audit log is missing and its head file is damaged ({why})"
            )),
            _ => {}
        }
        return AuditCheck {
            entries: 0,
            problems,
        };
    };

    let (raw, fragment) = split_lines(bytes);
    let mut lines: Vec<(&[u8], Line)> = raw
        .iter()
        .map(|l| {
            let line = match parse_line(l) {
                Ok(r) => Line::Rec(r),
                Err(why) => Line::Bad {
                    seq: sniff_seq(l),
                    why,
                    incomplete: false,
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
                why: String::new(),
                incomplete: true,
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
                    problems.push(format!(
                        "entry seq {s} (line {n}) was altered: its contents no longer match its hash"
                    ));
                } else if encode(r) != *bytes {
                    problems.push(format!(
                        "entry seq {s} (line {n}) was altered: the line is not exactly as carevault wrote it \
                         (fields added, repeated or reordered, or spacing changed)"
                    ));
                }
                let (ls, lh) = &last;
                if Some(s) == ls.checked_add(1) {
                    // The next entry after the last readable one (possibly
                    // across a damaged line: a write that was interrupted
                    // and then made again). Its link must match.
                    if r.prev != *lh {
                        problems.push(if *ls == 0 {
                            format!(
                                "entry seq 1 (line {n}) does not start the trail: its link to a previous entry \
                                 should be all zeros, so it was changed or the start of the trail was replaced"
                            )
                        } else {
                            format!(
                                "entry seq {s} (line {n}) does not link to entry seq {ls} before it: entry seq {ls} \
                                 was changed or replaced after entry seq {s} was written"
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
            Line::Bad {
                seq,
                why,
                incomplete,
            } => {
                let what = match (seq, last.0) {
                    (Some(s), _) => format!("line {n} (entry seq {s})"),
                    (None, 0) => format!("line {n} (before any readable entry)"),
                    (None, p) => format!("line {n} (after entry seq {p})"),
                };
                problems.push(if *incomplete {
                    format!(
                        "{what} is incomplete: the log ends in the middle of an entry \
                         (a write was interrupted, or the file was cut short)"
                    )
                } else {
                    format!("{what} is damaged and cannot be read as an audit entry: {why}")
                });
                after_bad = Some(*seq);
            }
        }
    }
    for (s, c) in &counts {
        if *c > 1 {
            problems.push(format!(
                "entry seq {s} appears {c} times in the log: entries were copied or replayed"
            ));
        }
    }

    // Gaps between the sequence numbers that occur.
    let unknown_bad = lines
        .iter()
        .any(|(_, l)| matches!(l, Line::Bad { seq: None, .. }));
    let gap_why = if unknown_bad {
        "removed after being written, or unreadable in a damaged line"
    } else {
        "removed after being written"
    };
    let mut before = 0u64;
    for &s in &present {
        if s > before.saturating_add(1) {
            problems.push(missing(before + 1, s - 1, "from the log", gap_why));
        }
        before = s;
    }

    let log_max = present.last().copied();
    match head {
        HeadState::Missing => {
            if !lines.is_empty() {
                problems.push(
                    "the head file audit.head is missing, so the removal of the last entries cannot be \
                     ruled out (the next entry appended writes it again)"
                        .to_string(),
                );
            }
        }
        HeadState::Unreadable(why) => problems.push(format!(
            "the head file audit.head is damaged ({why}), so the removal of the last entries cannot be ruled out"
        )),
        HeadState::Present(h) => match log_max {
            None if h.seq > 0 => problems.push(missing(
                1,
                h.seq,
                "from the log",
                &format!("the head file says the trail went on to seq {}", h.seq),
            )),
            None => {}
            Some(m) if h.seq > m => problems.push(missing(
                m.saturating_add(1),
                h.seq,
                "from the end of the log",
                &format!(
                    "the head file says the last entry is seq {}: entries were removed or the file was cut short",
                    h.seq
                ),
            )),
            Some(m) => {
                let recorded = lines.iter().find_map(|(_, l)| match l {
                    Line::Rec(r) if r.seq == h.seq => Some(r),
                    _ => None,
                });
                if let Some(r) = recorded {
                    if r.hash != h.hash {
                        problems.push(format!(
                            "entry seq {} does not match the head file, which recorded it as the last entry \
                             appended: it was changed or replaced",
                            h.seq
                        ));
                    }
                }
                if h.seq < m {
                    problems.push(format!(
                        "the head file says the last entry is seq {}, but the log goes on to seq {m}: an append \
                         was interrupted before it finished, or entries were added by other means",
                        h.seq
                    ));
                }
            }
        },
    }

    AuditCheck { entries, problems }
}

/// Reports entry `s` (line `n`) when it does not belong right after the
/// entry with sequence number `ps`; a plain gap is left to the report of
/// missing entries.
fn place(
    problems: &mut Vec<String>,
    s: u64,
    n: usize,
    ps: u64,
    absent: &impl Fn(u64, u64) -> bool,
) {
    match ps.checked_add(1) {
        Some(want) if s == want || absent(want, s) => {}
        _ if ps == 0 => problems.push(format!(
            "entry seq {s} (line {n}) is out of place: it is the first entry of the log"
        )),
        _ => problems.push(format!(
            "entry seq {s} (line {n}) is out of place: it comes right after entry seq {ps}"
        )),
    }
}

/// "entry seq 5 is missing from the log (why)" or "entries seq 5 to 9 are ...".
fn missing(from: u64, to: u64, place: &str, why: &str) -> String {
    if from == to {
        format!("entry seq {from} is missing {place} ({why})")
    } else {
        format!("entries seq {from} to seq {to} are missing {place} ({why})")
    }
}
