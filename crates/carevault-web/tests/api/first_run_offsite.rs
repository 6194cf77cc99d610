//! "Restore from offsite" on the first-run screen, by API, against a real
//! S3 server (s3s-fs on loopback): the whole path (list, checked download
//! into the Public folder, restore), credentials kept off the disk unless
//! saved, and the hostile cases: a sidecar that lies about the size or the
//! hash, an endpoint that is not loopback, credentials that do not work.

use crate::{api_common, servers};

use api_common::*;
use carevault_core::media::Medium;
use carevault_core::NoProgress;
use carevault_offsite::{Config, S3Store};
use reqwest::StatusCode;
use serde_json::{json, Value};
use servers::{Server as S3, AK, BUCKET, SK};
use std::path::{Path, PathBuf};

const PREFIX: &str = "tablets/lost-tablet/";

fn configure_offsite(home: &Path, endpoint: &str) {
    let p = home.join("carevault.toml");
    let mut profile = std::fs::read_to_string(&p).unwrap();
    profile.push_str(&format!(
        "\n[offsite]\nendpoint = \"{endpoint}\"\nbucket = \"{BUCKET}\"\nprefix = \"{PREFIX}\"\n"
    ));
    std::fs::write(&p, profile).unwrap();
    let cred = home.join("private/offsite-credentials");
    std::fs::write(&cred, format!("{AK}\n{SK}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The lost tablet: a demo clinic whose backup is pushed under PREFIX.
fn lost_tablet(s3: &S3) -> (Clinic, PathBuf, String) {
    let c = Clinic::demo();
    let made = c.backup(Medium::Private, None);
    configure_offsite(&c.home, &s3.endpoint());
    let store = S3Store::new(&Config::for_home(&c.home).unwrap()).unwrap();
    let id = carevault_core::catalog::id_of(&made).unwrap();
    let pushed =
        carevault_offsite::push::push_one(&c.home, &store, &made, &id, &NoProgress).unwrap();
    (c, made, pushed.record.id)
}

fn entered(s3: &S3, prefix: &str) -> Value {
    json!({
        "endpoint": s3.endpoint(), "bucket": BUCKET, "prefix": prefix,
        "access_key": AK, "secret_key": SK,
    })
}

/// Puts the backup under `prefix` with a sidecar changed by `lie`.
fn liar(lost: &Clinic, made: &Path, prefix: &str, lie: impl Fn(&mut Value)) {
    let mut cfg = Config::for_home(&lost.home).unwrap();
    cfg.prefix = prefix.to_string();
    let store = S3Store::new(&cfg).unwrap();
    let name = made.file_name().unwrap().to_str().unwrap();
    store.put_checked(name, made, &NoProgress).unwrap();
    let honest = S3Store::new(&Config::for_home(&lost.home).unwrap()).unwrap();
    let mut side: Value = serde_json::from_slice(
        &honest
            .get_small(&format!("backups/{name}.json"), 1 << 20)
            .unwrap(),
    )
    .unwrap();
    lie(&mut side);
    store
        .put_bytes(&format!("backups/{name}.json"), side.to_string().as_bytes())
        .unwrap();
}

fn public_bins(home: &Path) -> Vec<PathBuf> {
    let dirs = carevault_core::profile::Profile::load(home)
        .unwrap()
        .media
        .listing_dirs(home);
    let public = dirs.iter().find(|(m, _)| *m == Medium::Public).unwrap();
    bins(&public.1)
}

#[tokio::test]
async fn replacement_tablet_lists_downloads_checked_and_restores_from_offsite() {
    let Some(s3) = servers::s3s_fs("first-run restore from offsite") else {
        return;
    };
    let (lost, made, id) = lost_tablet(&s3);
    let fresh = Clinic::empty();
    let server = Server::start_with(&fresh.home, 1 << 30, None).await;
    let c = server.client();

    let (st, v) = c
        .post("/api/first-run/offsite/list", entered(&s3, PREFIX))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["backups"][0]["id"], id.as_str(), "{v}");
    assert_eq!(v["backups"][0]["sidecar"], true, "{v}");
    assert!(
        !fresh.home.join("private/offsite-credentials").exists(),
        "credentials are not written unless saved"
    );

    let mut body = entered(&s3, PREFIX);
    body["id"] = json!(id);
    let (st, v) = c.post("/api/first-run/offsite/get", body).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let events = c.events(v["job_id"].as_str().unwrap()).await;
    let job = events.last().unwrap();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["kind"], "download");
    let path = job["result"]["path"].as_str().unwrap().to_string();
    assert_eq!(public_bins(&fresh.home), vec![PathBuf::from(&path)]);
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&made).unwrap());
    assert!(!fresh.home.join("private/offsite-credentials").exists());

    // Restored as any backup found in Documents.
    let (st, v) = c
        .post("/api/first-run/restore", json!({"path": path}))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "done", "{job}");
    assert!(!carevault_core::auth::is_first_run(&fresh.home));
    assert!(fresh.home.join("data").is_dir());
    drop(lost);
    server.stop().await;
}

#[tokio::test]
async fn offsite_credentials_are_saved_only_when_asked_and_then_0600() {
    let Some(s3) = servers::s3s_fs("first-run offsite save") else {
        return;
    };
    let _lost = lost_tablet(&s3);
    let fresh = Clinic::empty();
    let server = Server::start_with(&fresh.home, 1 << 30, None).await;
    let mut body = entered(&s3, PREFIX);
    body["save"] = json!(true);
    let (st, v) = server
        .client()
        .post("/api/first-run/offsite/list", body)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let cred = fresh.home.join("private/offsite-credentials");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&cred).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&cred).unwrap();
    assert!(text.contains(AK) && text.contains(SK));
    server.stop().await;
}

async fn failed_get(server: &Server, body: Value) -> Value {
    let c = server.client();
    let (st, v) = c.post("/api/first-run/offsite/get", body).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = c.wait_job(v["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "failed", "{job}");
    job["error"].clone()
}

#[tokio::test]
async fn first_run_offsite_refuses_a_sidecar_that_lies_about_the_size() {
    let Some(s3) = servers::s3s_fs("sidecar lies about size") else {
        return;
    };
    let (lost, made, id) = lost_tablet(&s3);
    liar(&lost, &made, "tablets/liar-size/", |s| {
        s["size"] = json!(s["size"].as_u64().unwrap() + 1)
    });
    let fresh = Clinic::empty();
    let server = Server::start_with(&fresh.home, 1 << 30, None).await;
    let mut body = entered(&s3, "tablets/liar-size/");
    body["id"] = json!(id);
    let e = failed_get(&server, body).await;
    assert_eq!(e["kind"], "tampered", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("its sidecar says otherwise"),
        "{e}"
    );
    assert!(
        public_bins(&fresh.home).is_empty(),
        "nothing offered for restore"
    );
    server.stop().await;
}

#[tokio::test]
async fn first_run_offsite_refuses_a_sidecar_that_lies_about_the_hash() {
    let Some(s3) = servers::s3s_fs("sidecar lies about hash") else {
        return;
    };
    let (lost, made, id) = lost_tablet(&s3);
    liar(&lost, &made, "tablets/liar-hash/", |s| {
        s["sha256"] = json!("0".repeat(64))
    });
    let fresh = Clinic::empty();
    let server = Server::start_with(&fresh.home, 1 << 30, None).await;
    let mut body = entered(&s3, "tablets/liar-hash/");
    body["id"] = json!(id);
    let e = failed_get(&server, body).await;
    assert_eq!(e["kind"], "corrupted", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("SHA-256 differs from its sidecar"),
        "{e}"
    );
    assert!(
        public_bins(&fresh.home).is_empty(),
        "nothing offered for restore"
    );
    let public = carevault_core::profile::Profile::load(&fresh.home)
        .unwrap()
        .media
        .listing_dirs(&fresh.home)
        .into_iter()
        .find(|(m, _)| *m == Medium::Public)
        .unwrap()
        .1;
    let left: Vec<_> = std::fs::read_dir(&public)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "no partial download left: {left:?}");
    server.stop().await;
}

#[tokio::test]
async fn first_run_offsite_refuses_an_endpoint_that_is_not_loopback() {
    let fresh = Clinic::empty();
    let server = Server::start_with(&fresh.home, 1 << 30, None).await;
    let body = json!({
        "endpoint": "http://10.20.30.40:9000", "bucket": BUCKET, "prefix": PREFIX,
        "access_key": AK, "secret_key": SK,
    });
    let (st, v) = server
        .client()
        .post("/api/first-run/offsite/list", body)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["kind"], "usage", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("http://"),
        "{v}"
    );
    server.stop().await;
}

#[tokio::test]
async fn first_run_offsite_says_when_the_credentials_do_not_work() {
    let Some(s3) = servers::s3s_fs("wrong offsite credentials") else {
        return;
    };
    let fresh = Clinic::empty();
    let server = Server::start_with(&fresh.home, 1 << 30, None).await;
    let mut body = entered(&s3, PREFIX);
    body["secret_key"] = json!("not-the-secret-key-0000000000");
    body["save"] = json!(true);
    let (st, v) = server
        .client()
        .post("/api/first-run/offsite/list", body)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["kind"], "permission_denied", "{v}");
    assert!(
        !fresh.home.join("private/offsite-credentials").exists(),
        "credentials that do not work are not saved"
    );
    server.stop().await;
}

#[tokio::test]
async fn restore_from_offsite_is_for_a_home_without_clinic_data_only() {
    let clinic = Clinic::demo();
    let server = Server::start_with(&clinic.home, 1 << 30, None).await;
    let body = json!({
        "endpoint": "http://127.0.0.1:9", "bucket": BUCKET, "prefix": PREFIX,
        "access_key": AK, "secret_key": SK,
    });
    let (st, v) = server
        .client()
        .post("/api/first-run/offsite/list", body)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    server.stop().await;
}
