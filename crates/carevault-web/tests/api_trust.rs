//! Provenance through the API (issue 10): the escalation by upload is
//! refused inside the core's restore, the listing says who signed each
//! backup, and a planted file with a real backup's ID is a conflict.

mod api_common;
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
    let refused = if st == StatusCode::ACCEPTED {
        nurse.wait_job(v["job_id"].as_str().unwrap()).await["error"].clone()
    } else {
        v
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
    std::fs::copy(&real, docs.join("Backup-planted.bin")).unwrap();
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
