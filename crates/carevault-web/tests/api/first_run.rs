//! First run and uploads: restore an uploaded backup made in another home,
//! restore a backup found on Public media, "Start fresh"; uploads over the
//! limit or not backups leave nothing behind; automatic backups.

use crate::api_common;

use api_common::*;
use carevault_core::media::Medium;
use futures_util::stream;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

fn check_ok(report: &Value, name: &str, expected: u64) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report}"));
    assert_eq!(c["expected"], expected.to_string(), "{c}");
    assert_eq!(c["actual"], expected.to_string(), "{c}");
    assert_eq!(c["ok"], true);
}

#[tokio::test]
async fn first_run_restore_of_an_upload() {
    let source = Clinic::demo();
    let file = source.backup(Medium::Public, Some(PASS));
    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let (st, v) = c.get("/api/session").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        v,
        json!({"first_run": true, "has_users": false, "user": null})
    );
    let (st, v) = c.get("/api/first-run/candidates").await;
    assert_eq!((st, v["backups"].clone()), (StatusCode::OK, json!([])));
    // No login in a first run: the backup's passphrase is the gate.
    let (st, v) = c.upload(std::fs::read(&file).unwrap()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let upload_id = v["upload_id"].as_str().unwrap().to_string();
    assert_eq!(v["size"], std::fs::metadata(&file).unwrap().len());
    let backup_id = carevault_core::catalog::id_of(&file).unwrap();
    assert_eq!(v["metadata"]["id"], backup_id.as_str());
    assert_eq!(uploads(&fresh.home).len(), 1);
    // The passphrase is needed, and a wrong one fails the job with wrong_key.
    let (st, _) = c
        .post("/api/first-run/restore", json!({"upload_id": upload_id}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = c
        .post(
            "/api/first-run/restore",
            json!({"upload_id": upload_id, "passphrase": "wrong"}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let failed = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(failed["error"]["kind"], "wrong_key", "{failed}");
    assert!(c.get("/api/session").await.1["first_run"]
        .as_bool()
        .unwrap());
    // Bad bodies.
    for body in [
        json!({"passphrase": PASS}),
        json!({"upload_id": upload_id, "path": "/x", "passphrase": PASS}),
    ] {
        assert_eq!(
            c.post("/api/first-run/restore", body).await.0,
            StatusCode::BAD_REQUEST
        );
    }
    let (st, _) = c
        .post(
            "/api/first-run/restore",
            json!({"path": file, "passphrase": PASS}),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a path outside the media was accepted"
    );
    // The right passphrase: the report's counts match the source clinic.
    let (st, v) = c
        .post(
            "/api/first-run/restore",
            json!({"upload_id": upload_id, "passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let events = c.events(v["job_id"].as_str().unwrap()).await;
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["kind"], "restore");
    assert_eq!(last["percent"], 100);
    let report = &last["result"];
    check_ok(report, "patients", PATIENTS);
    let source_visits = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "visits")
        .unwrap();
    assert_eq!(source_visits["ok"], true);
    assert!(
        report["safety_copy"].is_null(),
        "nothing was replaced: {report}"
    );
    assert!(
        uploads(&fresh.home).is_empty(),
        "the upload was kept after its restore"
    );
    // No longer a first run; the users of the backup can log in.
    let (_, v) = c.get("/api/session").await;
    assert_eq!(
        (v["first_run"].as_bool(), v["has_users"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(
        c.get("/api/first-run/candidates").await.0,
        StatusCode::FORBIDDEN
    );
    let (st, _) = c
        .post(
            "/api/first-run/admin",
            json!({"username": "boss", "password": "a long password"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for user in USERS {
        let u = server.login(user).await;
        let expected = if user == "staff" {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(u.get("/api/backups").await.0, expected, "{user}");
    }
    let records = carevault_core::audit::read(&fresh.home).unwrap();
    assert!(records.iter().any(|r| r.event.user == "first-run"
        && r.event.action == "restore"
        && r.event.outcome == carevault_core::audit::Outcome::Success));
    server.stop().await;
}

#[tokio::test]
async fn first_run_restore_from_public_media_and_start_fresh() {
    let source = Clinic::demo();
    let file = source.backup(Medium::Public, Some(PASS));
    let fresh = Clinic::empty();
    let docs = fresh.home.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    let copy = docs.join(file.file_name().unwrap());
    std::fs::copy(&file, &copy).unwrap();
    std::fs::write(docs.join("notes.bin"), b"not a backup").unwrap();
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let (st, v) = c.get("/api/first-run/candidates").await;
    assert_eq!(st, StatusCode::OK);
    let list = v["backups"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["location"], "Public");
    assert_eq!(list[0]["metadata"]["encrypted"], true);
    let path = list[0]["path"].as_str().unwrap().to_string();
    let listed_id = list[0]["metadata"]["id"].as_str().unwrap().to_string();
    // The page names the backup it showed: a file that holds another one
    // by then (here: the list showed another ID) is refused, nothing
    // changes, and this is still a first run.
    let (st, v) = c
        .post(
            "/api/first-run/restore",
            json!({"path": path, "id": "20200101-000000-00000000", "passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let refused = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(refused["error"]["kind"], "check_failed", "{refused}");
    assert!(c.get("/api/session").await.1["first_run"]
        .as_bool()
        .unwrap());
    let (st, v) = c
        .post(
            "/api/first-run/restore",
            json!({"path": path, "id": listed_id, "passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let done = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    check_ok(&done["result"], "patients", PATIENTS);
    assert!(
        copy.exists(),
        "a backup on a medium is kept after its restore"
    );
    server.stop().await;

    // "Start fresh" in another empty home: the first System Administrator.
    let other = Clinic::empty();
    let server = Server::start(&other.home).await;
    let c = server.client();
    let (st, v) = c
        .post(
            "/api/first-run/admin",
            json!({"username": "boss", "password": "short"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, v) = c
        .post(
            "/api/first-run/admin",
            json!({"username": "boss", "password": "a long password"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["user"]["role"], "System Administrator");
    assert!(!v.to_string().contains("a long password"));
    let (_, s) = c.get("/api/session").await;
    assert_eq!(s["user"]["username"], "boss");
    assert_eq!(s["has_users"], true);
    let (st, _) = server
        .client()
        .post(
            "/api/first-run/admin",
            json!({"username": "eve", "password": "a long password"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn uploads_over_the_limit_or_not_backups_leave_nothing() {
    let clinic = Clinic::demo();
    let limit: u64 = 1_000_000;
    let server = Server::start_with(&clinic.home, limit, None).await;
    let c = server.login("nurse").await;
    // Declared too large: refused before reading.
    let (st, v) = c.upload(vec![7u8; limit as usize + 1]).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(uploads(&clinic.home).is_empty());
    // Streamed without a length: refused when the limit is passed.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..30).map(|_| Ok(vec![1u8; 40_000])).collect();
    let r = c
        .http
        .post(c.url("/api/uploads"))
        .header("Origin", &server.base)
        .body(reqwest::Body::wrap_stream(stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(uploads(&clinic.home).is_empty());
    // Not a backup: 422 and deleted.
    let (st, v) = c
        .upload(b"PK\x03\x04 a zip file, not a backup".repeat(100))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["kind"], "not_a_backup");
    assert!(uploads(&clinic.home).is_empty());
    // A cut-off backup: 422 and deleted.
    let file = clinic.backup(Medium::Private, Some(PASS));
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.len() < limit as usize,
        "the test backup is {} bytes",
        bytes.len()
    );
    let (st, v) = c.upload(bytes[..bytes.len() / 2].to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(uploads(&clinic.home).is_empty());
    // A whole one is kept, and can be verified by its upload ID.
    let (st, v) = c.upload(bytes).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let up = v["upload_id"].as_str().unwrap();
    let (st, v) = c
        .post(
            &format!("/api/backups/{up}/verify"),
            json!({"passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(
        c.wait_job(v["job_id"].as_str().unwrap()).await["state"],
        "done"
    );
    // Past axum's default body limit (2 MB): streamed, then refused as not a backup.
    let big = Server::start(&clinic.home).await;
    let (st, v) = big
        .login("nurse")
        .await
        .upload(b"not a backup ".repeat(400_000))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["kind"], "not_a_backup");
    big.stop().await;
    assert_eq!(
        uploads(&clinic.home).len(),
        1,
        "only the good upload is kept"
    );
    // Not logged in, not a first run: 401; staff: 403.
    assert_eq!(
        server.client().upload(vec![1, 2, 3]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.login("staff").await.upload(vec![1, 2, 3]).await.0,
        StatusCode::FORBIDDEN
    );
    server.stop().await;
}

#[tokio::test]
async fn automatic_backups_run_on_the_schedule() {
    let clinic = Clinic::demo();
    let clock = carevault_web::Clock::manual();
    let mut config = carevault_web::ServerConfig::new(&clinic.home);
    config.max_upload = 1 << 30;
    // The test runs each check through the seam and awaits its end.
    config.auto_interval = Some(TIMER_NEVER_FIRES);
    config.clock = clock.clone();
    let scheduler = config.scheduler.clone();
    let server = Server::start_config(config).await;
    let private = clinic.home.join("private/backups");
    let c = server.login("nurse").await;
    // A fresh install: checks run, but the first automatic backup waits for
    // the first interval (24 h), so the explorer shows "No Results Returned".
    for _ in 0..3 {
        check_now(&scheduler).await;
    }
    let (_, st) = c.get("/api/status").await;
    assert!(
        st["schedule"]["checks"].as_u64().unwrap() >= 3,
        "three checks ended: {st}"
    );
    assert_eq!(st["schedule"]["waiting_for_first_interval"], true, "{st}");
    assert!(
        bins(&private).is_empty(),
        "an automatic backup was made at once"
    );
    assert_eq!(c.get("/api/backups").await.1["backups"], json!([]));
    clock.advance(Duration::from_secs(24 * 3600));
    check_now(&scheduler).await;
    assert_eq!(
        bins(&private).len(),
        1,
        "the check after the first interval makes an automatic backup"
    );
    // Later checks find it fresh: one backup only. (The day that passed
    // ended the session.)
    let c = server.login("nurse").await;
    let (_, st) = c.get("/api/status").await;
    assert_eq!(st["schedule"]["waiting_for_first_interval"], false, "{st}");
    let seen = st["schedule"]["checks"].as_u64().unwrap();
    for _ in 0..3 {
        check_now(&scheduler).await;
    }
    let (_, st) = c.get("/api/status").await;
    assert!(
        st["schedule"]["checks"].as_u64().unwrap() >= seen + 3,
        "three more checks ended: {st}"
    );
    assert_eq!(
        bins(&private).len(),
        1,
        "the interval is 24 h: one backup only"
    );
    let (_, list) = c.get("/api/backups").await;
    let row = &list["backups"][0];
    assert_eq!(
        (row["automatic"].as_bool(), row["location"].as_str()),
        (Some(true), Some("Private"))
    );
    // On this device the device secret opens it: no passphrase needed.
    let (st, v) = c
        .post(
            &format!("/api/backups/{}/verify", row["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(
        c.wait_job(v["job_id"].as_str().unwrap()).await["state"],
        "done"
    );
    server.stop().await;
}

/// Item 15: the first-run screen looks in Documents, Downloads (the
/// profile's `[media] downloads`, default `Downloads`) and on attached USB
/// drives or SD cards, and says where each candidate was found.
#[tokio::test]
async fn first_run_candidates_come_from_documents_downloads_and_usb_and_say_where() {
    let source = Clinic::demo();
    let files: Vec<_> = (0..3)
        .map(|_| source.backup(Medium::Public, Some(PASS)))
        .collect();
    let fresh = Clinic::empty();
    let usb = fresh.tmp.path().join("media/user/USB");
    let places = [
        fresh.home.join("Documents"),
        fresh.home.join("Downloads"),
        usb.join(carevault_core::media::EXTERNAL_FOLDER),
    ];
    for (f, dir) in files.iter().zip(&places) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
    }
    let server = Server::start(&fresh.home).await;
    let c = server.client();
    let (st, v) = c.get("/api/first-run/candidates").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let found = |v: &Value| -> Vec<(String, String)> {
        let mut f: Vec<_> = v["backups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["file_name"].as_str().unwrap().to_string(),
                    b["found_in"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        f.sort();
        f
    };
    let mut want: Vec<_> = files
        .iter()
        .zip([
            format!("Documents ({})", places[0].display()),
            format!("Downloads ({})", places[1].display()),
            format!("USB drive or SD card ({})", usb.display()),
        ])
        .map(|(f, w)| (f.file_name().unwrap().to_string_lossy().into_owned(), w))
        .collect();
    want.sort();
    assert_eq!(found(&v), want, "{v}");
    server.stop().await;

    // Downloads is configurable like Documents.
    let profile = fresh.home.join("carevault.toml");
    let text = std::fs::read_to_string(&profile).unwrap();
    std::fs::write(
        &profile,
        text.replace("[media]\n", "[media]\ndownloads = \"Inbox\"\n"),
    )
    .unwrap();
    let inbox = fresh.home.join("Inbox");
    std::fs::rename(&places[1], &inbox).unwrap();
    let server = Server::start(&fresh.home).await;
    let (_, v) = server.client().get("/api/first-run/candidates").await;
    let inbox_hits: Vec<_> = found(&v)
        .into_iter()
        .filter(|(_, w)| w.starts_with("Downloads ("))
        .collect();
    assert_eq!(
        inbox_hits,
        [(
            files[1].file_name().unwrap().to_string_lossy().into_owned(),
            format!("Downloads ({})", inbox.display())
        )],
        "{v}"
    );
    server.stop().await;
}
