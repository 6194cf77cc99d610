//! The checks that are not about roles: Host and Origin, protective
//! headers and cookie attributes, the login rate limit and its audit.

use crate::api_common;

use api_common::*;
use carevault_core::audit;
use carevault_core::media::Medium;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn assets_and_headers() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let c = server.client();
    for (path, ty) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/icons.svg", "image/svg+xml"),
    ] {
        let r = c.http.get(c.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        assert!(
            h["content-type"].to_str().unwrap().starts_with(ty),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
    }
    let r = c.http.get(c.url("/api/nothing")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Login sets the session cookie HttpOnly and SameSite=Strict.
    let r = c
        .http
        .post(c.url("/api/login"))
        .header("Origin", &server.base)
        .json(&json!({"username": "nurse", "password": "nurse-demo-pass"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("cv_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.text().await.unwrap();
    assert!(!body.contains("nurse-demo-pass"));
    server.stop().await;
}

#[tokio::test]
async fn origin_and_host_checks_change_nothing() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let c = server.login("admin").await;
    let public = clinic.home.join("Documents");
    let body = json!({"medium": "Public", "encrypt": true, "passphrase": PASS});
    for origin in [
        None,
        Some("http://evil.example"),
        Some("http://127.0.0.1:1"),
        Some("null"),
    ] {
        let (st, v) = c
            .send(Method::POST, "/api/backups", Some(body.clone()), origin)
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{origin:?}: {v}");
    }
    let file = clinic.backup(Medium::Private, None);
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let (st, _) = c
        .send(Method::DELETE, &format!("/api/backups/{id}"), None, None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(file.exists(), "a DELETE without Origin deleted the backup");
    // Had a refused POST started a backup, it would be running now (the
    // next one is refused as busy) or have left its file (two files after
    // the next one): a backup with the Origin runs alone and is the only one.
    let (st, v) = c.post("/api/backups", body.clone()).await;
    assert_eq!(
        st,
        StatusCode::ACCEPTED,
        "a POST without Origin started a backup: {v}"
    );
    let job = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(
        bins(&public).len(),
        1,
        "a POST without Origin made a backup"
    );
    // Logging in needs the Origin too.
    let other = server.client();
    let (st, _) = other
        .send(
            Method::POST,
            "/api/login",
            Some(json!({"username": "admin", "password": "admin-demo-pass"})),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(other.get("/api/backups").await.0, StatusCode::UNAUTHORIZED);
    // A DNS name in Host (rebinding) is refused, even for GET.
    let r = c
        .http
        .get(c.url("/api/session"))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn login_throttle_holds_one_account_and_is_audited() {
    let clinic = Clinic::demo();
    let mut config = carevault_web::ServerConfig::new(&clinic.home);
    config.auto_interval = None;
    config.clock = carevault_web::Clock::manual();
    let server = Server::start_config(config).await;
    let c = server.client();
    for _ in 0..3 {
        let (st, v) = c.login("nurse", "not the password").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
        assert!(!v.to_string().contains("not the password"));
    }
    let r = c
        .http
        .post(c.url("/api/login"))
        .header("Origin", &server.base)
        .json(&json!({"username": "nurse", "password": "nurse-demo-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["kind"], "busy");
    let advice = v["error"]["advice"].as_str().unwrap();
    assert!(advice.contains("try again in"), "{advice}");
    assert!(!advice.contains("Administrator"), "{advice}");
    // The nurse's failures do not hold the administrator, from the same client.
    assert_eq!(c.login("admin", "admin-demo-pass").await.0, StatusCode::OK);
    let records = audit::read(&clinic.home).unwrap();
    let failed = records
        .iter()
        .filter(|r| {
            r.event.user == "nurse"
                && r.event.action == "login"
                && r.event.outcome == audit::Outcome::Failure
        })
        .count();
    assert_eq!(failed, 3);
    assert!(records.iter().any(|r| r.event.user == "nurse"
        && r.event.action == "login"
        && r.event.outcome == audit::Outcome::Refused));
    let log = std::fs::read_to_string(audit::log_path(&clinic.home)).unwrap();
    assert!(!log.contains("not the password") && !log.contains("demo-pass"));
    server.stop().await;
}
