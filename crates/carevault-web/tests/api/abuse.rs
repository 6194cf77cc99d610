//! The server under attack: guessing from rotating loopback addresses,
//! sessions that outlive a change of their user, one account's logins
//! evicting another's, forged audit lines, slow request heads, uploads
//! beyond their quota or their hour, an upload restored by a nurse,
//! passphrase guessing.

use crate::api_common;

use api_common::*;
use carevault_core::audit;
use carevault_core::auth::{self, Role};
use carevault_core::media::Medium;
use carevault_web::{Clock, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn config(home: &std::path::Path, clock: &Clock) -> ServerConfig {
    let mut c = ServerConfig::new(home);
    c.auto_interval = None;
    c.clock = clock.clone();
    c
}

/// A client whose connections come from `127.0.0.n`.
fn client_from(server: &Server, n: u8) -> Client {
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
            .build()
            .unwrap(),
        base: server.base.clone(),
    }
}

#[tokio::test]
async fn rotating_loopback_addresses_get_a_handful_of_guesses_per_minute_per_account() {
    let clinic = Clinic::demo();
    let clock = Clock::manual();
    let server = Server::start_config(config(&clinic.home, &clock)).await;
    let mut checked = 0;
    let mut n = 2u8;
    // One guess a second for a minute, each from a new address.
    for _ in 0..60 {
        let c = client_from(&server, n);
        n = n.wrapping_add(1).max(2);
        let (st, v) = c.login("nurse", "guess").await;
        match st {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let advice = v["error"]["advice"].as_str().unwrap();
                assert!(advice.contains("try again in"), "{v}");
            }
            other => panic!("{other}: {v}"),
        }
        clock.advance(Duration::from_secs(1));
    }
    assert!(
        (3..=6).contains(&checked),
        "{checked} guesses were checked in a minute"
    );
    // Another account, and the administrator's right password, are not held.
    let admin = client_from(&server, 200);
    assert_eq!(
        admin.login("admin", "admin-demo-pass").await.0,
        StatusCode::OK
    );
    let manager = client_from(&server, 201);
    assert_eq!(
        manager.login("manager", "manager-demo-pass").await.0,
        StatusCode::OK
    );
    // The nurse's wait ends by itself: after it, her right password works.
    let c = client_from(&server, 202);
    let (st, v) = c.login("nurse", "nurse-demo-pass").await;
    let wait = if st == StatusCode::TOO_MANY_REQUESTS {
        let r = c
            .http
            .post(c.url("/api/login"))
            .header("Origin", &c.base)
            .json(&json!({"username": "nurse", "password": "nurse-demo-pass"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    } else {
        panic!("the nurse's account was not throttled: {st} {v}");
    };
    clock.advance(Duration::from_secs(wait + 1));
    assert_eq!(c.login("nurse", "nurse-demo-pass").await.0, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn sessions_end_at_once_after_demotion_password_change_and_removal() {
    let clinic = Clinic::demo();
    let server = Server::start_with(&clinic.home, carevault_web::DEFAULT_MAX_UPLOAD, None).await;
    let nurse = server.login("nurse").await;
    let manager = server.login("manager").await;
    let admin = server.login("admin").await;
    for c in [&nurse, &manager, &admin] {
        assert_eq!(c.get("/api/backups").await.0, StatusCode::OK);
    }
    // Demotion.
    auth::set_role(&clinic.home, "nurse", Role::ClinicStaff).unwrap();
    assert_eq!(nurse.get("/api/backups").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(nurse.get("/api/session").await.1["user"], Value::Null);
    // Password change.
    auth::set_password(&clinic.home, "manager", "a brand new password").unwrap();
    assert_eq!(
        manager.get("/api/backups").await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = server.client();
    assert_eq!(
        again.login("manager", "a brand new password").await.0,
        StatusCode::OK
    );
    assert_eq!(again.get("/api/backups").await.0, StatusCode::OK);
    // Removal.
    let db = rusqlite::Connection::open(clinic.home.join("data/users.db")).unwrap();
    db.execute("DELETE FROM users WHERE username = 'admin'", [])
        .unwrap();
    assert_eq!(admin.get("/api/backups").await.0, StatusCode::UNAUTHORIZED);
    // The others' sessions were left alone.
    assert_eq!(again.get("/api/backups").await.0, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn one_account_logging_in_100_times_does_not_evict_another() {
    let clinic = Clinic::demo();
    let clock = Clock::manual();
    let server = Server::start_config(config(&clinic.home, &clock)).await;
    let admin = server.login("admin").await;
    let mut nurses = Vec::new();
    for _ in 0..100 {
        // Past the per-account login rate: this is about sessions.
        clock.advance(Duration::from_secs(13));
        nurses.push(server.login("nurse").await);
    }
    assert_eq!(admin.get("/api/backups").await.0, StatusCode::OK);
    assert_eq!(
        nurses.last().unwrap().get("/api/backups").await.0,
        StatusCode::OK
    );
    // Only the nurse's oldest sessions were ended.
    assert_eq!(
        nurses[0].get("/api/backups").await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

#[tokio::test]
async fn forged_audit_lines_are_refused_as_user_names() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let c = server.client();
    let before = audit::read(&clinic.home).unwrap().len();
    let long = "n".repeat(65);
    for name in [
        "nurse\n   99 2026-01-01 10:00 admin      restore   success",
        "nurse\r",
        "ad\u{1b}[2Kmin",
        "nurse\u{202e}",
        "a b",
        long.as_str(),
        "",
    ] {
        let (st, v) = c.login(name, "whatever it is").await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{name:?}: {v}");
        assert_eq!(v["error"]["kind"], "usage");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("user name"));
    }
    let records = audit::read(&clinic.home).unwrap();
    assert_eq!(
        records.len(),
        before,
        "a refused name reached the audit trail"
    );
    // Nor can one be made a user.
    let e = auth::add_user(&clinic.home, "x\ny", Role::ClinicNurse, "long enough").unwrap_err();
    assert_eq!(e.kind(), carevault_core::Kind::Usage);
    // An entry of any size is cut to its limits.
    let mut ev = audit::Event::new("nurse", "login", audit::Outcome::Failure);
    ev.reason = Some("r".repeat(1 << 20));
    let rec = audit::append(&clinic.home, &ev).unwrap();
    assert_eq!(
        rec.event.reason.unwrap().chars().count(),
        audit::MAX_REASON_CHARS
    );
    assert!(audit::verify(&clinic.home).unwrap().is_intact());
    server.stop().await;
}

#[tokio::test]
async fn a_client_sending_half_a_header_is_cut_off_and_others_are_answered() {
    let clinic = Clinic::demo();
    let mut cfg = ServerConfig::new(&clinic.home);
    cfg.auto_interval = None;
    // Short, so the test is quick, yet 5 s: the requests that must be
    // answered have their heads read well within it even on a loaded
    // machine. The test waits on the slow connections being closed, never
    // on the clock.
    cfg.limits.header_timeout = Duration::from_secs(5);
    let server = Server::start_config(cfg).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(s);
    }
    // Others are answered while the slow ones hang.
    let c = server.client();
    assert_eq!(c.get("/api/session").await.0, StatusCode::OK);
    for mut s in slow {
        let mut buf = [0u8; 512];
        // The server closes the connection: the read ends (EOF or reset),
        // with no answer to the half request. The bound is only a guard.
        let read = tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf))
            .await
            .expect("the slow connection was not closed");
        match read {
            Ok(n) => assert_eq!(n, 0, "{}", String::from_utf8_lossy(&buf[..n])),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        }
    }
    // A new client: the first one's idle keep-alive connection is closed by
    // the same header timeout, and reusing it would race that close.
    assert_eq!(server.client().get("/api/session").await.0, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_request_head_gets_431_and_is_cut_off() {
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
        "a".repeat(70 * 1024)
    );
    // The server may close before it has read it all: a write error is fine.
    let _ = s.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 431"), "{text}");
    assert_eq!(server.client().get("/api/session").await.0, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn a_stalled_upload_is_cut_off_and_leaves_nothing() {
    // A first run: uploads need no login.
    let clinic = Clinic::empty();
    let mut cfg = ServerConfig::new(&clinic.home);
    cfg.auto_interval = None;
    cfg.limits.request_timeout = Duration::from_millis(300);
    let server = Server::start_config(cfg).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(b"AGE-NOT-ALL").await.unwrap();
    // Then nothing more: the server answers and closes on its own.
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("stalled"), "{text}");
    assert!(
        uploads(&clinic.home).is_empty(),
        "{:?}",
        uploads(&clinic.home)
    );
    server.stop().await;
}

#[tokio::test]
async fn past_the_connection_cap_the_next_client_waits_until_one_ends() {
    let clinic = Clinic::demo();
    let mut cfg = ServerConfig::new(&clinic.home);
    cfg.auto_interval = None;
    cfg.limits.max_connections = 1;
    let server = Server::start_config(cfg).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let request = b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    async fn answer(s: &mut tokio::net::TcpStream) -> String {
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).await.unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
    // A holds the one slot (a keep-alive connection that was answered).
    let mut a = tokio::net::TcpStream::connect(&addr).await.unwrap();
    a.write_all(request).await.unwrap();
    assert!(answer(&mut a).await.starts_with("HTTP/1.1 200"));
    // B connects (the kernel queues it) and asks.
    let mut b = tokio::net::TcpStream::connect(&addr).await.unwrap();
    b.write_all(request).await.unwrap();
    // A is still served (another round trip) while B has no answer.
    a.write_all(request).await.unwrap();
    assert!(answer(&mut a).await.starts_with("HTTP/1.1 200"));
    let mut probe = [0u8; 16];
    assert_eq!(
        b.try_read(&mut probe).map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "B was answered past the cap"
    );
    // A ends: B is accepted and answered.
    drop(a);
    assert!(answer(&mut b).await.starts_with("HTTP/1.1 200"));
    drop(b);
    server.stop().await;
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn uploads_have_a_quota_and_are_removed_after_an_hour_or_with_their_session() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let bytes = std::fs::read(&file).unwrap();
    let size = bytes.len() as u64;
    let clock = Clock::manual();
    let mut cfg = config(&clinic.home, &clock);
    cfg.limits.upload_per_session = size + size / 2;
    cfg.limits.upload_total = 2 * size + size / 2;
    let server = Server::start_config(cfg).await;
    let nurse = server.login("nurse").await;
    let (st, v) = nurse.upload(bytes.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["sha256"], sha256_hex(&bytes));
    let first = v["upload_id"].as_str().unwrap().to_string();
    // A second one would pass the session's quota.
    let (st, v) = nurse.upload(bytes.clone()).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("this session"));
    // Another session has its own quota, within the server's.
    let manager = server.login("manager").await;
    let (st, v) = manager.upload(bytes.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let admin = server.login("admin").await;
    let (st, v) = admin.upload(bytes.clone()).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("all uploads"));
    assert_eq!(uploads(&clinic.home).len(), 2);
    // An upload is its session's only.
    assert_eq!(
        manager.get(&format!("/api/backups/{first}")).await.0,
        StatusCode::NOT_FOUND
    );
    // Logging out removes the manager's upload.
    let (st, _) = manager.post("/api/logout", json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(uploads(&clinic.home).len(), 1);
    // After an hour the nurse's is gone too.
    assert_eq!(
        nurse.get(&format!("/api/backups/{first}")).await.0,
        StatusCode::OK
    );
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        nurse.get(&format!("/api/backups/{first}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(
        uploads(&clinic.home).is_empty(),
        "{:?}",
        uploads(&clinic.home)
    );
    // And the quota is free again.
    assert_eq!(nurse.upload(bytes).await.0, StatusCode::CREATED);
    server.stop().await;
}

#[tokio::test]
async fn an_upload_is_not_restorable_by_a_nurse() {
    let clinic = Clinic::demo();
    let other = Clinic::demo();
    let bytes = std::fs::read(other.backup(Medium::Private, Some(PASS))).unwrap();
    let server = Server::start(&clinic.home).await;
    for user in ["nurse", "manager"] {
        let c = server.login(user).await;
        let (st, v) = c.upload(bytes.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let id = v["upload_id"].as_str().unwrap();
        let (st, v) = c
            .post(
                &format!("/api/backups/{id}/restore"),
                json!({"passphrase": PASS}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}: {v}");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("System Administrator"));
    }
    let records = audit::read(&clinic.home).unwrap();
    assert!(records.iter().any(|r| r.event.user == "nurse"
        && r.event.action == "restore"
        && r.event.outcome == audit::Outcome::Refused));
    // The data was not touched: the nurse still logs in with her password.
    assert_eq!(
        server.client().login("nurse", "nurse-demo-pass").await.0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn passphrase_guesses_on_one_backup_are_throttled_like_logins() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let clock = Clock::manual();
    let server = Server::start_config(config(&clinic.home, &clock)).await;
    let c = server.login("nurse").await;
    let path = format!("/api/backups/{id}/contents");
    for _ in 0..3 {
        let (st, v) = c.post(&path, json!({"passphrase": "a guess"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["kind"], "wrong_key");
    }
    // From another user too: the throttle is the backup's.
    let m = server.login("manager").await;
    for who in [&c, &m] {
        let (st, v) = who.post(&path, json!({"passphrase": PASS})).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
        assert!(v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("try again in"));
    }
    let (st, v) = c
        .post(
            &format!("/api/backups/{id}/verify"),
            json!({"passphrase": "another"}),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    clock.advance(Duration::from_secs(6));
    let (st, v) = c.post(&path, json!({"passphrase": PASS})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    server.stop().await;
}
