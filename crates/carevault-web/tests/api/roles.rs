//! Every route for every role (admin, manager, nurse, staff, nobody), and
//! bad input.

use crate::api_common;

use api_common::*;
use carevault_core::audit;
use carevault_core::media::Medium;
use reqwest::{Method, StatusCode};
use serde_json::json;

const OK: u16 = 200;
const ACCEPTED: u16 = 202;
const NO_CONTENT: u16 = 204;
const UNAUTH: u16 = 401;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;
const POLICY: u16 = 422;

/// Who: admin, manager, nurse, staff, nobody.
fn by_role(admin: u16, care: u16, staff: u16) -> [u16; 5] {
    [admin, care, care, staff, UNAUTH]
}

#[tokio::test]
async fn every_route_for_every_role() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Public, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let server = Server::start(&clinic.home).await;
    let mut clients = Vec::new();
    for u in USERS {
        clients.push(server.login(u).await);
    }
    clients.push(server.client());
    let no_job = "0123456789abcdef0123456789abcdef";
    let pass = json!({ "passphrase": PASS });
    // (method, path, body, expected per role)
    let cases: Vec<(Method, String, Option<serde_json::Value>, [u16; 5])> = vec![
        (
            Method::GET,
            "/api/backups".into(),
            None,
            by_role(OK, OK, FORBIDDEN),
        ),
        (
            Method::GET,
            format!("/api/backups/{id}"),
            None,
            by_role(OK, OK, FORBIDDEN),
        ),
        (
            Method::GET,
            "/api/backups/nope".into(),
            None,
            by_role(NOT_FOUND, NOT_FOUND, FORBIDDEN),
        ),
        (
            Method::POST,
            format!("/api/backups/{id}/contents"),
            Some(pass.clone()),
            by_role(OK, OK, FORBIDDEN),
        ),
        (
            Method::POST,
            format!("/api/backups/{id}/verify"),
            Some(pass.clone()),
            by_role(ACCEPTED, ACCEPTED, FORBIDDEN),
        ),
        // An unencrypted backup on Public breaks the policy: 422 means the permit was given.
        (
            Method::POST,
            "/api/backups".into(),
            Some(json!({"medium": "Public", "encrypt": false})),
            by_role(POLICY, POLICY, FORBIDDEN),
        ),
        // Restore of an unknown backup: 404 means the permit was given.
        (
            Method::POST,
            "/api/backups/nope/restore".into(),
            Some(pass.clone()),
            by_role(NOT_FOUND, NOT_FOUND, FORBIDDEN),
        ),
        (
            Method::DELETE,
            "/api/backups/nope".into(),
            None,
            by_role(NOT_FOUND, FORBIDDEN, FORBIDDEN),
        ),
        (
            Method::POST,
            format!("/api/backups/{id}/restore-preview"),
            Some(pass.clone()),
            by_role(OK, OK, FORBIDDEN),
        ),
        // Change passphrase of an unknown backup: 404 means the permit was given.
        (
            Method::POST,
            "/api/backups/nope/passphrase".into(),
            Some(json!({"passphrase": PASS, "new_passphrase": "a long new passphrase"})),
            by_role(NOT_FOUND, NOT_FOUND, FORBIDDEN),
        ),
        (
            Method::GET,
            "/api/safety-copies".into(),
            None,
            by_role(OK, OK, FORBIDDEN),
        ),
        (
            Method::POST,
            "/api/safety-copies/nope/restore".into(),
            Some(json!({})),
            by_role(NOT_FOUND, FORBIDDEN, FORBIDDEN),
        ),
        (
            Method::DELETE,
            "/api/safety-copies/nope".into(),
            None,
            by_role(NOT_FOUND, FORBIDDEN, FORBIDDEN),
        ),
        (
            Method::GET,
            format!("/api/jobs/{no_job}"),
            None,
            by_role(NOT_FOUND, NOT_FOUND, FORBIDDEN),
        ),
        (
            Method::GET,
            format!("/api/jobs/{no_job}/events"),
            None,
            by_role(NOT_FOUND, NOT_FOUND, FORBIDDEN),
        ),
        (
            Method::GET,
            "/api/sync".into(),
            None,
            by_role(OK, OK, FORBIDDEN),
        ),
        (
            Method::GET,
            "/api/status".into(),
            None,
            by_role(OK, OK, FORBIDDEN),
        ),
        // Not a first run: nobody may use the first-run routes.
        (
            Method::GET,
            "/api/first-run/candidates".into(),
            None,
            [FORBIDDEN; 5],
        ),
        (
            Method::POST,
            "/api/first-run/admin".into(),
            Some(json!({"username": "x", "password": "long enough pass"})),
            [FORBIDDEN; 5],
        ),
        (
            Method::POST,
            "/api/first-run/restore".into(),
            Some(json!({"upload_id": no_job, "passphrase": PASS})),
            [FORBIDDEN; 5],
        ),
        (Method::GET, "/api/session".into(), None, [OK; 5]),
        (Method::GET, "/".into(), None, [OK; 5]),
        (Method::GET, "/app.js".into(), None, [OK; 5]),
        (Method::GET, "/app.css".into(), None, [OK; 5]),
        (Method::GET, "/icons.svg".into(), None, [OK; 5]),
    ];
    for (method, path, body, expected) in &cases {
        for (i, c) in clients.iter().enumerate() {
            let origin = (method != Method::GET).then_some(server.base.as_str());
            let (st, v) = c.send(method.clone(), path, body.clone(), origin).await;
            let who = USERS.get(i).copied().unwrap_or("nobody");
            assert_eq!(st.as_u16(), expected[i], "{method} {path} as {who}: {v}");
            if st.as_u16() >= 400 {
                assert!(
                    v["error"]["kind"].is_string() && v["error"]["message"].is_string(),
                    "{v}"
                );
            }
        }
    }
    // Uploads (not a first run): View; 422 for a file that is not a backup.
    for (i, c) in clients.iter().enumerate() {
        let (st, _) = c.upload(b"not a backup".to_vec()).await;
        assert_eq!(
            st.as_u16(),
            by_role(POLICY, POLICY, FORBIDDEN)[i],
            "upload as {i}"
        );
    }
    assert!(uploads(&clinic.home).is_empty());
    // The session says who is logged in and what they see.
    let (_, v) = clients[3].get("/api/session").await;
    assert_eq!(v["user"]["role"], "Clinic Staff");
    assert_eq!(v["user"]["sees_backups"], false);
    let (_, v) = clients[0].get("/api/session").await;
    assert_eq!(
        (v["first_run"].as_bool(), v["has_users"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(v["user"]["can_delete"], true);
    assert_eq!(
        (
            v["user"]["can_create"].as_bool(),
            v["user"]["can_restore"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let (_, v) = clients[1].get("/api/session").await;
    assert_eq!(v["user"]["can_delete"], false);
    assert_eq!(v["user"]["can_restore"], true);
    let (_, v) = clients[3].get("/api/session").await;
    assert_eq!(
        (
            v["user"]["can_create"].as_bool(),
            v["user"]["can_restore"].as_bool()
        ),
        (Some(false), Some(false))
    );
    assert!(clients[4].get("/api/session").await.1["user"].is_null());
    // A job is seen only by the user who started it.
    let (_, v) = clients[1]
        .post(&format!("/api/backups/{id}/verify"), pass.clone())
        .await;
    let job = v["job_id"].as_str().unwrap();
    assert_eq!(clients[1].wait_job(job).await["state"], "done");
    assert_eq!(
        clients[2].get(&format!("/api/jobs/{job}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        clients[4].get(&format!("/api/jobs/{job}")).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Logout: 204, then the session is gone.
    for c in &clients[..4] {
        assert_eq!(
            c.post("/api/logout", json!({})).await.0.as_u16(),
            NO_CONTENT
        );
        assert_eq!(c.get("/api/backups").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        clients[4].post("/api/logout", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Every refusal of staff went to the audit trail, by the core.
    let records = audit::read(&clinic.home).unwrap();
    assert!(records.iter().any(|r| r.event.user == "staff"
        && r.event.action == "view"
        && r.event.outcome == audit::Outcome::Refused));
    assert!(records.iter().any(|r| r.event.user == "manager"
        && r.event.action == "delete"
        && r.event.outcome == audit::Outcome::Refused));
    server.stop().await;
}

#[tokio::test]
async fn bad_input_is_400_and_echoes_no_secret() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let c = server.login("manager").await;
    let raw = |path: &str, body: &'static str| {
        c.http
            .post(c.url(path))
            .header("Origin", &server.base)
            .header("Content-Type", "application/json")
            .body(body)
    };
    let r = raw("/api/login", "{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = raw("/api/login", r#"{"username":"admin"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("password"));
    let r = raw(
        "/api/backups",
        r#"{"medium":"Public","encrypt":"secret-value-x"}"#,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!r.text().await.unwrap().contains("secret-value-x"));
    for body in [
        json!({"medium": "Public"}),
        json!({"encrypt": true, "passphrase": PASS}),
        json!({"medium": "Moon", "encrypt": true, "passphrase": PASS}),
        json!({"medium": "Public", "encrypt": true}),
        json!({"medium": "Private", "encrypt": false, "passphrase": PASS}),
        json!({"medium": "Private", "encrypt": false, "label": "a\nb"}),
        json!({"medium": "Private", "encrypt": false, "label": "x".repeat(500)}),
    ] {
        let (st, v) = c.post("/api/backups", body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["error"]["kind"], "usage");
    }
    // An encrypted backup's contents need its passphrase; a wrong one is 422.
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let (st, _) = c
        .post(&format!("/api/backups/{id}/contents"), json!({}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = c
        .post(
            &format!("/api/backups/{id}/contents"),
            json!({"passphrase": "wrong one"}),
        )
        .await;
    assert_eq!(
        (st, v["error"]["kind"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_key"))
    );
    let (st, v) = c
        .post(
            &format!("/api/backups/{id}/contents"),
            json!({"passphrase": PASS}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["rows"]["patients"], PATIENTS);
    assert!(v["settings"]["realm"].is_string());
    // A path or a prefix is never taken for an ID.
    for bad in ["..%2F..%2Fetc%2Fpasswd", &id[..8], "Backup"] {
        assert_eq!(
            c.get(&format!("/api/backups/{bad}")).await.0,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    server.stop().await;
}
