//! SanteDB `.bin` fixtures for the web's import tests, made with the
//! import crate's fixture writer: an encrypted current-layout backup of a
//! small clinic (a clinical database, its configuration, a log).
#![allow(dead_code)]

#[path = "../../../carevault-santedb/tests/common/writer.rs"]
pub mod writer;

use std::path::Path;

/// The SanteDB backup's passphrase.
pub const SANTEDB_PASS: &str = "Clinic-Pass-2025";
/// Patients in the fixture's clinical database.
pub const SANTEDB_PATIENTS: u64 = 25;

const CLINICAL: &str = "fb444942-4276-427c-a09c-9c65769837f0";
const CONFIG: &str = "09379015-3823-40f1-b051-573e9009e849";
const LOGS: &str = "d0b81e88-6626-448b-a92e-6c1537b52bad";

/// A SanteDB clinical database (rollback-journal mode) with `patients` rows.
pub fn clinical_db(dir: &Path, patients: u64) -> Vec<u8> {
    let path = dir.join("santedb-fixture.sqlite");
    let _ = std::fs::remove_file(&path);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=DELETE;
         CREATE TABLE ent_tbl(ent_id INTEGER PRIMARY KEY, cls_cd TEXT, name TEXT);",
    )
    .unwrap();
    for i in 0..patients {
        c.execute(
            "INSERT INTO ent_tbl(cls_cd, name) VALUES ('Patient', ?1)",
            [format!("Patient {i} Nakato")],
        )
        .unwrap();
    }
    drop(c);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bytes
}

/// The bytes of an `SB\x01BK` backup, encrypted with [`SANTEDB_PASS`]
/// (`Some`) or plain (`None`).
pub fn santedb_bin(dir: &Path, pass: Option<&str>) -> Vec<u8> {
    let db = clinical_db(dir, SANTEDB_PATIENTS);
    let entries = vec![
        writer::Entry {
            class: Some(CLINICAL),
            name: "santedb.sqlite#sqlite".into(),
            payload: writer::env_v3("santedb.sqlite", &db),
        },
        writer::Entry {
            class: Some(CONFIG),
            name: "santedb.config.xml".into(),
            payload: b"<SanteDBConfiguration/>\n".to_vec(),
        },
        writer::Entry {
            class: Some(LOGS),
            name: "santedb.log".into(),
            payload: b"INFO started\n".repeat(100),
        },
    ];
    let spec = writer::Spec::new(writer::Version::Sb1Bk, entries, pass);
    writer::write(&spec)
}
