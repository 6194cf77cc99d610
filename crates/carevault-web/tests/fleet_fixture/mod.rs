//! A fleet in a real S3 server (s3s-fs, started as the CLI's fleet tests
//! start it): sidecars and status events as the tablets write them, and
//! the fleet page (`carevault_web::serve_fleet`) on 127.0.0.1, port 0.
#![allow(dead_code)]

use crate::servers::{AK, BUCKET, SK};
use carevault_core::profile::OffsiteSettings;
use carevault_offsite::fleet::{self, StoreUrl};
use carevault_offsite::{Clock, Config, Credentials, RetryPolicy, S3Store};
use carevault_testkit::fleet::{event, event_key, sidecar, sidecar_key};
use std::path::Path;

pub const DAY: i64 = 86_400;
pub const PREFIX: &str = "tablets/";

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The tablets' writer on `endpoint` under [`PREFIX`].
pub fn writer(endpoint: &str) -> S3Store {
    S3Store::new(&Config {
        settings: OffsiteSettings {
            endpoint: endpoint.into(),
            bucket: BUCKET.into(),
            region: "us-east-1".into(),
            prefix: String::new(),
            path_style: true,
            part_size_mib: 8,
            bandwidth_kib_per_s: 0,
        },
        prefix: PREFIX.into(),
        credentials: Credentials {
            access_key: AK.into(),
            secret_key: SK.into(),
        },
        journal_dir: std::env::temp_dir().join("carevault-fleet-page-test-unused"),
        clock: Clock::system(),
        retry: RetryPolicy {
            tries: 2,
            base: std::time::Duration::from_millis(20),
            max: std::time::Duration::from_millis(100),
        },
    })
    .unwrap()
}

/// The sidecar of backup `id` of `fac/dev` and, with `uploaded`, its
/// status event carrying the audit head `seq`.
#[allow(clippy::too_many_arguments)]
pub fn put_backup(
    s: &S3Store,
    fac: &str,
    dev: &str,
    id: &str,
    size: u64,
    made: i64,
    uploaded: Option<i64>,
    seq: u64,
) {
    s.put_bytes(&sidecar_key(fac, dev, id), &sidecar(id, size, made))
        .unwrap();
    if let Some(up) = uploaded {
        let head = format!("{seq:064x}");
        s.put_bytes(
            &event_key(fac, dev, id, up),
            &event(id, size, made, up, Some((seq, &head))),
        )
        .unwrap();
    }
}

/// Two facilities: `kibera-hc/dev1` copied offsite a day ago, and
/// `mathare/dev2` whose newest offsite copy is ten days old (at risk; it
/// sorts after dev1 by name, so "at risk first" is visible).
pub fn fill(s: &S3Store) {
    let n = now();
    put_backup(
        s,
        "kibera-hc",
        "dev1",
        "k1",
        2000,
        n - 2 * DAY,
        Some(n - 2 * DAY + 60),
        3,
    );
    put_backup(
        s,
        "kibera-hc",
        "dev1",
        "k2",
        2100,
        n - DAY,
        Some(n - DAY + 60),
        4,
    );
    put_backup(
        s,
        "mathare",
        "dev2",
        "m1",
        900,
        n - 10 * DAY,
        Some(n - 10 * DAY + 60),
        7,
    );
}

/// A new backup of `mathare/dev2`, copied offsite now.
pub fn new_backup_of_dev2(s: &S3Store) {
    let n = now();
    put_backup(s, "mathare", "dev2", "m2", 950, n - 120, Some(n - 60), 8);
}

/// A store settings file (0600) for the page.
pub fn settings_file(dir: &Path, endpoint: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("fleet-store.conf");
    std::fs::write(
        &p,
        format!("endpoint = {endpoint}\naccess_key = {AK}\nsecret_key = {SK}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// The fleet page on 127.0.0.1, its index refreshed once.
pub struct FleetServer {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl FleetServer {
    /// Reads the bucket through `endpoint` (the server's, or a relay's).
    pub async fn start(endpoint: &str, token: Option<&str>) -> FleetServer {
        let dir = tempfile::tempdir().unwrap();
        let url = StoreUrl::parse(&format!("s3://{BUCKET}/{PREFIX}")).unwrap();
        let cfg = fleet::config(&url, Some(&settings_file(dir.path(), endpoint))).unwrap();
        let config = carevault_web::FleetConfig {
            store: url.to_url(),
            offsite: cfg,
            index: dir.path().join("fleet.sqlite"),
            days: 7,
            token: token.map(String::from),
            limits: carevault_web::Limits::default(),
        };
        let page = tokio::task::spawn_blocking(move || carevault_web::FleetPage::open(config))
            .await
            .unwrap()
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(carevault_web::serve_fleet(listener, page, async move {
            let _ = rx.await;
        }));
        FleetServer {
            url: base,
            stop: Some(tx),
            task: Some(task),
            _dir: dir,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), task).await;
        }
    }
}
