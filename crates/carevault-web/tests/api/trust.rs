//! Provenance through the API (issue 10): the escalation by upload is
//! refused inside the core's restore, the listing says who signed each
//! backup, and a planted file with a real backup's ID is a conflict.

use crate::api_common;

use api_common::*;
use carevault_core::auth::{self, Role};
use carevault_core::media::Medium;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_nurse_cannot_restore_an_upload_from_a_home_where_nurse_is_admin() {
    let clinic = Clinic::demo();
    let evil = Clinic::demo();
    auth::set_role(&evil.home, "nurse", Role::SystemAdministrator).unwrap();
    let file = evil.backup(Medium::Private, None);
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let (st, v) = nurse.upload(std::fs::read(&file).unwrap()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let upload_id = v["upload_id"].as_str().unwrap().to_string();
    let (st, v) = nurse
        .post(&format!("/api/backups/{upload_id}/restore"), json!({}))
        .await;
    // Refused by the server before a job starts (uploads need a System
    // Administrator), or by the core's restore inside the job.
    let refused = if st == StatusCode::ACCEPTED {
        nurse.wait_job(v["job_id"].as_str().unwrap()).await["error"].clone()
    } else {
        v["error"].clone()
    };
    assert_eq!(refused["kind"], "permission_denied", "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("uploaded"),
        "{refused}"
    );
    let roles = auth::list_users(&clinic.home).unwrap();
    assert!(roles
        .iter()
        .any(|u| u.username == "nurse" && u.effective_role == Role::ClinicNurse));
    server.stop().await;
}

#[tokio::test]
async fn the_listing_says_who_signed_and_marks_a_shadowing_id_as_a_conflict() {
    let clinic = Clinic::demo();
    let real = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&real).unwrap();
    let server = Server::start(&clinic.home).await;
    let nurse = server.login("nurse").await;
    let (_, list) = nurse.get("/api/backups").await;
    assert_eq!(list["backups"][0]["signature"]["level"], "this_device");
    assert_eq!(list["backups"][0]["conflict"], false);
    let docs = clinic.home.join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    // One byte of the manifest copy differs, outside the payload: a copy
    // that is the same outside its payload (a copy to USB) is the same
    // backup and no conflict.
    let mut bytes = std::fs::read(&real).unwrap();
    let at = carevault_testkit::archive::data_of(&bytes, "manifest.json.age");
    bytes[at] ^= 0xff;
    std::fs::write(docs.join("Backup-planted.bin"), &bytes).unwrap();
    let (_, list) = nurse.get("/api/backups").await;
    let same: Vec<_> = list["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["id"] == id.as_str())
        .collect();
    assert_eq!(same.len(), 2);
    assert!(same.iter().all(|b| b["conflict"] == true));
    let (st, v) = nurse
        .post(
            &format!("/api/backups/{id}/restore"),
            json!({"passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["kind"], "conflict");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Backup-planted.bin (Public)"));
    let (st, _) = nurse.get(&format!("/api/backups/{id}")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    server.stop().await;
}

/// The kinds of backup file a restore may be asked to use.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Provenance {
    SignedHere,
    SignedByTrusted,
    Foreign,
    Unsigned,
    UnencryptedOnPublic,
}

const PROVENANCES: [Provenance; 5] = [
    Provenance::SignedHere,
    Provenance::SignedByTrusted,
    Provenance::Foreign,
    Provenance::Unsigned,
    Provenance::UnencryptedOnPublic,
];

/// Puts a backup of `kind` where the clinic's media find it; returns its ID
/// and the passphrase that opens it.
fn plant(clinic: &Clinic, kind: Provenance) -> (String, Option<&'static str>) {
    let private = clinic.home.join("private/backups");
    std::fs::create_dir_all(&private).unwrap();
    let copy_in = |file: &std::path::Path, dir: &std::path::Path| {
        std::fs::create_dir_all(dir).unwrap();
        let to = dir.join(file.file_name().unwrap());
        std::fs::copy(file, &to).unwrap();
        carevault_core::catalog::id_of(&to).unwrap()
    };
    match kind {
        Provenance::SignedHere => {
            let f = clinic.backup(Medium::Private, Some(PASS));
            (carevault_core::catalog::id_of(&f).unwrap(), Some(PASS))
        }
        Provenance::SignedByTrusted | Provenance::Foreign => {
            let other = Clinic::demo();
            let f = other.backup(Medium::Private, Some(PASS));
            if kind == Provenance::SignedByTrusted {
                let key = carevault_core::provenance::device_key::load(&other.home)
                    .unwrap()
                    .unwrap()
                    .public_key();
                let admin = auth::permit(&clinic.home, "admin", &password("admin")).unwrap();
                carevault_core::provenance::trust::add(&admin, &key, "tablet-2").unwrap();
            }
            (copy_in(&f, &private), Some(PASS))
        }
        Provenance::Unsigned => {
            let v = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../carevault-core/tests/vectors/good-v1-encrypted.bin");
            (copy_in(&v, &private), Some("carevault test vectors"))
        }
        Provenance::UnencryptedOnPublic => {
            let f = clinic.backup(Medium::Private, None);
            let id = copy_in(&f, &clinic.home.join("Documents"));
            std::fs::remove_file(&f).unwrap();
            (id, None)
        }
    }
}

fn restores_audited(home: &std::path::Path) -> Vec<carevault_core::audit::Event> {
    carevault_core::audit::read(home)
        .unwrap()
        .into_iter()
        .map(|r| r.event)
        .filter(|e| e.action == "restore")
        .collect()
}

/// What `POST /api/backups/{id}/restore` gives: "ok", "denied" (the
/// core's provenance policy), or the HTTP status of a refusal by role.
/// A restore that replaces the users may end the session that started it,
/// so the job's end is read from the audit trail, which every restore
/// writes when it ends.
async fn restore_as(c: &Client, home: &std::path::Path, id: &str, pass: Option<&str>) -> String {
    let before = restores_audited(home).len();
    let body = match pass {
        Some(p) => json!({ "passphrase": p }),
        None => json!({}),
    };
    let (st, v) = c.post(&format!("/api/backups/{id}/restore"), body).await;
    if st != StatusCode::ACCEPTED {
        let policy = v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("System Administrator"));
        return if st == StatusCode::FORBIDDEN && policy {
            "denied".into()
        } else {
            st.as_u16().to_string()
        };
    }
    // The audit trail only grows: poll it for the restore's record, with a
    // deadline that only guards against a hang (no event can be awaited:
    // the restore may end the session that would read the job's stream).
    let deadline = std::time::Instant::now() + HANG_GUARD;
    loop {
        if let Some(e) = restores_audited(home).get(before) {
            return match (e.outcome.as_str(), e.reason.as_deref()) {
                ("success", _) => "ok".into(),
                ("refused", Some(r)) if r.contains("may not restore") => "denied".into(),
                other => format!("{other:?}"),
            };
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the restore job did not end"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The role x route x provenance matrix of the restore route (the other
/// routes' role matrix is `roles`): each cell a fresh clinic, so one
/// restore cannot change the users of the next.
#[tokio::test]
async fn restore_route_for_every_role_and_provenance() {
    for kind in PROVENANCES {
        // No login and Clinic Staff are refused before any provenance matters.
        let clinic = Clinic::demo();
        let (id, pass) = plant(&clinic, kind);
        let server = Server::start(&clinic.home).await;
        let h = &clinic.home;
        assert_eq!(
            restore_as(&server.client(), h, &id, pass).await,
            "401",
            "{kind:?}"
        );
        let staff = server.login("staff").await;
        assert_eq!(restore_as(&staff, h, &id, pass).await, "403", "{kind:?}");
        server.stop().await;
        for role in ["nurse", "manager", "admin"] {
            let clinic = Clinic::demo();
            let (id, pass) = plant(&clinic, kind);
            let server = Server::start(&clinic.home).await;
            let got = restore_as(&server.login(role).await, &clinic.home, &id, pass).await;
            let allowed = role == "admin"
                || matches!(kind, Provenance::SignedHere | Provenance::SignedByTrusted);
            assert_eq!(
                got,
                if allowed { "ok" } else { "denied" },
                "{role} x {kind:?}"
            );
            server.stop().await;
        }
    }
}
