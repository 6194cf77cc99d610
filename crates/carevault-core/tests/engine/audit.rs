//! The audit trail: concurrent appends, reading back, and detection of
//! every kind of tampering the brief names.

use carevault_core::audit::{self, Event, Outcome, Record, GENESIS};
use carevault_core::Kind;
use std::path::{Path, PathBuf};

fn home() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn log(home: &Path) -> PathBuf {
    home.join("private").join("audit.log")
}

fn head(home: &Path) -> PathBuf {
    home.join("private").join("audit.head")
}

/// Appends `n` events; the 5th is a refusal, the others vary.
fn fill(home: &Path, n: u64) -> Vec<Record> {
    (1..=n)
        .map(|i| {
            let e = match i % 4 {
                _ if i == 5 => Event::new("nurse", "delete", Outcome::Refused)
                    .backup("bk-5")
                    .reason("role Clinic Nurse may not delete backups"),
                0 => Event::new("admin", "create", Outcome::Success)
                    .backup(&format!("bk-{i}"))
                    .medium("external"),
                1 => Event::new("manager", "restore", Outcome::Failure)
                    .backup(&format!("bk-{i}"))
                    .medium("private")
                    .reason("wrong passphrase"),
                2 => Event::new("nurse", "verify", Outcome::Success).backup(&format!("bk-{i}")),
                _ => Event::new("someone", "login", Outcome::Refused)
                    .reason("wrong user name or password"),
            };
            audit::append(home, &e).expect("append")
        })
        .collect()
}

fn lines(home: &Path) -> Vec<String> {
    let bytes = std::fs::read(log(home)).expect("read log");
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(home: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(log(home), text).expect("write log");
}

/// True when `text` mentions "seq N" as a whole number ("seq 1" is not in "seq 10").
fn names_seq(text: &str, n: u64) -> bool {
    let pat = format!("seq {n}");
    text.match_indices(&pat).any(|(i, _)| {
        !text[i + pat.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// Verifies and asserts that some problem names each of `seqs`.
fn assert_flags(home: &Path, seqs: &[u64]) -> Vec<String> {
    let check = audit::verify(home).expect("verify");
    assert!(!check.problems.is_empty(), "no problem found");
    for &s in seqs {
        assert!(
            check.problems.iter().any(|p| names_seq(p, s)),
            "no problem names seq {s}: {:#?}",
            check.problems
        );
    }
    check.problems
}

fn assert_clean(home: &Path, entries: u64) {
    let check = audit::verify(home).expect("verify");
    assert_eq!(check.problems, Vec::<String>::new());
    assert_eq!(check.entries, entries);
}

#[test]
fn concurrent_appends_get_consecutive_seqs() {
    let dir = home();
    let h = dir.path().to_path_buf();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let h = h.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let e = Event::new(&format!("user{t}"), "create", Outcome::Success)
                        .backup(&format!("bk-{t}-{i}"));
                    audit::append(&h, &e).expect("append");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let records = audit::read(&h).expect("read");
    assert_eq!(records.len(), 200);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1);
    }
    // Each thread's events are all there, in its own order.
    for t in 0..4 {
        let mine: Vec<_> = records
            .iter()
            .filter(|r| r.event.user == format!("user{t}"))
            .map(|r| r.event.backup.clone().unwrap())
            .collect();
        let want: Vec<_> = (0..50).map(|i| format!("bk-{t}-{i}")).collect();
        assert_eq!(mine, want);
    }
    assert_clean(&h, 200);
}

#[test]
fn read_returns_what_was_appended_in_order() {
    let dir = home();
    assert_eq!(audit::read(dir.path()).unwrap(), Vec::<Record>::new());
    assert_clean(dir.path(), 0);
    let mut written = fill(dir.path(), 6);
    // Awkward text survives: quotes, newlines, non-ASCII.
    written.push(
        audit::append(
            dir.path(),
            &Event::new("Amélie \"A\"", "restore", Outcome::Failure)
                .reason("line one\nline two\t\u{1}"),
        )
        .unwrap(),
    );
    let read = audit::read(dir.path()).unwrap();
    assert_eq!(read, written);
    assert_eq!(
        read[6].event.reason.as_deref(),
        Some("line one\nline two\t\u{1}")
    );
    assert_eq!(read[4].event, {
        Event::new("nurse", "delete", Outcome::Refused)
            .backup("bk-5")
            .reason("role Clinic Nurse may not delete backups")
    });
    assert_eq!(read[0].prev, GENESIS);
    for w in read.windows(2) {
        assert_eq!(w[1].prev, w[0].hash);
    }
    assert_eq!(lines(dir.path()).len(), 7);
    assert_clean(dir.path(), 7);
}

#[test]
fn time_is_utc_rfc3339_with_milliseconds() {
    let dir = home();
    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    // 2025-01-31T08:15:02.123Z
    assert_eq!(r.time.len(), 24, "{}", r.time);
    assert!(
        r.time.ends_with('Z') && r.time.as_bytes()[19] == b'.',
        "{}",
        r.time
    );
    let t: jiff::Timestamp = r.time.parse().expect("RFC 3339");
    let age = jiff::Timestamp::now().duration_since(t);
    assert!(age.as_secs() < 60);
}

#[test]
fn hash_is_sha256_of_the_documented_encoding() {
    use sha2::{Digest, Sha256};
    let dir = home();
    let r = audit::append(
        dir.path(),
        &Event::new("nurse", "create", Outcome::Success).medium("public"),
    )
    .unwrap();
    let canonical = format!(
        r#"{{"seq":1,"time":"{}","user":"nurse","action":"create","backup":null,"medium":"public","outcome":"success","reason":null,"prev":"{GENESIS}","hash":""}}"#,
        r.time
    );
    assert_eq!(r.canonical_bytes(), canonical.as_bytes());
    assert_eq!(r.hash, hex::encode(Sha256::digest(canonical.as_bytes())));
    // The line in the log is the same encoding with the real hash.
    let line = canonical.replace(r#""hash":"""#, &format!(r#""hash":"{}""#, r.hash));
    assert_eq!(lines(dir.path()), vec![line]);
    let head = std::fs::read_to_string(head(dir.path())).unwrap();
    assert_eq!(head, format!("{{\"seq\":1,\"hash\":\"{}\"}}\n", r.hash));
}

#[test]
fn untouched_log_has_no_problems() {
    let dir = home();
    fill(dir.path(), 10);
    assert_clean(dir.path(), 10);
}

#[test]
fn edited_field_is_detected() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    assert!(l[4].contains(r#""outcome":"refused""#));
    l[4] = l[4].replace(r#""outcome":"refused""#, r#""outcome":"success""#);
    write_lines(dir.path(), &l);
    // Still valid JSON: read accepts it, verify does not.
    assert_eq!(
        audit::read(dir.path()).unwrap()[4].event.outcome,
        Outcome::Success
    );
    let problems = assert_flags(dir.path(), &[5]);
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn deleted_middle_line_is_detected() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    l.remove(4);
    write_lines(dir.path(), &l);
    let problems = assert_flags(dir.path(), &[5]);
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn swapped_lines_are_detected() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    l.swap(3, 4);
    write_lines(dir.path(), &l);
    assert_flags(dir.path(), &[4, 5]);
}

#[test]
fn deleted_last_line_is_detected() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    l.pop();
    write_lines(dir.path(), &l);
    assert_flags(dir.path(), &[10]);
    // Several last lines.
    l.truncate(6);
    write_lines(dir.path(), &l);
    let problems = assert_flags(dir.path(), &[7, 10]);
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn truncation_mid_line_is_detected() {
    let dir = home();
    fill(dir.path(), 10);
    let text = std::fs::read(log(dir.path())).unwrap();
    let l = lines(dir.path());
    let start_of_7: usize = l[..6].iter().map(|s| s.len() + 1).sum();
    std::fs::write(log(dir.path()), &text[..start_of_7 + 40]).unwrap();
    assert_flags(dir.path(), &[7, 10]);
    let err = audit::read(dir.path()).unwrap_err();
    assert_eq!(err.kind(), Kind::Corrupted);
    assert!(err.message().contains("line 7"), "{}", err.message());
}

#[test]
fn edit_with_recomputed_hash_is_detected() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    let mut r: Record = serde_json::from_str(&l[4]).unwrap();
    r.event.outcome = Outcome::Success;
    r.event.reason = None;
    r.hash = r.compute_hash();
    l[4] = serde_json::to_string(&r).unwrap();
    write_lines(dir.path(), &l);
    let problems = assert_flags(dir.path(), &[5]);
    assert!(problems.iter().all(|p| names_seq(p, 6)), "{problems:#?}");
}

#[test]
fn edit_of_last_entry_with_recomputed_hash_is_caught_by_the_head() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    let mut r: Record = serde_json::from_str(&l[9]).unwrap();
    r.event.user = "somebody else".into();
    r.hash = r.compute_hash();
    l[9] = serde_json::to_string(&r).unwrap();
    write_lines(dir.path(), &l);
    assert_flags(dir.path(), &[10]);
    // An append does not launder it: the new entry links to the original.
    audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_flags(dir.path(), &[10]);
}

#[test]
fn added_field_is_detected() {
    let dir = home();
    fill(dir.path(), 4);
    let mut l = lines(dir.path());
    l[1] = l[1].replacen('{', r#"{"note":"approved","#, 1);
    write_lines(dir.path(), &l);
    assert_flags(dir.path(), &[2]);
}

#[test]
fn garbled_line_is_reported_not_panicked_on() {
    let dir = home();
    fill(dir.path(), 6);
    let mut text = std::fs::read(log(dir.path())).unwrap();
    let l = lines(dir.path());
    let start_of_3: usize = l[..2].iter().map(|s| s.len() + 1).sum();
    // Invalid UTF-8 and broken JSON inside entry 3.
    text[start_of_3 + 30] = 0xff;
    text[start_of_3 + 31] = b'{';
    std::fs::write(log(dir.path()), &text).unwrap();
    let err = audit::read(dir.path()).unwrap_err();
    assert_eq!(err.kind(), Kind::Corrupted);
    assert!(err.message().contains("line 3"), "{}", err.message());
    assert_flags(dir.path(), &[3]);
    // Pure garbage, an empty line, a JSON value of the wrong shape.
    let mut l = lines(dir.path());
    l[0] = "\u{0}\u{7f} not json at all".into();
    l[1] = String::new();
    l[3] = r#"{"seq":4,"outcome":"hacked"}"#.into();
    write_lines(dir.path(), &l);
    let check = audit::verify(dir.path()).unwrap();
    assert!(check.problems.iter().any(|p| p.contains("line 1")));
    assert!(check.problems.iter().any(|p| p.contains("line 2")));
    assert!(check.problems.iter().any(|p| names_seq(p, 4)));
    assert_eq!(audit::read(dir.path()).unwrap_err().kind(), Kind::Corrupted);
}

#[test]
fn append_after_a_torn_write_keeps_the_evidence_and_the_chain() {
    let dir = home();
    fill(dir.path(), 5);
    // A crash in the middle of writing entry 6: the log ends mid-line and
    // the head still names entry 5.
    let torn = r#"{"seq":6,"time":"2025-01-01T00:00:00.000Z","user":"nur"#;
    let mut text = std::fs::read(log(dir.path())).unwrap();
    text.extend_from_slice(torn.as_bytes());
    std::fs::write(log(dir.path()), &text).unwrap();
    assert_flags(dir.path(), &[6]);

    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_eq!(r.seq, 6);
    let l = lines(dir.path());
    assert_eq!(l.len(), 7);
    assert_eq!(l[5], torn, "the damaged line is kept as it was");
    // Later appends chain normally; verify still reports the damaged line only.
    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_eq!(r.seq, 7);
    let problems = assert_flags(dir.path(), &[6]);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].contains("line 6"), "{problems:#?}");
}

#[test]
fn append_does_not_hide_removed_last_entries() {
    let dir = home();
    fill(dir.path(), 10);
    let mut l = lines(dir.path());
    l.truncate(7);
    write_lines(dir.path(), &l);
    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_eq!(
        r.seq, 11,
        "the chain continues from the head, leaving the gap visible"
    );
    assert_flags(dir.path(), &[8, 10]);
}

#[test]
fn deleted_log_is_detected_and_append_continues_from_the_head() {
    let dir = home();
    fill(dir.path(), 3);
    std::fs::remove_file(log(dir.path())).unwrap();
    assert_flags(dir.path(), &[3]);
    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_eq!(r.seq, 4);
    assert_flags(dir.path(), &[1, 3]);
}

#[test]
fn missing_head_is_reported_and_append_falls_back_to_the_log() {
    let dir = home();
    let written = fill(dir.path(), 4);
    std::fs::remove_file(head(dir.path())).unwrap();
    let check = audit::verify(dir.path()).unwrap();
    assert_eq!(check.problems.len(), 1, "{:#?}", check.problems);
    assert!(check.problems[0].contains("head"));
    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_eq!(r.seq, 5);
    assert_eq!(r.prev, written[3].hash);
    assert_clean(dir.path(), 5);
}

#[test]
fn damaged_head_is_reported_and_append_falls_back_to_the_log() {
    let dir = home();
    fill(dir.path(), 4);
    std::fs::write(head(dir.path()), "{\"seq\":4,").unwrap();
    assert!(audit::verify(dir.path()).unwrap().problems[0].contains("head"));
    assert_eq!(
        audit::append(dir.path(), &Event::new("a", "create", Outcome::Success))
            .unwrap()
            .seq,
        5
    );
    assert_clean(dir.path(), 5);
}

#[test]
fn head_left_behind_by_an_interrupted_append_is_caught_up() {
    let dir = home();
    fill(dir.path(), 4);
    let old_head = std::fs::read(head(dir.path())).unwrap();
    audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    // The crash window: entry 5 is in the log, the head still says 4.
    std::fs::write(head(dir.path()), &old_head).unwrap();
    assert_flags(dir.path(), &[4, 5]);
    let r = audit::append(dir.path(), &Event::new("a", "create", Outcome::Success)).unwrap();
    assert_eq!(r.seq, 6, "no repeated seq");
    assert_clean(dir.path(), 6);
}

#[test]
fn duplicated_line_is_detected() {
    let dir = home();
    fill(dir.path(), 5);
    let mut l = lines(dir.path());
    let copy = l[2].clone();
    l.insert(3, copy);
    write_lines(dir.path(), &l);
    assert_flags(dir.path(), &[3]);
}
