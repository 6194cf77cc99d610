//! `carevault import santedb` as a user or a script meets it: exit codes,
//! JSON, dry run, roles, and a result that `carevault verify` accepts.

use crate::support::*;

#[path = "../../crates/carevault-santedb/tests/common/writer.rs"]
mod writer;

const SANTEDB_PASS: &str = "Clinic-Pass-2025";

fn fixture(c: &Clinic) -> std::path::PathBuf {
    let entries = vec![
        writer::Entry {
            class: Some("09379015-3823-40f1-b051-573e9009e849"),
            name: "santedb.config.xml".into(),
            payload: b"<SanteDBConfiguration/>\n".to_vec(),
        },
        writer::Entry {
            class: Some("d0b81e88-6626-448b-a92e-6c1537b52bad"),
            name: "santedb.log".into(),
            payload: b"INFO started\n".repeat(100),
        },
    ];
    let spec = writer::Spec::new(writer::Version::Sb1Bk, entries, Some(SANTEDB_PASS));
    let p = c.root().join("santedb.bin");
    std::fs::write(&p, writer::write(&spec)).unwrap();
    std::fs::write(c.root().join("santedb-pass"), format!("{SANTEDB_PASS}\n")).unwrap();
    p
}

#[test]
fn import_santedb_writes_a_backup_that_verify_accepts() {
    let c = Clinic::new();
    let file = fixture(&c);
    let to = c.root().join("imported");
    let sp = c.root().join("santedb-pass");
    let out = run(&[
        "--json",
        "import",
        "santedb",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        sp.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
        "--encrypt-with-passphrase-file",
        c.p(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["result"], "imported");
    assert_eq!(v["source"]["layout"], "SB\\x01BK");
    assert_eq!(v["source"]["encrypted"], true);
    assert_eq!(
        v["source"]["assets"][1]["path"],
        "data/santedb/logs/santedb.log"
    );
    assert_eq!(v["backup"]["metadata"]["created_by"], "nurse.amina");
    let path = v["backup"]["path"].as_str().unwrap().to_string();
    let out = run(&["verify", "--home", c.h(), &path, "--passphrase-file", c.p()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn import_santedb_exit_codes_and_dry_run() {
    let c = Clinic::new();
    let file = fixture(&c);
    let f = file.to_str().unwrap();
    let to = c.root().join("imported");
    let wrong = c.root().join("wrong");
    std::fs::write(&wrong, "not it\n").unwrap();
    // Wrong SanteDB passphrase: exit 4, JSON error kind.
    let out = run(&[
        "--json",
        "import",
        "santedb",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        wrong.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
        "--encrypt-with-passphrase-file",
        c.p(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(json(&out)["error"]["kind"], "wrong_key");
    // Truncated: exit 5.
    let bytes = std::fs::read(&file).unwrap();
    let cut = c.root().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let sp = c.root().join("santedb-pass");
    let out = run(&[
        "import",
        "santedb",
        cut.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        sp.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
        "--encrypt-with-passphrase-file",
        c.p(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("what to do"));
    // Not a SanteDB file: exit 15.
    let out = run(&[
        "import",
        "santedb",
        c.p(),
        "--home",
        c.h(),
        "--to",
        to.to_str().unwrap(),
        "--no-encrypt",
    ]);
    assert_eq!(out.status.code(), Some(15));
    // Staff may not import: exit 12.
    let out = bin()
        .env("CAREVAULT_USER", "staff")
        .env("CAREVAULT_PASSWORD", "staff-demo-pass")
        .args(["import", "santedb", f, "--home", c.h(), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(12),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Dry run: the plan, nothing written.
    let out = run(&[
        "import",
        "santedb",
        f,
        "--home",
        c.h(),
        "--passphrase-file",
        sp.to_str().unwrap(),
        "--dry-run",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Would import") && text.contains("Dry run: nothing was written"),
        "{text}"
    );
    assert!(
        text.contains("data/santedb/config/santedb.config.xml"),
        "{text}"
    );
    assert!(!to.exists());
}

/// Item 8: the import's new carevault passphrase meets the one rule (the
/// SanteDB passphrase that opens the source does not have to); a weak one
/// is refused before any work, in the core's words, and nothing is made.
#[test]
fn import_santedb_refuses_a_weak_new_passphrase_before_any_work() {
    let c = Clinic::new();
    let file = fixture(&c);
    let to = c.root().join("imported");
    let sp = c.root().join("santedb-pass");
    let weak = c.root().join("weak");
    std::fs::write(&weak, "password\n").unwrap();
    let out = run(&[
        "import",
        "santedb",
        file.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        sp.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
        "--encrypt-with-passphrase-file",
        weak.to_str().unwrap(),
    ]);
    assert_fails(&out, 2, "the new passphrase is too easy to guess");
    assert!(!to.exists(), "nothing was made");
}
