//! The payload entry rules fed the raw headers of tar streams written by
//! the `tar` program and by the tar crate, and of hostile ones.

use super::*;
use std::io::Read;
use std::process::Command;

/// Drives the rules over a tar stream as the core's reader does; returns
/// the names and sizes of the entries, or the first refusal.
fn entries_of(stream: &[u8]) -> Result<Vec<(String, u64)>> {
    let mut rules = EntryRules::new();
    let mut out = Vec::new();
    let mut archive = tar::Archive::new(stream);
    for item in archive.entries().unwrap().raw(true) {
        let mut entry = item.unwrap();
        match rules.header(entry.header())? {
            Header::Extension { size } => {
                let mut buf = Vec::new();
                (&mut entry).take(size).read_to_end(&mut buf).unwrap();
                rules.extension(buf)?;
            }
            Header::Entry { name, size } => out.push((name, size)),
        }
    }
    let mut rest = archive.into_inner();
    let mut buf = [0u8; 1000];
    loop {
        let n = rest.read(&mut buf).unwrap();
        if n == 0 {
            return Ok(out);
        }
        rules.trailing(&buf[..n])?;
    }
}

fn id(e: &Error) -> String {
    e.message().map(|m| m.id().to_string()).unwrap_or_default()
}

fn header(name: &[u8], size: u64, kind: tar::EntryType) -> [u8; 512] {
    let mut h = tar::Header::new_ustar();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_cksum();
    *h.as_bytes()
}

/// One entry of `kind` with `data`, padded.
fn push(out: &mut Vec<u8>, name: &[u8], kind: tar::EntryType, data: &[u8]) {
    out.extend_from_slice(&header(name, data.len() as u64, kind));
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn end(out: &mut Vec<u8>) {
    out.resize(out.len() + 1024, 0);
}

fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut v = Vec::new();
    for (k, val) in records {
        let body = format!(" {k}={val}\n");
        // The length counts its own digits.
        let mut n = body.len() + 1;
        while format!("{n}{body}").len() != n {
            n += 1;
        }
        v.extend_from_slice(format!("{n}{body}").as_bytes());
    }
    v
}

#[test]
fn gnu_tar_long_names_and_pax_paths_name_the_next_entry() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("data/{}/db.sqlite", "d".repeat(150));
    let path = dir.path().join(&long);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"twelve bytes").unwrap();
    for format in ["gnu", "pax"] {
        let out = Command::new("tar")
            .arg(format!("--format={format}"))
            .arg("-cf")
            .arg("-")
            .arg("-C")
            .arg(dir.path())
            .arg(&long)
            .output()
            .expect("the tar program runs (Debian package tar)");
        assert!(out.status.success());
        let got = entries_of(&out.stdout).unwrap();
        assert_eq!(got, [(long.clone(), 12)], "--format={format}");
    }
}

#[test]
fn a_long_name_past_the_path_limit_is_refused_before_it_is_read() {
    let mut s = Vec::new();
    let name = vec![b'a'; MAX_PATH_BYTES + 2];
    push(&mut s, b"././@LongLink", tar::EntryType::GNULongName, &name);
    push(&mut s, b"x", tar::EntryType::Regular, b"");
    end(&mut s);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-entry-name-too-long");
}

#[test]
fn a_pax_header_past_its_cap_or_changing_the_size_is_refused() {
    let mut s = Vec::new();
    let big = pax(&[("comment", &"c".repeat(MAX_PAX_BYTES as usize))]);
    push(&mut s, b"pax", tar::EntryType::XHeader, &big);
    end(&mut s);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-pax-too-large");

    for key in ["size", "linkpath", "GNU.sparse.map"] {
        let mut s = Vec::new();
        push(&mut s, b"pax", tar::EntryType::XHeader, &pax(&[(key, "1")]));
        push(&mut s, b"data/a", tar::EntryType::Regular, b"x");
        end(&mut s);
        assert_eq!(
            id(&entries_of(&s).unwrap_err()),
            "core-pax-changes-entry",
            "{key}"
        );
    }
}

#[test]
fn a_pax_path_renames_the_next_entry_and_other_records_are_ignored() {
    let mut s = Vec::new();
    let records = pax(&[("mtime", "1.5"), ("path", "data/é.txt")]);
    push(&mut s, b"pax", tar::EntryType::XHeader, &records);
    push(&mut s, b"data/e.txt", tar::EntryType::Regular, b"abc");
    push(&mut s, b"data/b", tar::EntryType::Regular, b"");
    end(&mut s);
    assert_eq!(
        entries_of(&s).unwrap(),
        [("data/é.txt".to_string(), 3), ("data/b".to_string(), 0)]
    );
}

#[test]
fn two_extensions_in_a_row_are_refused() {
    let mut s = Vec::new();
    push(
        &mut s,
        b"././@LongLink",
        tar::EntryType::GNULongName,
        b"data/a\0",
    );
    push(
        &mut s,
        b"././@LongLink",
        tar::EntryType::GNULongName,
        b"data/b\0",
    );
    push(&mut s, b"x", tar::EntryType::Regular, b"");
    end(&mut s);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-entry-name-too-long");
}

#[test]
fn links_and_names_that_are_not_utf8_are_refused() {
    let mut s = Vec::new();
    push(&mut s, b"data/link", tar::EntryType::Symlink, b"");
    end(&mut s);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-entry-not-regular");

    let mut s = Vec::new();
    push(&mut s, b"data/\xff", tar::EntryType::Regular, b"");
    end(&mut s);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-entry-name-not-utf8");
}

#[test]
fn zeros_after_the_end_are_accepted_up_to_one_record_and_nothing_else() {
    let mut s = Vec::new();
    push(&mut s, b"data/a", tar::EntryType::Regular, b"a");
    // The tar reader stops after the first zero block: the second one
    // counts among the trailing zeros.
    let ends = s.len() + 512;
    s.resize(ends + MAX_TRAILING_ZEROS as usize, 0);
    assert_eq!(entries_of(&s).unwrap().len(), 1);
    s.push(0);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-data-after-payload");
    s.truncate(ends + 10);
    s.push(1);
    assert_eq!(id(&entries_of(&s).unwrap_err()), "core-data-after-payload");
}
