//! "Import and restore" of a SanteDB `.bin` through the API: the first-run
//! path (import, verify, restore in one job), the System Administrator's
//! path over existing data (import and verify, then the restore preview
//! and a normal restore with its safety copy), each error kind of the
//! import with nothing left behind, and the roles.

use crate::{api_common, santedb_fixture};

use api_common::*;
use carevault_core::audit;
use reqwest::StatusCode;
use santedb_fixture::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const NEW_PASS: &str = "new carevault passphrase";

/// Every file under `dir` with its bytes (the clinic data, to compare).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The entries of the Private backups folder (backups and staging folders).
fn private_entries(home: &Path) -> Vec<String> {
    std::fs::read_dir(home.join("private/backups"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn patients_in(db: &Path) -> u64 {
    let c = rusqlite::Connection::open(db).unwrap();
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM ent_tbl", [], |r| r.get(0))
        .unwrap();
    n as u64
}

/// Uploads `bytes`; asserts it was taken as a SanteDB backup.
async fn upload_santedb(c: &Client, bytes: Vec<u8>, encrypted: bool) -> String {
    let (st, v) = c.upload(bytes).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["metadata"], Value::Null, "{v}");
    assert_eq!(v["santedb"]["layout"], "SB\\x01BK", "{v}");
    assert_eq!(v["santedb"]["encrypted"], encrypted, "{v}");
    v["upload_id"].as_str().unwrap().to_string()
}

/// Starts a first-run import; returns the failed or done job.
async fn first_run_import(c: &Client, upload_id: &str, pass: Option<&str>) -> Value {
    let (st, v) = c
        .post(
            "/api/first-run/import",
            json!({"upload_id": upload_id, "santedb_passphrase": pass, "new_passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    c.wait_job(v["job_id"].as_str().unwrap()).await
}

/// A failed first-run import left no backup, no staging folder, no clinic
/// data, and the home is still a first run.
async fn assert_nothing_left(c: &Client, home: &Path) {
    assert_eq!(private_entries(home), Vec::<String>::new());
    assert!(!home.join("data").exists());
    assert_eq!(c.get("/api/session").await.1["first_run"], true);
}

#[tokio::test]
async fn first_run_imports_verifies_and_restores_an_encrypted_santedb_upload() {
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let id = upload_santedb(&c, santedb_bin(fresh.tmp.path(), Some(SANTEDB_PASS)), true).await;
    // An encrypted file needs its passphrase; a new passphrase is needed,
    // that meets the core's rule (at least 8 characters, not easy to guess).
    let (st, v) = c
        .post(
            "/api/first-run/import",
            json!({"upload_id": id, "new_passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("encrypted"));
    let (st, v) = c
        .post(
            "/api/first-run/import",
            json!({"upload_id": id, "santedb_passphrase": SANTEDB_PASS, "new_passphrase": "short"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("the new passphrase is too short: 5 characters, at least 8"));
    let job = first_run_import(&c, &id, Some(SANTEDB_PASS)).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["kind"], "import");
    let r = &job["result"];
    // The import's report: layout, assets, databases and their rows.
    assert_eq!(r["import"]["layout"], "SB\\x01BK");
    assert_eq!(r["import"]["encrypted"], true);
    assert_eq!(r["import"]["file"], Value::Null);
    let assets = r["import"]["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 3, "{r}");
    let db = assets
        .iter()
        .find(|a| a["path"] == "data/santedb/clinical/santedb.sqlite")
        .unwrap_or_else(|| panic!("no clinical database: {r}"));
    assert_eq!(db["database"]["rows"]["ent_tbl"], SANTEDB_PATIENTS);
    // The backup: on the Private medium, encrypted, verified, restored.
    assert_eq!(r["backup"]["location"], "Private", "{r}");
    assert_eq!(r["backup"]["encrypted"], true);
    assert_eq!(r["backup"]["created_by"], "nurse.amina");
    assert_eq!(r["verify"]["entries"], 3, "{r}");
    assert_eq!(r["restore"]["result"], "restored", "{r}");
    let file = fresh.home.join("data/santedb/clinical/santedb.sqlite");
    assert_eq!(patients_in(&file), SANTEDB_PATIENTS);
    assert_eq!(
        std::fs::read(fresh.home.join("data/santedb/config/santedb.config.xml")).unwrap(),
        b"<SanteDBConfiguration/>\n"
    );
    let backups = bins(&fresh.home.join("private/backups"));
    assert_eq!(backups.len(), 1);
    assert_eq!(
        carevault_core::catalog::id_of(&backups[0]).unwrap(),
        r["backup"]["id"].as_str().unwrap()
    );
    // The upload was used up.
    assert_eq!(uploads(&fresh.home), Vec::<std::path::PathBuf>::new());
    // Audited as the command is: import, verify, restore.
    let records = audit::read(&fresh.home).unwrap();
    for action in ["import", "verify", "restore"] {
        assert!(
            records.iter().any(|x| x.event.action == action
                && x.event.user == "first-run"
                && x.event.outcome == audit::Outcome::Success),
            "no successful {action} in the audit trail"
        );
    }
    // The SanteDB data is clinic data (no first-run restore over it), and
    // it has no users: the welcome screen offers "Start fresh" once, and
    // then nobody else may make an administrator without a login.
    assert!(!carevault_core::auth::is_first_run(&fresh.home));
    let (st, s) = c.get("/api/session").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (s["first_run"].as_bool(), s["has_users"].as_bool()),
        (Some(true), Some(false)),
        "{s}"
    );
    let admin = json!({"username": "boss", "password": "a long password"});
    let (st, v) = c.post("/api/first-run/admin", admin.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, _) = server
        .client()
        .post(
            "/api/first-run/admin",
            json!({"username": "eve", "password": "another long password"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn a_santedb_upload_is_never_offered_as_a_carevault_backup() {
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let id = upload_santedb(&c, santedb_bin(fresh.tmp.path(), None), false).await;
    let (st, v) = c
        .post(
            "/api/first-run/restore",
            json!({"upload_id": id, "passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    // Nor is a carevault upload a SanteDB one.
    let source = Clinic::demo();
    let file = source.backup(carevault_core::media::Medium::Public, Some(PASS));
    let (st, v) = c.upload(std::fs::read(&file).unwrap()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["santedb"], Value::Null);
    let (st, v) = c
        .post(
            "/api/first-run/import",
            json!({"upload_id": v["upload_id"], "new_passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    // An unencrypted SanteDB file needs no SanteDB passphrase.
    let job = first_run_import(&c, &id, None).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["result"]["import"]["encrypted"], false);
    server.stop().await;
}

#[tokio::test]
async fn wrong_santedb_passphrase_fails_as_wrong_key_and_leaves_nothing() {
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let id = upload_santedb(&c, santedb_bin(fresh.tmp.path(), Some(SANTEDB_PASS)), true).await;
    let job = first_run_import(&c, &id, Some("Not-The-Pass")).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["kind"], "wrong_key", "{job}");
    assert!(job["error"]["advice"]
        .as_str()
        .unwrap()
        .contains("SanteDB passphrase"));
    assert_nothing_left(&c, &fresh.home).await;
    // The upload stays for another try, which works.
    assert_eq!(uploads(&fresh.home).len(), 1);
    let job = first_run_import(&c, &id, Some(SANTEDB_PASS)).await;
    assert_eq!(job["state"], "done", "{job}");
    server.stop().await;
}

#[tokio::test]
async fn damaged_santedb_file_fails_as_corrupted_and_leaves_nothing() {
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let mut bytes = santedb_bin(fresh.tmp.path(), Some(SANTEDB_PASS));
    // A bit of the first cipher block, right after the clear header
    // (magic, ticks, creator "nurse.amina", asset count, 3 rows, IV).
    let at = 5 + 8 + 1 + "nurse.amina".len() + 8 + 272 * 3 + 16;
    bytes[at + 3] ^= 0x40;
    let id = upload_santedb(&c, bytes, true).await;
    let job = first_run_import(&c, &id, Some(SANTEDB_PASS)).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["kind"], "corrupted", "{job}");
    assert!(job["error"]["advice"].as_str().unwrap().contains("damaged"));
    // The message says which check failed (not a wrong passphrase).
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("start of the encrypted data"),
        "{job}"
    );
    assert_nothing_left(&c, &fresh.home).await;
    server.stop().await;
}

#[tokio::test]
async fn truncated_santedb_file_fails_as_truncated_and_leaves_nothing() {
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let mut bytes = santedb_bin(fresh.tmp.path(), Some(SANTEDB_PASS));
    bytes.truncate(bytes.len() * 2 / 3);
    let id = upload_santedb(&c, bytes, true).await;
    let job = first_run_import(&c, &id, Some(SANTEDB_PASS)).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["kind"], "truncated", "{job}");
    assert!(job["error"]["advice"]
        .as_str()
        .unwrap()
        .contains("incomplete"));
    assert_nothing_left(&c, &fresh.home).await;
    server.stop().await;
}

#[tokio::test]
async fn a_file_that_is_no_backup_at_all_is_refused_at_upload_as_not_a_backup() {
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let (st, v) = c
        .upload(b"PK\x03\x04 a zip file, not a backup".repeat(50))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["kind"], "not_a_backup", "{v}");
    assert_eq!(uploads(&fresh.home), Vec::<std::path::PathBuf>::new());
    // A SanteDB magic whose clear header is cut short is the import's
    // truncation, not "not a backup".
    let (st, v) = c.upload(b"SB\x01BK\x00\x01".to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["kind"], "truncated", "{v}");
    assert_eq!(uploads(&fresh.home), Vec::<std::path::PathBuf>::new());
    server.stop().await;
}

#[tokio::test]
async fn nurse_cannot_import_a_santedb_backup_over_existing_data() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let id = upload_santedb(
        &nurse,
        santedb_bin(clinic.tmp.path(), Some(SANTEDB_PASS)),
        true,
    )
    .await;
    let before = snapshot(&clinic.home.join("data"));
    let (st, v) = nurse
        .post(
            "/api/imports",
            json!({"upload_id": id, "santedb_passphrase": SANTEDB_PASS, "new_passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["kind"], "permission_denied");
    // The first-run route is closed over existing data, to everyone.
    let (st, _) = server
        .client()
        .post(
            "/api/first-run/import",
            json!({"upload_id": id, "santedb_passphrase": SANTEDB_PASS, "new_passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(private_entries(&clinic.home), Vec::<String>::new());
    assert!(snapshot(&clinic.home.join("data")) == before);
    let records = audit::read(&clinic.home).unwrap();
    assert!(records.iter().any(|r| r.event.action == "import"
        && r.event.user == "nurse"
        && r.event.outcome == audit::Outcome::Refused));
    server.stop().await;
}

#[tokio::test]
async fn administrator_imports_over_existing_data_then_restores_with_the_preview_and_a_safety_copy()
{
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let admin = server.login("admin").await;
    let id = upload_santedb(
        &admin,
        santedb_bin(clinic.tmp.path(), Some(SANTEDB_PASS)),
        true,
    )
    .await;
    let before = snapshot(&clinic.home.join("data"));
    // A wrong SanteDB passphrase changes nothing.
    let body = |pass: &str| json!({"upload_id": id, "santedb_passphrase": pass, "new_passphrase": NEW_PASS});
    let (st, v) = admin.post("/api/imports", body("Not-The-Pass")).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = admin.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["error"]["kind"], "wrong_key", "{job}");
    assert_eq!(private_entries(&clinic.home), Vec::<String>::new());
    assert!(snapshot(&clinic.home.join("data")) == before);
    // The import and its verification; the clinic data is not touched yet.
    let (st, v) = admin.post("/api/imports", body(SANTEDB_PASS)).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = admin.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["result"]["restore"], Value::Null);
    // The three assets and this tablet's users (data/users.db), which an
    // import carries so that the restored data keeps its administrators.
    assert_eq!(job["result"]["verify"]["entries"], 4);
    assert!(snapshot(&clinic.home.join("data")) == before);
    let backup = job["result"]["backup"]["id"].as_str().unwrap().to_string();
    // The restore, as any: the preview's facts, then the job.
    let (st, p) = admin
        .post(
            &format!("/api/backups/{backup}/restore-preview"),
            json!({"passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["replaces_data"], true);
    assert_eq!(p["patients_now"], PATIENTS);
    assert_eq!(p["created_by"], "nurse.amina");
    let (st, v) = admin
        .post(
            &format!("/api/backups/{backup}/restore"),
            json!({"passphrase": NEW_PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    // The stream goes on to the end although the restored data has no
    // carevault users (the session ends with them).
    let events = admin.events(v["job_id"].as_str().unwrap()).await;
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert!(last["result"]["safety_copy"].is_string(), "{last}");
    assert_eq!(
        patients_in(&clinic.home.join("data/santedb/clinical/santedb.sqlite")),
        SANTEDB_PATIENTS
    );
    // The replaced clinic data is in the safety copy.
    let copies = carevault_core::safety::scan(&clinic.home);
    assert_eq!(copies.len(), 1);
    let records = audit::read(&clinic.home).unwrap();
    for action in ["import", "verify", "restore"] {
        assert!(
            records.iter().any(|x| x.event.action == action
                && x.event.user == "admin"
                && x.event.outcome == audit::Outcome::Success),
            "no successful {action} by admin in the audit trail"
        );
    }
    server.stop().await;
}
