//! The front ends go through the operations layer: the CLI (`src/`) and
//! the web app (`crates/carevault-web/src/`) never name the library's file
//! format, lock files or file primitives, and never append to the audit
//! trail themselves (docs/EMBEDDING.md, "Building a front end").

use std::path::{Path, PathBuf};

/// What a front end may not name, and why.
const FORBIDDEN: [(&str, &str); 4] = [
    ("archive", "the file format: use ops::show"),
    ("hostlock", "the host's lock files: use ops::sync"),
    (
        "fsutil",
        "file primitives: use ops::files (or units::human_size)",
    ),
    (
        "audit::append",
        "audit events: use ops::audit or the operation",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The forbidden names `code` uses, with the line they are on: a path
/// (`carevault_core::archive::x`, `archive::x`, `audit::append(`) or an
/// item of a grouped import (`use carevault_core::{archive, ..}`). Comments
/// are skipped.
fn violations(code: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    let mut in_use_group = false;
    for (i, line) in code.lines().enumerate() {
        let code_part = line.split("//").next().unwrap_or_default();
        if code_part.contains("use carevault_core::{") {
            in_use_group = true;
        }
        for (name, _) in FORBIDDEN {
            let as_path = if name.contains("::") {
                code_part.contains(name)
            } else {
                code_part
                    .match_indices(&format!("{name}::"))
                    .any(|(at, _)| !ident_char_before(code_part, at))
            };
            let in_group = in_use_group
                && !name.contains("::")
                && code_part
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == name);
            if as_path || in_group {
                found.push((i + 1, name));
            }
        }
        if in_use_group && code_part.contains("};") {
            in_use_group = false;
        }
    }
    found
}

fn ident_char_before(s: &str, at: usize) -> bool {
    s[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

#[test]
fn the_scan_finds_every_form_a_front_end_could_use() {
    assert_eq!(
        violations("use carevault_core::archive::reader::Opened;"),
        [(1, "archive")]
    );
    assert_eq!(
        violations("    carevault_core::hostlock::sync_running(h)"),
        [(1, "hostlock")]
    );
    assert_eq!(
        violations("let _ = audit::append(&h, &e);"),
        [(1, "audit::append")]
    );
    assert_eq!(
        violations("use carevault_core::{\n    auth,\n    fsutil,\n};"),
        [(3, "fsutil")]
    );
    assert!(violations("// archive::reader is the format's").is_empty());
    assert!(violations("use carevault_core::ops::files::read_small;").is_empty());
    assert!(violations("let a = my_archive::x;").is_empty());
}

#[test]
fn cli_and_web_name_only_the_operations_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("crates/carevault-web/src"), &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (line, name) in violations(&text) {
            let why = FORBIDDEN.iter().find(|(n, _)| *n == name).unwrap().1;
            problems.push(format!("{}:{line}: names {name} ({why})", f.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
