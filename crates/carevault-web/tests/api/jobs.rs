//! Jobs through the API: a backup watched by server-sent events to 100%,
//! the listing, verify, restore with its report, delete; a backup refused
//! while a synchronization runs; the sync view.

use crate::api_common;

use api_common::*;
use carevault_core::audit;
use carevault_core::hostlock::SyncSession;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report}"))
}

#[tokio::test]
async fn backup_verify_restore_delete() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let admin = server.login("admin").await;
    let nurse = server.login("nurse").await;

    // A backup to Public with a passphrase, watched to 100%.
    let (st, v) = nurse
        .post(
            "/api/backups",
            json!({"medium": "Public", "encrypt": true, "passphrase": PASS, "label": "Web backup"}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["destination"]["medium"], "Public");
    assert_eq!(v["destination"]["fell_back"], false);
    let job = v["job_id"].as_str().unwrap().to_string();
    let events = nurse.events(&job).await;
    assert!(!events.is_empty());
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["percent"], 100);
    assert_eq!(last["kind"], "backup");
    // Each phase counts from 0 (docs/API.md): within one phase the percent
    // never goes back. How many phases the events catch depends on when
    // they were sent, so only each phase's own run of events is compared.
    let progress: Vec<(&str, u64)> = events
        .iter()
        .map(|e| (e["phase"].as_str().unwrap(), e["percent"].as_u64().unwrap()))
        .collect();
    assert!(
        progress
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .all(|w| w[0].1 <= w[1].1),
        "{progress:?}"
    );
    for e in &events {
        for k in ["id", "phase", "done_bytes", "total_bytes", "eta_seconds"] {
            assert!(e.get(k).is_some(), "{k} missing in {e}");
        }
    }
    let result = &last["result"];
    let id = result["id"].as_str().unwrap().to_string();
    assert_eq!(result["label"], "Web backup");
    assert!(
        !last.to_string().contains(PASS),
        "the passphrase was echoed"
    );
    // An admin cannot read the nurse's job; the nurse's GET gives the same.
    assert_eq!(
        admin.get(&format!("/api/jobs/{job}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        nurse.get(&format!("/api/jobs/{job}")).await.1["state"],
        "done"
    );

    // The new row in the listing, newest first.
    let (st, list) = nurse.get("/api/backups").await;
    assert_eq!(st, StatusCode::OK);
    let row = &list["backups"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["label"], "Web backup");
    assert_eq!(row["location"], "Public");
    assert_eq!(row["encrypted"], true);
    assert_eq!(row["created_by"], "nurse");
    assert_eq!(row["automatic"], false);
    assert_eq!(row["status"], "ok");
    assert!(row["size"].as_u64().unwrap() > 0);
    assert!(row["last_verification"].is_null());
    assert!(list["stale_warning"].is_null());
    let (_, details) = nurse.get(&format!("/api/backups/{id}")).await;
    for k in [
        "facility",
        "device",
        "app_version",
        "format_version",
        "file_name",
    ] {
        assert!(!details[k].is_null(), "{k} in {details}");
    }

    // Verify: the passphrase is needed; then a job with the verify report.
    let (st, _) = nurse
        .post(&format!("/api/backups/{id}/verify"), json!({}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = nurse
        .post(
            &format!("/api/backups/{id}/verify"),
            json!({"passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let done = nurse.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["result"]["rows"]["patients"], PATIENTS);
    let (_, v) = nurse
        .post(
            &format!("/api/backups/{id}/verify"),
            json!({"passphrase": "wrong"}),
        )
        .await;
    let failed = nurse.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(failed["state"], "failed");
    assert_eq!(failed["error"]["kind"], "wrong_key");
    // A wrong passphrase is not a verification result: the good one stays.
    let (_, list) = nurse.get("/api/backups").await;
    assert_eq!(
        list["backups"][0]["last_verification"]["ok"], true,
        "{list}"
    );

    // Restore by a manager: a job whose result is the report with its checks.
    let manager = server.login("manager").await;
    let (st, v) = manager
        .post(
            &format!("/api/backups/{id}/restore"),
            json!({"passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let events = manager.events(v["job_id"].as_str().unwrap()).await;
    let report = &events.last().unwrap()["result"];
    assert_eq!(
        events.last().unwrap()["state"],
        "done",
        "{:?}",
        events.last()
    );
    let patients = check(report, "patients");
    assert_eq!(patients["expected"], PATIENTS.to_string());
    assert_eq!(patients["actual"], PATIENTS.to_string());
    assert!(report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["ok"] == true));
    for name in ["visits", "outbox", "sync log", "realm", "sync endpoint"] {
        check(report, name);
    }
    assert!(report["safety_copy"].is_string());
    assert_eq!(report["plan"]["backup"]["id"], id.as_str());
    // The users are the same after the restore: sessions go on.
    assert_eq!(admin.get("/api/backups").await.0, StatusCode::OK);

    // Delete: only the System Administrator.
    assert_eq!(
        manager.delete(&format!("/api/backups/{id}")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.delete(&format!("/api/backups/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin.get(&format!("/api/backups/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(bins(&clinic.home.join("Documents")).is_empty());
    let (_, list) = admin.get("/api/backups").await;
    assert!(list["backups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["id"] != id.as_str()));

    let records = audit::read(&clinic.home).unwrap();
    for (user, action) in [
        ("nurse", "create"),
        ("nurse", "verify"),
        ("manager", "restore"),
        ("admin", "delete"),
    ] {
        assert!(
            records.iter().any(|r| r.event.user == user
                && r.event.action == action
                && r.event.outcome == audit::Outcome::Success),
            "{user} {action}"
        );
    }
    let log = std::fs::read_to_string(audit::log_path(&clinic.home)).unwrap();
    assert!(!log.contains(PASS));
    server.stop().await;
}

#[tokio::test]
async fn backup_refused_while_sync_runs_and_external_falls_back() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let c = server.login("nurse").await;
    let body = json!({"medium": "Public", "encrypt": true, "passphrase": PASS});
    let sync = SyncSession::begin(&clinic.home).unwrap();
    let (st, v) = c.post("/api/backups", body.clone()).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["kind"], "busy");
    let (st, v) = c.get("/api/sync").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["state"], "running");
    assert!(v["since"].is_string());
    drop(sync);
    assert!(bins(&clinic.home.join("Documents")).is_empty());
    let (_, v) = c.get("/api/sync").await;
    assert_eq!(v["state"], "idle");
    assert!(v["outbox_pending"].as_u64().unwrap() > 0, "{v}");
    let log = v["recent_log"].as_array().unwrap();
    assert!(!log.is_empty() && log.len() <= 10);
    for k in ["started_at", "ended_at", "pushed", "pulled", "status"] {
        assert!(log[0].get(k).is_some(), "{k}");
    }
    // No SD card or USB drive: External goes to Public and says so.
    let (st, v) = c
        .post(
            "/api/backups",
            json!({"medium": "External", "encrypt": true, "passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["destination"]["medium"], "Public");
    assert_eq!(v["destination"]["fell_back"], true);
    assert!(v["destination"]["note"]
        .as_str()
        .unwrap()
        .contains("No SD card"));
    let job = v["job_id"].as_str().unwrap().to_string();
    // A second backup while this one runs, or just after: never two at once.
    let (st2, v2) = c.post("/api/backups", body.clone()).await;
    assert!(
        st2 == StatusCode::CONFLICT || st2 == StatusCode::ACCEPTED,
        "{st2}: {v2}"
    );
    assert_eq!(c.wait_job(&job).await["state"], "done");
    if st2 == StatusCode::ACCEPTED {
        // It started after the first one ended: wait for its end too.
        let second = c.wait_job(v2["job_id"].as_str().unwrap()).await;
        assert_eq!(second["state"], "done", "{second}");
    }
    // With an SD card attached, External is used (no backup runs now).
    let card = clinic.tmp.path().join("media/user/CARD");
    std::fs::create_dir_all(&card).unwrap();
    let (st, v) = c
        .post(
            "/api/backups",
            json!({"medium": "External", "encrypt": true, "passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["destination"]["medium"], "External");
    let done = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(done["result"]["location"], "External", "{done}");
    let (_, status) = c.get("/api/status").await;
    assert!(status["media"].as_array().unwrap().len() == 3, "{status}");
    assert_eq!(status["sync"]["state"], "idle");
    server.stop().await;
}

#[tokio::test]
async fn sync_view_without_a_sync_database() {
    let clinic = Clinic::demo();
    std::fs::remove_file(clinic.home.join("data/sync.db")).unwrap();
    let _ = std::fs::remove_file(clinic.home.join("data/sync.db-wal"));
    let _ = std::fs::remove_file(clinic.home.join("data/sync.db-shm"));
    let server = Server::start(&clinic.home).await;
    let c = server.login("manager").await;
    let (st, v) = c.get("/api/sync").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "idle");
    assert_eq!(v["outbox_pending"], 0);
    assert_eq!(v["recent_log"], json!([]));
    server.stop().await;
}

#[tokio::test]
async fn events_while_a_job_runs_and_shutdown_ends_the_stream() {
    use carevault_core::hostlock::HostLock;
    use futures_util::StreamExt;
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let c = server.login("manager").await;
    // The app holds its write barrier: the backup waits to pin its snapshot.
    let barrier = HostLock::WriteBarrier.shared(&clinic.home).unwrap();
    let body = json!({"medium": "Private", "encrypt": false});
    let (st, v) = c.post("/api/backups", body.clone()).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = v["job_id"].as_str().unwrap().to_string();
    let r = c
        .http
        .get(c.url(&format!("/api/jobs/{job}/events")))
        .send()
        .await
        .unwrap();
    let mut stream = r.bytes_stream();
    // The job cannot move while the barrier is held, yet its stream goes on
    // sending it: four events, all of a running job. (How often is the
    // server's timer's business; the deadline only guards against a hang.)
    let mut text = String::new();
    let states = loop {
        // The whole events received so far (a chunk may end mid-event).
        let states: Vec<Value> = text
            .split_inclusive("\n\n")
            .filter(|block| block.ends_with("\n\n"))
            .filter_map(|block| block.strip_prefix("data:"))
            .map(|data| serde_json::from_str::<Value>(data.trim()).unwrap()["state"].clone())
            .collect();
        if states.len() >= 4 {
            break states;
        }
        let chunk = tokio::time::timeout(HANG_GUARD, stream.next())
            .await
            .expect("events keep coming while the job waits")
            .unwrap()
            .unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    };
    assert!(states.iter().all(|s| s == "running"), "{text}");
    // One backup or restore at a time.
    assert_eq!(c.post("/api/backups", body).await.0, StatusCode::CONFLICT);
    let file = clinic.backup_unencrypted_copy();
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let (st, _) = c
        .post(&format!("/api/backups/{id}/restore"), json!({}))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // Shutting down ends the open event stream; the server returns.
    let reader = tokio::spawn(async move { while stream.next().await.is_some() {} });
    server.stop().await;
    tokio::time::timeout(HANG_GUARD, reader)
        .await
        .expect("the event stream ends at shutdown")
        .unwrap();
    drop(barrier);
}
