//! The example of docs/EMBEDDING.md, compiled and run by the test suite:
//! a host app with its own schema (a dispensary: `clients`,
//! `dispensations`, a `queue.db` of changes not yet sent) tells carevault
//! what matters in its data, then backs up and restores through the core
//! library. It is its own test binary because the clinic app is set once
//! per process.

use carevault_core::auth::{self, Role};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::clinic_app::{self, ClinicApp, KeyTable, SyncSummary};
use carevault_core::profile::Profile;
use carevault_core::restore::{self, RestoreOutcome, RestoreRequest};
use carevault_core::{NoProgress, SecretString, Unlock};
use rusqlite::Connection;
use std::path::Path;

/// The host app: which tables reports count and restore checks, which
/// table holds the patients, and how many changes wait to be sent.
struct Dispensary;

const TABLES: [KeyTable; 2] = [
    KeyTable {
        table: "clients",
        label: "clients",
    },
    KeyTable {
        table: "dispensations",
        label: "dispensations",
    },
];

impl ClinicApp for Dispensary {
    fn key_tables(&self) -> &[KeyTable] {
        &TABLES
    }

    fn patients_table(&self) -> &str {
        "clients"
    }

    fn unsynced_records(&self, data_dir: &Path) -> Option<u64> {
        let path = data_dir.join("queue.db");
        if !path.is_file() {
            return None;
        }
        let c =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        c.query_row("SELECT count(*) FROM pending", [], |r| r.get::<_, i64>(0))
            .ok()
            .map(|n| n.max(0) as u64)
    }

    fn sync_summary(&self, data_dir: &Path) -> Option<Result<SyncSummary, String>> {
        self.unsynced_records(data_dir).map(|pending| {
            Ok(SyncSummary {
                pending,
                recent: vec![],
            })
        })
    }
}

const ADMIN_PW: &str = "dispensary admin password";
const PASSPHRASE: &str = "a long dispensary passphrase";

/// A home of the host app: its data folder, one administrator, a profile.
fn dispensary_home(root: &Path) -> std::path::PathBuf {
    let home = root.join("home");
    let data = home.join("data");
    std::fs::create_dir_all(data.join("config")).unwrap();
    let c = Connection::open(data.join("stock.db")).unwrap();
    c.execute_batch(
        "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE dispensations (id INTEGER PRIMARY KEY, client INTEGER, item TEXT);
         INSERT INTO clients (name) VALUES ('A'), ('B'), ('C');
         INSERT INTO dispensations (client, item) VALUES (1, 'ORS'), (2, 'zinc');",
    )
    .unwrap();
    let q = Connection::open(data.join("queue.db")).unwrap();
    q.execute_batch(
        "CREATE TABLE pending (id INTEGER PRIMARY KEY); INSERT INTO pending VALUES (1);",
    )
    .unwrap();
    std::fs::write(
        data.join("config/app.toml"),
        "realm = \"dispensary.realm\"\nsync_endpoint = \"https://sync.example.org\"\nfacility = \"Dispensary\"\ndevice_name = \"tab-7\"\n",
    )
    .unwrap();
    auth::add_user(&home, "admin", Role::SystemAdministrator, ADMIN_PW).unwrap();
    // Fast key derivation for the test; unencrypted backups stay refused.
    std::fs::write(
        home.join("carevault.toml"),
        "[encryption]\nwork_factor = 10\n",
    )
    .unwrap();
    home
}

#[test]
fn an_embedding_app_s_tables_are_counted_checked_and_its_queue_is_reported() {
    // 1. At start, before any operation.
    assert!(clinic_app::install(Box::new(Dispensary)).is_ok());
    assert!(
        clinic_app::install(Box::new(Dispensary)).is_err(),
        "a second app is refused"
    );

    let t = tempfile::tempdir().unwrap();
    let home = dispensary_home(t.path());

    // 2. A backup counts the app's own tables.
    let mut req = BackupRequest::new(
        &Profile::load(&home).unwrap(),
        Target::Folder(t.path().join("out")),
    );
    req.passphrase = Some(SecretString::from(PASSPHRASE.to_string()));
    let permit = auth::permit(&home, "admin", ADMIN_PW).unwrap();
    let made = backup::create(&permit, &req, &NoProgress).unwrap();
    assert_eq!(made.rows.get("clients"), Some(&3));
    assert_eq!(made.rows.get("dispensations"), Some(&2));
    assert!(!made.rows.contains_key("patients"));

    // 3. A restore's plan counts the app's patients and its unsent queue;
    //    its report checks the app's tables against the manifest.
    let unlock = Unlock::Passphrase(SecretString::from(PASSPHRASE.to_string()));
    let permit = auth::permit(&home, "admin", ADMIN_PW).unwrap();
    let mut request = RestoreRequest {
        file: &made.path,
        unlock: Some(&unlock),
        max_log_n: 18,
        dry_run: true,
        expect_id: None,
    };
    let RestoreOutcome::Plan(plan) = restore::restore(&permit, &request, &NoProgress).unwrap()
    else {
        panic!("a dry run gives a plan");
    };
    assert_eq!(plan.patients_now, Some(3));
    assert_eq!(plan.patients_in_backup, Some(3));
    assert_eq!(plan.changes.unsynced_outbox, Some(1));
    request.dry_run = false;
    let RestoreOutcome::Restored(report) =
        restore::restore(&permit, &request, &NoProgress).unwrap()
    else {
        panic!("a restore gives a report");
    };
    let checked: Vec<_> = report.checks.iter().map(|c| c.name.as_str()).collect();
    for name in ["clients", "dispensations"] {
        assert!(checked.contains(&name), "{name} not checked: {checked:?}");
    }
    assert!(!checked.contains(&"patients"), "{checked:?}");
    assert!(report.checks.iter().all(|c| c.ok), "{:?}", report.checks);
}
