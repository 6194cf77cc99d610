//! Recovery keys, passphrase changes, the restore preview and safety
//! copies over HTTP (issue 15, items 2, 3, 4 and 5, web half).

use crate::api_common;

use api_common::*;
use carevault_core::auth::{self, Create};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::{generate_recovery_key, NoProgress, SecretString};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::json;
use std::path::PathBuf;

/// An encrypted Public backup with a passphrase and a recovery key slot;
/// returns its file, its ID and the recovery key's identity file text.
fn backup_with_recovery_key(clinic: &Clinic) -> (PathBuf, String, String) {
    let (identity, public) = generate_recovery_key();
    let permit = auth::permit::<Create>(&clinic.home, "admin", "admin-demo-pass").unwrap();
    let profile = Profile::load(&clinic.home).unwrap();
    let mut req = BackupRequest::new(&profile, Target::Medium(Medium::Public));
    req.passphrase = Some(SecretString::from(PASS.to_string()));
    req.recovery_keys = vec![public];
    let path = backup::create(&permit, &req, &NoProgress).unwrap().path;
    let id = carevault_core::catalog::id_of(&path).unwrap();
    (path, id, identity.expose_secret().to_string())
}

/// Another recovery key: a real identity that opens nothing here.
fn stranger_key() -> String {
    generate_recovery_key().0.expose_secret().to_string()
}

async fn job_of(c: &Client, reply: Reply) -> serde_json::Value {
    let (st, v) = reply;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    c.wait_job(v["job_id"].as_str().unwrap()).await
}

#[tokio::test]
async fn a_pasted_recovery_key_verifies_previews_and_restores_a_backup() {
    let clinic = Clinic::demo();
    let (file, id, identity) = backup_with_recovery_key(&clinic);
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;

    // Only the secret line, as a nurse would paste it.
    let line = identity
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_string();
    let verify = format!("/api/backups/{id}/verify");
    let job = job_of(
        &nurse,
        nurse.post(&verify, json!({ "recovery_key": line })).await,
    )
    .await;
    assert_eq!(job["state"], "done", "{job}");

    // The whole key file's text, as the page reads a chosen file.
    let (st, p) = nurse
        .post(
            &format!("/api/backups/{id}/restore-preview"),
            json!({ "recovery_key": identity }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["patients_in_backup"], PATIENTS);
    assert_eq!(p["patients_now"], PATIENTS);
    assert_eq!(p["created_by"], "admin");
    assert_eq!(p["replaces_data"], true);
    assert!(p["unsynced_outbox"].is_u64(), "{p}");

    let restore = format!("/api/backups/{id}/restore");
    let job = job_of(
        &nurse,
        nurse
            .post(&restore, json!({ "recovery_key": identity }))
            .await,
    )
    .await;
    assert_eq!(job["state"], "done", "{job}");
    assert!(job["result"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["ok"] == true));

    // Text that is no key: 400, saying what to paste.
    let (st, v) = nurse
        .post(
            &verify,
            json!({ "recovery_key": "AGE-SECRET-KEY-1NOTAKEY" }),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a recovery key"));

    // Both at once: 400.
    let (st, _) = nurse
        .post(
            &verify,
            json!({ "recovery_key": identity, "passphrase": PASS }),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(file.exists());
    server.stop().await;

    // The key's text never lands in the home (logs, uploads, audit trail).
    let secret = line.trim();
    let mut stack = vec![clinic.home.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                let hit = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(!hit, "the recovery key was written to {}", p.display());
            }
        }
    }
}

#[tokio::test]
async fn a_wrong_recovery_key_is_throttled_like_a_passphrase_and_its_advice_names_the_web_path() {
    let clinic = Clinic::demo();
    let (_, id, _) = backup_with_recovery_key(&clinic);
    let mut config = carevault_web::ServerConfig::new(&clinic.home);
    config.auto_interval = None;
    config.clock = carevault_web::Clock::manual();
    let server = Server::start_config(config).await;
    let nurse = server.login("nurse").await;
    let contents = format!("/api/backups/{id}/contents");
    for _ in 0..3 {
        let (st, v) = nurse
            .post(&contents, json!({ "recovery_key": stranger_key() }))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["kind"], "wrong_key");
        let advice = v["error"]["advice"].as_str().unwrap();
        assert!(!advice.contains("--identity"), "{advice}");
        assert!(advice.contains("Use the recovery key instead"), "{advice}");
    }
    // The fourth wrong try waits, as a fourth wrong passphrase would.
    let (st, v) = nurse
        .post(&contents, json!({ "recovery_key": stranger_key() }))
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    let (st, _) = nurse
        .post(&contents, json!({ "passphrase": "wrong one" }))
        .await;
    assert_eq!(
        st,
        StatusCode::TOO_MANY_REQUESTS,
        "the same throttle for both"
    );
    server.stop().await;
}

#[tokio::test]
async fn first_run_restore_opens_a_backup_with_the_recovery_key() {
    let source = Clinic::demo();
    let (file, _, identity) = backup_with_recovery_key(&source);
    let target = Clinic::empty();
    let docs = target.home.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    let copy = docs.join(file.file_name().unwrap());
    std::fs::copy(&file, &copy).unwrap();
    let server = Server::start(&target.home).await;
    let c = server.client();
    let (st, v) = c
        .post(
            "/api/first-run/restore",
            json!({ "path": copy, "recovery_key": stranger_key() }),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["error"]["kind"], "wrong_key", "{job}");
    let reply = c
        .post(
            "/api/first-run/restore",
            json!({ "path": copy, "recovery_key": identity }),
        )
        .await;
    let job = job_of(&c, reply).await;
    assert_eq!(job["state"], "done", "{job}");
    // The restored users log in.
    server.login("manager").await;
    server.stop().await;
}

#[tokio::test]
async fn change_passphrase_rekeys_a_backup_for_roles_that_may_create() {
    let clinic = Clinic::demo();
    let (_, id, identity) = backup_with_recovery_key(&clinic);
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let path = format!("/api/backups/{id}/passphrase");
    let contents = format!("/api/backups/{id}/contents");
    let new = "orchard kettle signal harbour";

    let (st, _) = server
        .login("staff")
        .await
        .post(&path, json!({ "passphrase": PASS, "new_passphrase": new }))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = nurse
        .post(
            &path,
            json!({ "passphrase": PASS, "new_passphrase": "short" }),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");

    // A wrong old passphrase: the job fails, the file keeps its passphrase.
    let job = job_of(
        &nurse,
        nurse
            .post(
                &path,
                json!({ "passphrase": "not it", "new_passphrase": new }),
            )
            .await,
    )
    .await;
    assert_eq!(job["error"]["kind"], "wrong_key", "{job}");
    assert_eq!(
        nurse.post(&contents, json!({ "passphrase": PASS })).await.0,
        StatusCode::OK
    );

    let job = job_of(
        &nurse,
        nurse
            .post(&path, json!({ "passphrase": PASS, "new_passphrase": new }))
            .await,
    )
    .await;
    assert_eq!(job["state"], "done", "{job}");
    let (st, v) = nurse.post(&contents, json!({ "passphrase": PASS })).await;
    assert_eq!(
        (st, v["error"]["kind"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_key"))
    );
    let (st, v) = nurse.post(&contents, json!({ "passphrase": new })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["rows"]["patients"], PATIENTS);

    // The recovery key opens it for a new passphrase too (a forgotten one).
    let again = "lantern pebble violet canyon";
    let job = job_of(
        &nurse,
        nurse
            .post(
                &path,
                json!({ "recovery_key": identity, "new_passphrase": again }),
            )
            .await,
    )
    .await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(
        nurse
            .post(&contents, json!({ "passphrase": again }))
            .await
            .0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn restore_preview_counts_patients_now_and_in_the_backup_and_unsynced_outbox() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    // Changes after the backup: a new patient and two unsynchronized records.
    let data = clinic.home.join("data");
    let c = rusqlite::Connection::open(data.join("clinical.db")).unwrap();
    let now_patients: u64 = {
        c.execute_batch(
            "INSERT INTO patients (uuid, given_name, family_name, sex, date_of_birth, village, created_at, updated_at)
             SELECT uuid || '-x', given_name, family_name, sex, date_of_birth, village, created_at, updated_at
             FROM patients LIMIT 1;",
        )
        .unwrap_or_else(|e| panic!("insert a patient: {e}"));
        c.query_row("SELECT count(*) FROM patients", [], |r| r.get::<_, i64>(0))
            .unwrap() as u64
    };
    drop(c);
    let s = rusqlite::Connection::open(data.join("sync.db")).unwrap();
    let pending = s
        .query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64;
    drop(s);
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let preview = format!("/api/backups/{id}/restore-preview");
    // A wrong passphrase is refused before any restore starts (422 here,
    // no job): the page stays on the passphrase step.
    let (st, v) = nurse
        .post(&preview, json!({ "passphrase": "not it" }))
        .await;
    assert_eq!(
        (st, v["error"]["kind"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_key"))
    );
    let (st, p) = nurse.post(&preview, json!({ "passphrase": PASS })).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["patients_in_backup"], PATIENTS);
    assert_eq!(p["patients_now"], now_patients);
    assert_eq!(now_patients, PATIENTS + 1);
    assert_eq!(p["unsynced_outbox"], pending);
    assert_eq!(p["created_by"], "admin");
    assert_eq!(p["location"], "Private");
    assert!(p["created_at"].as_str().unwrap().ends_with('Z'), "{p}");
    assert_eq!(
        server
            .login("staff")
            .await
            .post(&preview, json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    server.stop().await;
}

#[tokio::test]
async fn safety_copies_are_listed_for_restorers_and_put_back_or_removed_by_an_administrator() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let admin = server.login("admin").await;
    let (st, v) = nurse.get("/api/safety-copies").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["safety_copies"].as_array().unwrap().len(), 0);
    assert_eq!(v["can_manage"], false);

    let job = job_of(
        &nurse,
        nurse
            .post(
                &format!("/api/backups/{id}/restore"),
                json!({ "passphrase": PASS }),
            )
            .await,
    )
    .await;
    assert_eq!(job["state"], "done", "{job}");

    let (_, v) = nurse.get("/api/safety-copies").await;
    let copies = v["safety_copies"].as_array().unwrap().clone();
    assert_eq!(copies.len(), 1, "{v}");
    let name = copies[0]["name"].as_str().unwrap().to_string();
    assert!(copies[0]["bytes"].as_u64().unwrap() > 0);
    assert_eq!(v["total_bytes"], copies[0]["bytes"]);
    assert!(name.contains(&id), "{name}");

    // A nurse may see them, not put one back or remove it; staff see nothing.
    let back = format!("/api/safety-copies/{name}/restore");
    assert_eq!(nurse.post(&back, json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        nurse.delete(&format!("/api/safety-copies/{name}")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .login("staff")
            .await
            .get("/api/safety-copies")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(admin.get("/api/safety-copies").await.1["can_manage"], true);
    // Not a name of a copy: 404, nothing else is touched.
    assert_eq!(
        admin
            .post("/api/safety-copies/..%2F..%2Fdata/restore", json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (st, v) = admin.post(&back, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["restored"], name.as_str());
    let (_, v) = admin.get("/api/safety-copies").await;
    let copies = v["safety_copies"].as_array().unwrap().clone();
    assert_eq!(
        copies.len(),
        1,
        "the replaced data is a safety copy in turn: {v}"
    );
    let newer = copies[0]["name"].as_str().unwrap().to_string();
    assert!(newer.contains(&format!("before-return-{name}")), "{newer}");

    let (st, v) = admin.delete(&format!("/api/safety-copies/{newer}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["name"], newer.as_str());
    let (_, v) = admin.get("/api/safety-copies").await;
    assert_eq!(v["safety_copies"].as_array().unwrap().len(), 0);
    assert!(!clinic.home.join("safety-copies").join(&newer).exists());
    server.stop().await;
}

#[tokio::test]
async fn wrong_passphrase_advice_names_the_recovery_key_only_when_the_backup_has_one() {
    let clinic = Clinic::demo();
    let (_, with_slot, _) = backup_with_recovery_key(&clinic);
    let plain = clinic.backup(Medium::Private, Some(PASS));
    let without = carevault_core::catalog::id_of(&plain).unwrap();
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let wrong = json!({ "passphrase": "not the passphrase" });
    for (id, mentions) in [(with_slot, true), (without, false)] {
        for route in ["contents", "restore-preview"] {
            let (st, v) = nurse
                .post(&format!("/api/backups/{id}/{route}"), wrong.clone())
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            let advice = v["error"]["advice"].as_str().unwrap();
            assert!(!advice.contains("--identity"), "{advice}");
            assert_eq!(
                advice.contains("recovery key instead"),
                mentions,
                "{route}: {advice}"
            );
        }
        let job = job_of(
            &nurse,
            nurse
                .post(&format!("/api/backups/{id}/verify"), wrong.clone())
                .await,
        )
        .await;
        let advice = job["error"]["advice"].as_str().unwrap();
        assert_eq!(job["error"]["kind"], "wrong_key", "{job}");
        assert_eq!(
            advice.contains("recovery key instead"),
            mentions,
            "verify: {advice}"
        );
    }
    server.stop().await;
}

/// Item 8: the server applies the core's one rule to every new passphrase
/// (Backup Now and Change passphrase), in the core's words, before any
/// work: nothing is made and the old passphrase still opens the backup.
#[tokio::test]
async fn server_refuses_a_weak_new_passphrase_in_the_cores_words() {
    let clinic = Clinic::demo();
    let (_, id, _) = backup_with_recovery_key(&clinic);
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let before = nurse.get("/api/backups").await.1;
    let count = |v: &serde_json::Value| v["backups"].as_array().map(Vec::len);

    for weak in ["a", "password", "nurse123"] {
        let core = carevault_core::passphrase::check_new(weak, &["nurse"]).unwrap_err();
        let (st, v) = nurse
            .post(
                "/api/backups",
                json!({ "medium": "Public", "encrypt": true, "passphrase": weak }),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{weak}: {v}");
        assert_eq!(v["error"]["message"], core.message(), "{weak}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("the new passphrase is too "),
            "{v}"
        );
        let (st, v) = nurse
            .post(
                &format!("/api/backups/{id}/passphrase"),
                json!({ "passphrase": PASS, "new_passphrase": weak }),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{weak}: {v}");
        assert_eq!(v["error"]["message"], core.message(), "{weak}: {v}");
    }
    let after = nurse.get("/api/backups").await.1;
    assert_eq!(count(&after), count(&before), "{after}");
    assert_eq!(
        nurse
            .post(
                &format!("/api/backups/{id}/contents"),
                json!({ "passphrase": PASS })
            )
            .await
            .0,
        StatusCode::OK
    );
    server.stop().await;
}

/// Item 14 over HTTP: "Copy to USB" refuses Clinic Staff, fails (and
/// copies nothing) with no USB drive attached, and with one attached
/// answers `safe_to_remove` with the copy's SHA-256, equal to the backup's
/// bytes; a restore is recorded, and the listing marks that backup only.
#[tokio::test]
async fn copy_to_usb_is_checked_before_safe_to_remove_and_the_restored_backup_is_marked() {
    use sha2::Digest;
    let clinic = Clinic::demo();
    let (path, id, _) = backup_with_recovery_key(&clinic);
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let url = format!("/api/backups/{id}/copy-to-usb");

    let (st, _) = server.login("staff").await.post(&url, json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let job = job_of(&nurse, nurse.post(&url, json!({})).await).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["kind"], "not_found", "{job}");
    let media = clinic.tmp.path().join("media");
    assert!(!media.exists(), "nothing was copied anywhere");

    let usb = media.join("nurse/USB");
    std::fs::create_dir_all(&usb).unwrap();
    let job = job_of(&nurse, nurse.post(&url, json!({})).await).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["kind"], "copy", "{job}");
    assert_eq!(job["result"]["safe_to_remove"], true, "{job}");
    let copy = PathBuf::from(job["result"]["path"].as_str().unwrap());
    assert!(copy.starts_with(&usb), "{job}");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
    assert_eq!(
        job["result"]["sha256"],
        hex::encode(sha2::Sha256::digest(&bytes)),
        "{job}"
    );
    // A second copy never overwrites the first.
    let job = job_of(&nurse, nurse.post(&url, json!({})).await).await;
    assert_eq!(job["error"]["kind"], "exists", "{job}");

    // Nothing restored yet: nothing marked.
    let (_, list) = nurse.get("/api/backups").await;
    assert!(list["restored_from"].is_null(), "{list}");
    let admin = server.login("admin").await;
    let job = job_of(
        &admin,
        admin
            .post(
                &format!("/api/backups/{id}/restore"),
                json!({ "passphrase": PASS }),
            )
            .await,
    )
    .await;
    assert_eq!(job["state"], "done", "{job}");
    let (_, list) = nurse.get("/api/backups").await;
    assert_eq!(list["restored_from"]["id"], id.as_str(), "{list}");
    assert_eq!(list["restored_from"]["restored_by"], "admin", "{list}");
    let marked: Vec<_> = list["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["restored_from"] == true)
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect();
    // The backup and its identical copy on the USB drive: one backup.
    assert_eq!(marked, [id.clone(), id.clone()], "{list}");
    assert!(list["backups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["conflict"] == false));
    let (_, d) = nurse.get(&format!("/api/backups/{id}")).await;
    assert_eq!(d["restored_from"], true, "{d}");
    server.stop().await;
}
