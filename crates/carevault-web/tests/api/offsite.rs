//! Offsite copies through the web app, against a real S3 server (s3s-fs,
//! started on loopback as the CLI's offsite tests start it): the Backup
//! Explorer's "Offsite" column, "Copy offsite now" as a job, and the
//! scheduler's pushes with their backoff and the sync guard.

use crate::{api_common, relay, servers};

use api_common::*;
use carevault_core::audit;
use carevault_core::hostlock::SyncSession;
use carevault_core::media::Medium;
use carevault_core::store::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use servers::{AK, BUCKET, SK};
use std::path::Path;
use std::time::{Duration, Instant};

const PREFIX: &str = "tablets/web-test/";

/// Adds `[offsite]` (to `endpoint`) and the credentials file (0600).
fn configure_offsite(home: &Path, endpoint: &str) {
    let p = home.join("carevault.toml");
    let mut profile = std::fs::read_to_string(&p).unwrap();
    if let Some(i) = profile.find("\n[offsite]") {
        profile.truncate(i);
    }
    profile.push_str(&format!(
        "\n[offsite]\nendpoint = \"{endpoint}\"\nbucket = \"{BUCKET}\"\nprefix = \"{PREFIX}\"\npart_size_mib = 5\n"
    ));
    std::fs::write(&p, profile).unwrap();
    let cred = home.join("private/offsite-credentials");
    std::fs::write(&cred, format!("{AK}\n{SK}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// An endpoint on loopback where nothing listens.
fn dead_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

fn offsite_of(list: &Value, id: &str) -> Value {
    list["backups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("no backup {id}: {list}"))["offsite"]
        .clone()
}

fn backup_id(path: &Path) -> String {
    carevault_core::archive::reader::Opened::open(path)
        .unwrap()
        .metadata
        .sealed
        .id
}

/// The object names the store holds under the prefix.
fn stored(home: &Path) -> Vec<String> {
    let cfg = carevault_offsite::Config::for_home(home).unwrap();
    let store = carevault_offsite::S3Store::new(&cfg).unwrap();
    store.list().unwrap().into_iter().map(|o| o.name).collect()
}

#[tokio::test]
async fn explorer_shows_offsite_column_and_copy_offsite_now_copies_as_an_audited_job() {
    let Some(s3) = servers::s3s_fs("web copy offsite now") else {
        return;
    };
    let clinic = Clinic::demo();
    // Without [offsite], no column.
    let made = clinic.backup(Medium::Private, None);
    let id = backup_id(&made);
    let server = Server::start_with(&clinic.home, 1 << 30, None).await;
    let nurse = server.login("nurse").await;
    let (_, list) = nurse.get("/api/backups").await;
    assert_eq!(list["offsite_configured"], false, "{list}");
    assert_eq!(offsite_of(&list, &id), Value::Null);

    configure_offsite(&clinic.home, &s3.endpoint());
    let (_, list) = nurse.get("/api/backups").await;
    assert_eq!(list["offsite_configured"], true, "{list}");
    assert_eq!(offsite_of(&list, &id), "pending");

    // A role that may not create backups may not copy them offsite.
    let staff = server.login("staff").await;
    let (st, v) = staff.post("/api/offsite/push", json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    // An ID with no local backup.
    let (st, v) = nurse
        .post("/api/offsite/push", json!({"ids": ["no-such-backup"]}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");

    let (st, v) = nurse.post("/api/offsite/push", json!({})).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["pending"], 1);
    let job = v["job_id"].as_str().unwrap().to_string();
    let events = nurse.events(&job).await;
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{events:?}");
    assert_eq!(last["kind"], "offsite");
    assert_eq!(last["result"]["copied"][0]["id"], id.as_str(), "{last}");
    // The upload ran on a thread at the lowest CPU priority.
    assert_eq!(last["result"]["nice"], 19, "{last}");
    // The upload reported its progress: the file's size in all.
    let size = std::fs::metadata(&made).unwrap().len();
    assert_eq!(last["total_bytes"], size, "{last}");
    assert_eq!(last["done_bytes"], size, "{last}");
    let (_, list) = nurse.get("/api/backups").await;
    assert_eq!(offsite_of(&list, &id), "copied");
    let name = made.file_name().unwrap().to_str().unwrap().to_string();
    assert!(stored(&clinic.home).contains(&name), "in the bucket");
    let trail = audit::read(&clinic.home).unwrap();
    assert!(
        trail
            .iter()
            .map(|r| &r.event)
            .any(|e| e.action == "offsite push"
                && e.user == "nurse"
                && e.backup.as_deref() == Some(id.as_str())
                && e.outcome == audit::Outcome::Success),
        "audited"
    );
    // Nothing left: a second push copies nothing.
    let (st, v) = nurse.post("/api/offsite/push", json!({})).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["pending"], 0);
    server.stop().await;
}

fn checks(st: &Value) -> u64 {
    st["schedule"]["checks"].as_u64().unwrap_or(0)
}

/// The server's status once the schedule's check asked for now has ended.
async fn status_after_a_check(c: &Client, scheduler: &carevault_web::Scheduler) -> Value {
    let n = check_now(scheduler).await;
    let (_, st) = c.get("/api/status").await;
    assert!(checks(&st) >= n, "check {n} ended: {st}");
    st
}

#[tokio::test]
async fn scheduler_backs_off_exponentially_while_the_store_is_unreachable_and_resets_on_success() {
    let clinic = Clinic::demo();
    let made = clinic.backup(Medium::Private, None);
    let id = backup_id(&made);
    configure_offsite(&clinic.home, &dead_endpoint());
    let clock = carevault_web::Clock::manual();
    let mut config = carevault_web::ServerConfig::new(&clinic.home);
    // The test runs each check through the seam and awaits its end.
    config.auto_interval = Some(TIMER_NEVER_FIRES);
    config.clock = clock.clone();
    let scheduler = config.scheduler.clone();
    let server = Server::start_config(config).await;
    let c = server.login("nurse").await;

    let st = status_after_a_check(&c, &scheduler).await;
    assert_eq!(st["offsite_schedule"]["failures_in_a_row"], 1, "{st}");
    assert_eq!(st["offsite_schedule"]["next_try_in_seconds"], 60, "{st}");
    assert!(st["offsite_schedule"]["next_try_at"].is_string(), "{st}");
    assert_eq!(
        st["offsite_schedule"]["last_error"]["code"], "unreachable",
        "{st}"
    );
    assert_eq!(offsite_of(&c.get("/api/backups").await.1, &id), "failed");
    // More checks run, but none tries again before the wait is over.
    let seen = checks(&st);
    for _ in 0..3 {
        check_now(&scheduler).await;
    }
    let st = status_after_a_check(&c, &scheduler).await;
    assert!(checks(&st) >= seen + 4, "{st}");
    assert_eq!(st["offsite_schedule"]["failures_in_a_row"], 1, "{st}");

    // The wait doubles after each failure...
    clock.advance(Duration::from_secs(61));
    let st = status_after_a_check(&c, &scheduler).await;
    assert_eq!(st["offsite_schedule"]["failures_in_a_row"], 2, "{st}");
    assert_eq!(st["offsite_schedule"]["next_try_in_seconds"], 120, "{st}");

    // ...and once the store is there, the next try copies and resets it.
    let Some(s3) = servers::s3s_fs("scheduler backoff") else {
        server.stop().await;
        return;
    };
    configure_offsite(&clinic.home, &s3.endpoint());
    clock.advance(Duration::from_secs(121));
    let st = status_after_a_check(&c, &scheduler).await;
    assert_eq!(st["offsite_schedule"]["failures_in_a_row"], 0, "{st}");
    assert_eq!(st["offsite_schedule"]["next_try_at"], Value::Null, "{st}");
    assert_eq!(st["offsite_schedule"]["pending"], 0, "{st}");
    assert_eq!(offsite_of(&c.get("/api/backups").await.1, &id), "copied");
    let trail = audit::read(&clinic.home).unwrap();
    assert!(trail
        .iter()
        .map(|r| &r.event)
        .any(|e| e.action == "offsite push"
            && e.user == "auto"
            && e.outcome == audit::Outcome::Success));
    server.stop().await;
}

#[tokio::test]
async fn scheduler_never_pushes_while_a_sync_runs() {
    let Some(s3) = servers::s3s_fs("scheduler and sync") else {
        return;
    };
    let clinic = Clinic::demo();
    let made = clinic.backup(Medium::Private, None);
    let id = backup_id(&made);
    configure_offsite(&clinic.home, &s3.endpoint());
    let sync = SyncSession::begin(&clinic.home).unwrap();
    let mut config = carevault_web::ServerConfig::new(&clinic.home);
    // The test runs each check through the seam and awaits its end.
    config.auto_interval = Some(TIMER_NEVER_FIRES);
    let scheduler = config.scheduler.clone();
    let server = Server::start_config(config).await;
    let c = server.login("nurse").await;
    for _ in 0..2 {
        check_now(&scheduler).await;
    }
    let st = status_after_a_check(&c, &scheduler).await;
    assert!(checks(&st) >= 3, "{st}");
    assert_eq!(st["offsite_schedule"]["pending"], 1, "{st}");
    assert_eq!(st["offsite_schedule"]["failures_in_a_row"], 0, "{st}");
    assert_eq!(offsite_of(&c.get("/api/backups").await.1, &id), "pending");
    assert!(
        stored(&clinic.home).is_empty(),
        "nothing uploaded during the sync"
    );
    drop(sync);
    let st = status_after_a_check(&c, &scheduler).await;
    assert_eq!(
        st["offsite_schedule"]["pending"], 0,
        "the check after the sync copies: {st}"
    );
    assert_eq!(offsite_of(&c.get("/api/backups").await.1, &id), "copied");
    server.stop().await;
}

/// Visits the demo writer recorded (its notes end in "[demo writer]").
fn writer_visits(home: &Path) -> u64 {
    let conn = rusqlite::Connection::open_with_flags(
        home.join("data/clinical.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM visits WHERE notes LIKE '%[demo writer]'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    n as u64
}

/// Waits until the writer has recorded `n` visits. The count only grows, so
/// this polls it; the deadline only guards against a hang.
async fn writer_visits_at_least(home: &Path, n: u64) -> u64 {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let h = home.to_path_buf();
        let seen = tokio::task::spawn_blocking(move || writer_visits(&h))
            .await
            .unwrap();
        if seen >= n {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "the writer committed {seen} of {n} visits"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The clinic app's writer (the demo writer of `carevault demo write`, at
/// 100 changes a second, on a thread of its own at normal priority) keeps
/// committing while "Copy offsite now" uploads a backup: the upload is held
/// half-way (a relay in front of the store) until the writer has committed
/// more changes, so the two overlap on any machine. Its longest change and
/// 99th percentile are printed for BENCHMARKS.md; a change that waits a
/// minute fails it as a hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_writer_keeps_committing_while_a_push_runs() {
    let Some(s3) = servers::s3s_fs("writer during a push") else {
        return;
    };
    let clinic = Clinic(carevault_testkit::Clinic::demo(2000, 400, 11));
    let made = clinic.backup(Medium::Private, None);
    let size = std::fs::metadata(&made).unwrap().len();
    let relay = relay::Relay::start(s3.port, size / 2).await;
    configure_offsite(&clinic.home, &relay.endpoint());
    let server = Server::start_with(&clinic.home, 1 << 30, None).await;
    let nurse = server.login("nurse").await;

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (h, st) = (clinic.home.clone(), stop.clone());
    let writer = std::thread::spawn(move || {
        let o = carevault_demo::WriterOptions {
            rate_per_sec: Some(100),
            max_transactions: None,
            seed: 3,
        };
        carevault_demo::run_writer(&h, &o, &st).unwrap()
    });
    let started = Instant::now();
    let (code, v) = nurse.post("/api/offsite/push", json!({})).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{v}");
    let job_id = v["job_id"].as_str().unwrap().to_string();
    // Half the backup is on its way: the push is under way, and stays so
    // until the writer has committed three more changes.
    tokio::time::timeout(HANG_GUARD, relay.held())
        .await
        .expect("the upload reaches its middle");
    let before = writer_visits_at_least(&clinic.home, 0).await;
    writer_visits_at_least(&clinic.home, before + 3).await;
    let (_, during) = nurse.get(&format!("/api/jobs/{job_id}")).await;
    assert_eq!(during["state"], "running", "the push still runs: {during}");
    relay.release();
    let job = nurse.wait_job(&job_id).await;
    let took = started.elapsed();
    assert_eq!(job["state"], "done", "{job}");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let stats = tokio::task::spawn_blocking(move || writer.join().unwrap())
        .await
        .unwrap();
    println!(
        "push of {size} bytes took {:.2} s (held half-way meanwhile); the writer committed {} changes meanwhile, longest {:.1} ms, p99 {:.1} ms",
        took.as_secs_f64(),
        stats.transactions,
        stats.longest_commit_ms,
        stats.p99_commit_ms
    );
    assert!(stats.transactions >= before + 3, "{stats:?}");
    assert!(
        stats.longest_commit_ms < HANG_GUARD.as_millis() as f64 / 2.0,
        "a change hung for {:.0} ms during the push",
        stats.longest_commit_ms
    );
    server.stop().await;
}

#[tokio::test]
async fn copy_offsite_now_is_refused_while_a_sync_runs_and_allowed_to_a_manager_after() {
    let Some(s3) = servers::s3s_fs("copy offsite now and sync") else {
        return;
    };
    let clinic = Clinic::demo();
    let made = clinic.backup(Medium::Private, None);
    let id = backup_id(&made);
    configure_offsite(&clinic.home, &s3.endpoint());
    let server = Server::start_with(&clinic.home, 1 << 30, None).await;
    let manager = server.login("manager").await;
    let sync = SyncSession::begin(&clinic.home).unwrap();
    let (st, v) = manager.post("/api/offsite/push", json!({})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["kind"], "busy", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("synchronization"),
        "{v}"
    );
    assert!(
        stored(&clinic.home).is_empty(),
        "nothing uploaded during the sync"
    );
    drop(sync);
    let (st, v) = manager
        .post("/api/offsite/push", json!({"ids": [id]}))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = manager.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(
        offsite_of(&manager.get("/api/backups").await.1, &id),
        "copied"
    );
    server.stop().await;
}
