//! Hand-made hostile archives (the format is open, so anyone can build
//! one with standard tools): each is refused, nothing lands outside staging.

use crate::common::*;
use carevault_core::format::container::header_block_of_version;
use carevault_core::{verify, Kind, NoProgress};
use carevault_testkit::archive::{hdr_block, pad};
use sha2::{Digest, Sha256};
use std::path::Path;

enum Item<'a> {
    File(&'a str, &'a [u8]),
    Link(&'a str, &'a str, tar::EntryType),
    /// A header claiming `size` bytes while only `data` follows in the manifest's eyes.
    Claim(&'a str, u64, &'a [u8]),
}

fn raw_header(name: &str, size: u64, kind: tar::EntryType, link: &str) -> [u8; 512] {
    hdr_block(name.as_bytes(), size, kind.as_byte(), link.as_bytes())
}

/// Builds an unencrypted container whose manifest lists `listed` and whose payload holds `items`.
fn build(path: &Path, listed: &[(&str, &[u8])], items: &[Item]) {
    let sealed = serde_json::json!({
        "format": "carevault-backup", "format_version": 1, "id": "hostile-1", "label": "looks fine",
        "created_at": "2026-11-27T08:00:00Z", "created_by": "nurse", "location": "Public", "encrypted": false, "automatic": false,
        "app_version": "0.1.0", "facility": "X", "device": "Y", "payload": "payload.tar.zst"
    });
    let mut md = sealed.clone();
    md["key_slots"] = serde_json::json!([]);
    let entries: Vec<_> = listed
        .iter()
        .map(|(p, d)| serde_json::json!({"path": p, "kind": "file", "size": d.len(), "sha256": hex::encode(Sha256::digest(d))}))
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "metadata": sealed, "entries": entries, "settings": {"realm": "r", "sync_endpoint": "e"}, "snapshot_barrier_ms": 0.0
    }))
    .unwrap();
    let mut tar = Vec::new();
    for it in items {
        match it {
            Item::File(n, d) => {
                tar.extend_from_slice(&raw_header(n, d.len() as u64, tar::EntryType::Regular, ""));
                tar.extend_from_slice(d);
            }
            Item::Link(n, target, kind) => tar.extend_from_slice(&raw_header(n, 0, *kind, target)),
            Item::Claim(n, size, d) => {
                tar.extend_from_slice(&raw_header(n, *size, tar::EntryType::Regular, ""));
                tar.extend_from_slice(d);
            }
        }
        pad(&mut tar);
    }
    tar.extend_from_slice(&raw_header(
        "manifest.json",
        manifest.len() as u64,
        tar::EntryType::Regular,
        "",
    ));
    tar.extend_from_slice(&manifest);
    pad(&mut tar);
    tar.resize(tar.len() + 1024, 0);
    let payload = zstd::encode_all(&tar[..], 3).unwrap();
    let sum = format!(
        "{}  payload.tar.zst\n",
        hex::encode(Sha256::digest(&payload))
    )
    .into_bytes();
    let mut out = Vec::new();
    for (name, data) in [
        ("carevault.json", serde_json::to_vec(&md).unwrap()),
        ("payload.tar.zst", payload),
        ("manifest.json", manifest.clone()),
        ("payload.sha256", sum),
    ] {
        out.extend_from_slice(
            &header_block_of_version(name, data.len() as u64, 0, (1, 0)).unwrap(),
        );
        out.extend_from_slice(&data);
        pad(&mut out);
    }
    out.resize(out.len() + 1024, 0);
    std::fs::write(path, out).unwrap();
}

fn names_under(root: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.contains(needle) {
                hits.push(e.path().display().to_string());
            }
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(e.path());
            }
        }
    }
    hits
}

fn refused(case: &str, listed: &[(&str, &[u8])], items: &[Item]) {
    let t = tempfile::tempdir().unwrap();
    let home = small_home(t.path());
    let file = t.path().join(format!("{case}.bin"));
    build(&file, listed, items);
    let e = verify::verify_file(&file, None, 18, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{case}: {e}");
    assert_eq!(e.kind().exit_code(), 9);
    let before = tree(&home.join("data"));
    let e = restore_into(&home, &file, None, false).unwrap_err();
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{case} (restore): {e}");
    assert_eq!(tree(&home.join("data")), before, "{case}: data changed");
    assert!(
        names_under(t.path(), "evil").is_empty(),
        "{case}: wrote {:?}",
        names_under(t.path(), "evil")
    );
    assert!(
        names_under(&home, ".carevault-staging").is_empty(),
        "{case}: staging left"
    );
}

const GOOD: &[u8] = b"a normal document\n";

#[test]
fn parent_directory_entries_are_refused() {
    refused(
        "dotdot-payload",
        &[("data/a.txt", GOOD)],
        &[
            Item::File("../evil.txt", b"x"),
            Item::File("data/a.txt", GOOD),
        ],
    );
    refused(
        "dotdot-inside",
        &[("data/a.txt", GOOD)],
        &[Item::File("data/../../evil.txt", b"x")],
    );
    refused(
        "dotdot-manifest",
        &[("data/../../evil.txt", GOOD)],
        &[Item::File("data/../../evil.txt", GOOD)],
    );
}

#[test]
fn absolute_paths_are_refused() {
    let abs = std::env::temp_dir().join("carevault-evil-abs.txt");
    let abs = abs.to_str().unwrap().to_string();
    refused(
        "absolute",
        &[("data/a.txt", GOOD)],
        &[Item::File(&abs, b"x")],
    );
    assert!(!Path::new(&abs).exists());
}

#[test]
fn links_and_devices_are_refused() {
    refused(
        "symlink",
        &[("data/a.txt", GOOD)],
        &[
            Item::Link("data/evil-link", "/etc/passwd", tar::EntryType::Symlink),
            Item::File("data/a.txt", GOOD),
        ],
    );
    refused(
        "hardlink",
        &[("data/a.txt", GOOD)],
        &[Item::Link(
            "data/evil-hard",
            "/etc/passwd",
            tar::EntryType::Link,
        )],
    );
    refused(
        "chardev",
        &[("data/a.txt", GOOD)],
        &[Item::Link("data/evil-dev", "", tar::EntryType::Char)],
    );
    refused(
        "fifo",
        &[("data/a.txt", GOOD)],
        &[Item::Link("data/evil-fifo", "", tar::EntryType::Fifo)],
    );
}

#[test]
fn entries_outside_the_manifest_duplicates_and_size_lies_are_refused() {
    refused(
        "unlisted",
        &[("data/a.txt", GOOD)],
        &[
            Item::File("data/a.txt", GOOD),
            Item::File("data/evil-extra.txt", b"x"),
        ],
    );
    refused(
        "duplicate",
        &[("data/evil.txt", GOOD)],
        &[
            Item::File("data/evil.txt", GOOD),
            Item::File("data/evil.txt", GOOD),
        ],
    );
    refused(
        "size-lie",
        &[("data/evil.txt", GOOD)],
        &[Item::Claim("data/evil.txt", 1 << 40, GOOD)],
    );
}
