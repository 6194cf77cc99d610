//! Shared fixtures: a small clinic shaped like a SanteDB data folder (real
//! SQLite databases), SanteDB backups of it in every layout, an app home to
//! import into, and helpers to verify and restore the result.
#![allow(dead_code)]

pub mod writer;

use carevault_core::auth::{self, Create, Permit, Role};
use carevault_core::{NoProgress, Result, SecretString, Unlock};
use carevault_santedb::{import, ImportOutcome, ImportRequest};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use writer::{env_v1, env_v2, env_v3, Entry, Spec, Version};

pub const SANTEDB_PASS: &str = "Clinic-Pass-2025";
pub const NEW_PASS: &str = "new carevault passphrase";
pub const NURSE_PW: &str = "nurse password";

pub const CLINICAL: &str = "fb444942-4276-427c-a09c-9c65769837f0";
pub const OUTBOX: &str = "3e3c4ef4-5c64-4ec6-bb82-26719f09f8b5";
pub const AUDIT: &str = "eff684f2-7641-4697-a4a0-ca0f5171baa7";
pub const PUBSUB: &str = "fa934227-659a-43b0-80c1-4fab5fa92240";
pub const CONFIG: &str = "09379015-3823-40f1-b051-573e9009e849";
pub const CTXKEY: &str = "ef601f26-1b2f-4a4e-a909-1de4c8df17dd";
pub const PFX: &str = "cb0e7356-1ed3-4eb8-8f46-89057a75a9ae";
pub const XCRON: &str = "626a752f-2693-4c42-ab0b-d94906ae900c";
pub const XSTATE: &str = "bfb822e4-633f-49ca-8459-1ddbd7c435b5";
pub const LOGS: &str = "d0b81e88-6626-448b-a92e-6c1537b52bad";
pub const STREAMS: &str = "e915f19b-82a6-45e9-85f2-13a4a04500d5";
pub const CDSS: &str = "3c530ba8-7664-4144-9561-d65514399312";
pub const DQ: &str = "8d5edd7b-47d9-4bf0-8ab4-eca9be115fa5";
pub const TEMPLATES: &str = "bf146238-66da-449d-9301-1f52f15d0dc3";

/// A database of the demo clinic: its file bytes (rollback-journal mode)
/// and row counts.
#[derive(Debug, Clone)]
pub struct Db {
    pub class: &'static str,
    pub file: &'static str,
    pub bytes: Vec<u8>,
    pub rows: BTreeMap<String, u64>,
}

/// The demo clinic.
pub struct Clinic {
    pub dbs: Vec<Db>,
    /// (class, asset name, bytes)
    pub files: Vec<(&'static str, String, Vec<u8>)>,
}

fn noise(seed: u32, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2654435761) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 11) as u8
        })
        .collect()
}

pub fn make_db(dir: &Path, file: &str, patients: usize) -> (Vec<u8>, BTreeMap<String, u64>) {
    let path = dir.join(file);
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=DELETE;
         CREATE TABLE ent_tbl(ent_id BLOB PRIMARY KEY, cls_cd TEXT, name TEXT);
         CREATE TABLE act_tbl(act_id INTEGER PRIMARY KEY, ent_id BLOB, typ TEXT, note TEXT);",
    )
    .unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..patients {
        let id = noise(i as u32 + 7, 16);
        tx.execute(
            "INSERT INTO ent_tbl VALUES (?1, 'Patient', ?2)",
            (&id, format!("Patient {i} Nakato")),
        )
        .unwrap();
        tx.execute(
            "INSERT INTO act_tbl(ent_id, typ, note) VALUES (?1, 'Immunization', ?2)",
            (&id, "BCG dose given, left arm".repeat(3)),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let rows = carevault_core::snapshot::count_rows(&c).unwrap();
    drop(c);
    (std::fs::read(&path).unwrap(), rows)
}

impl Clinic {
    pub fn new() -> Clinic {
        let t = tempfile::tempdir().unwrap();
        let mut dbs = Vec::new();
        for (class, file, n) in [
            (CLINICAL, "santedb.sqlite", 300),
            (OUTBOX, "santedb.queue.sqlite", 20),
            (AUDIT, "santedb.audit.sqlite", 40),
            (PUBSUB, "santedb.pubsub.sqlite", 0),
        ] {
            let (bytes, rows) = make_db(t.path(), file, n);
            dbs.push(Db {
                class,
                file,
                bytes,
                rows,
            });
        }
        let files = vec![
            (
                CONFIG,
                "santedb.config.xml".to_string(),
                b"<SanteDBConfiguration><realm>demo.santedb.org</realm></SanteDBConfiguration>\n"
                    .to_vec(),
            ),
            (CTXKEY, "ctxkey.key".to_string(), noise(1, 32)),
            (PFX, "device-signing.pfx".to_string(), noise(2, 2500)),
            (
                XCRON,
                "xcron.xml".to_string(),
                b"<jobs><job id=\"sync\" every=\"PT15M\"/></jobs>\n".to_vec(),
            ),
            (
                XSTATE,
                "xstate.xml".to_string(),
                b"<state><job id=\"sync\" last=\"2025-11-01T10:00:00Z\"/></state>\n".to_vec(),
            ),
            (
                LOGS,
                "santedb-20251201.log".to_string(),
                "INFO sync ok\n".repeat(500).into_bytes(),
            ),
            (
                STREAMS,
                "0f8fad5b-d9cb-469f-a165-70867728950e".to_string(),
                noise(3, 70_000),
            ),
            (
                STREAMS,
                "7c9e6679-7425-40de-944b-e07fc1f90ae7".to_string(),
                noise(4, 1_000),
            ),
            (
                CDSS,
                "immunization-schedule.xml".to_string(),
                b"<cdss><protocol id=\"BCG\"/></cdss>\n".to_vec(),
            ),
            (
                DQ,
                "dq-rules.xml".to_string(),
                b"<dq><rule id=\"dob-required\"/></dq>\n".to_vec(),
            ),
            (
                TEMPLATES,
                "birth-registration.json".to_string(),
                b"{\"template\": \"birth\"}\n".to_vec(),
            ),
        ];
        Clinic { dbs, files }
    }
}

/// What a fixture should import to: carevault path -> expected bytes, and
/// for databases their row counts.
pub struct Expect {
    pub files: BTreeMap<String, Vec<u8>>,
    pub rows: BTreeMap<String, BTreeMap<String, u64>>,
}

pub fn folder_for(class: &str) -> &'static str {
    carevault_santedb::assets::class_of(class).unwrap().folder
}

/// The envelope SanteDB used at `time` (unix seconds).
pub fn envelope_at(time: i64) -> &'static str {
    if time < 1_710_892_800 {
        "v1" // before 2024-03-20
    } else if time < 1_763_510_400 {
        "v2" // before 2025-11-19
    } else {
        "v3"
    }
}

/// The fixture entries of the clinic for `version`, and what they import to.
pub fn entries(clinic: &Clinic, version: Version) -> (Vec<Entry>, Expect) {
    let mut entries = Vec::new();
    let mut exp = Expect {
        files: BTreeMap::new(),
        rows: BTreeMap::new(),
    };
    if !version.has_table() {
        // The data folder itself, with the app info and the disclaimer.
        for db in &clinic.dbs {
            entries.push(Entry {
                class: None,
                name: db.file.to_string(),
                payload: db.bytes.clone(),
            });
            let p = format!("data/santedb/folder/{}", db.file);
            exp.files.insert(p.clone(), db.bytes.clone());
            exp.rows.insert(p, db.rows.clone());
        }
        for (class, name, bytes) in &clinic.files {
            let sub = if *class == LOGS { "log/" } else { "" };
            let n = format!("{sub}{name}");
            entries.push(Entry {
                class: None,
                name: n.clone(),
                payload: bytes.clone(),
            });
            exp.files
                .insert(format!("data/santedb/folder/{n}"), bytes.clone());
        }
        for (n, b) in [
            (".appinfo.xml", b"<AppInfo version=\"2.1\"/>\n".to_vec()),
            (
                "DISCLAIMER.TXT",
                b"Backup created by nurse.amina\n".to_vec(),
            ),
        ] {
            entries.push(Entry {
                class: None,
                name: n.into(),
                payload: b.clone(),
            });
            exp.files.insert(format!("data/santedb/folder/{n}"), b);
        }
        return (entries, exp);
    }
    let time = version.typical_time();
    if matches!(version, Version::Sdb3 | Version::Sb0Bk2023) {
        // Before 2024-01-28 a backup held only the configuration.
        let (class, name, bytes) = &clinic.files[0];
        entries.push(Entry {
            class: Some(class),
            name: name.clone(),
            payload: bytes.clone(),
        });
        exp.files
            .insert(format!("data/{}/{name}", folder_for(class)), bytes.clone());
        return (entries, exp);
    }
    for db in &clinic.dbs {
        let payload = match envelope_at(time) {
            "v1" => env_v1("", &db.bytes),
            "v2" => env_v2("", &[(db.file, &db.bytes)]),
            _ => env_v3(db.file, &db.bytes),
        };
        entries.push(Entry {
            class: Some(db.class),
            name: format!("{}#sqlite", db.file),
            payload,
        });
        let p = format!("data/{}/{}", folder_for(db.class), db.file);
        exp.files.insert(p.clone(), db.bytes.clone());
        exp.rows.insert(p, db.rows.clone());
    }
    for (class, name, bytes) in &clinic.files {
        entries.push(Entry {
            class: Some(class),
            name: name.clone(),
            payload: bytes.clone(),
        });
        exp.files
            .insert(format!("data/{}/{name}", folder_for(class)), bytes.clone());
    }
    (entries, exp)
}

/// An app home to import into, with a nurse and a staff member.
pub struct Home {
    pub t: tempfile::TempDir,
    pub home: PathBuf,
    pub to: PathBuf,
}

impl Home {
    pub fn new() -> Home {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("home");
        std::fs::create_dir_all(home.join("data")).unwrap();
        auth::add_user(&home, "nurse", Role::ClinicNurse, NURSE_PW).unwrap();
        auth::add_user(&home, "staff", Role::ClinicStaff, "staff password").unwrap();
        std::fs::write(
            home.join("carevault.toml"),
            "[encryption]\nwork_factor = 10\n[media]\nrequire_encryption = []\n",
        )
        .unwrap();
        let to = t.path().join("out");
        Home { t, home, to }
    }

    pub fn permit(&self) -> Permit<Create> {
        auth::permit(&self.home, "nurse", NURSE_PW).unwrap()
    }

    pub fn write_fixture(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.t.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Imports `file` with SanteDB passphrase `pass`, encrypting the result.
    pub fn import(&self, file: &Path, pass: Option<&str>, dry_run: bool) -> Result<ImportOutcome> {
        let req = ImportRequest {
            file,
            passphrase: pass,
            to: self.to.clone(),
            label: None,
            new_passphrase: Some(SecretString::from(NEW_PASS.to_string())),
            recovery_keys: vec![],
            dry_run,
        };
        import(&self.permit(), &req, &NoProgress)
    }

    /// Files in the `--to` folder (anything an import left there).
    pub fn out_files(&self) -> Vec<String> {
        match std::fs::read_dir(&self.to) {
            Ok(rd) => rd
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => vec![],
        }
    }
}

/// Verifies the carevault backup at `path`, restores it into a fresh home,
/// and returns the restored data files (path -> bytes).
pub fn verify_and_restore(path: &Path) -> (BTreeMap<String, Vec<u8>>, tempfile::TempDir) {
    let unlock = Unlock::Passphrase(SecretString::from(NEW_PASS.to_string()));
    carevault_core::verify::verify_file(path, Some(&unlock), 18, &NoProgress).expect("verify");
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("restored");
    let permit = auth::first_run_restore(&home).unwrap();
    let req = carevault_core::restore::RestoreRequest {
        file: path,
        unlock: Some(&unlock),
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    let out = carevault_core::restore::restore(&permit, &req, &NoProgress).expect("restore");
    if let carevault_core::restore::RestoreOutcome::Restored(r) = &out {
        assert!(
            r.checks.iter().all(|c| c.ok),
            "restore checks: {:?}",
            r.checks
        );
    } else {
        panic!("not restored");
    }
    let mut files = BTreeMap::new();
    let mut stack = vec![home.join("data")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&home)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    (files, t)
}

/// Rows per table of the database at `path`.
pub fn rows_of(path: &Path) -> BTreeMap<String, u64> {
    let c = Connection::open(path).unwrap();
    carevault_core::snapshot::count_rows(&c).unwrap()
}

pub fn spec(clinic: &Clinic, v: Version, pass: Option<&str>) -> (Spec, Expect) {
    let (e, exp) = entries(clinic, v);
    (Spec::new(v, e, pass), exp)
}
