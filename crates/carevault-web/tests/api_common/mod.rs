//! Shared by the API tests: a demo clinic, the real server on 127.0.0.1:0,
//! and an HTTP client that logs in, sends the Origin header and reads
//! server-sent events.
#![allow(dead_code)]

use carevault_core::auth::{self, Create};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::{NoProgress, SecretString};
use carevault_web::{serve, ServerConfig};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const PASS: &str = "a clinic passphrase";
pub const PATIENTS: u64 = 300;
pub const USERS: [&str; 4] = ["admin", "manager", "nurse", "staff"];

/// How long a test waits for an event before it calls the server hung:
/// only a guard against a hang, never a measure of speed (a loaded CI
/// machine may take long; nothing is asserted about how long).
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// An `auto_interval` for tests that drive the schedule through its seam
/// ([`check_now`]): longer than any test runs, so its timer never fires
/// during one and every check after the one at start is a test's.
pub const TIMER_NEVER_FIRES: Duration = Duration::from_secs(24 * 3600);

/// Runs one check of the server's automatic-backup schedule now and waits
/// for its end (`ServerConfig::scheduler`, a test seam); returns its number.
pub async fn check_now(scheduler: &carevault_web::Scheduler) -> u64 {
    tokio::time::timeout(HANG_GUARD, scheduler.check_now())
        .await
        .expect("the schedule's check ends (is auto_interval set?)")
}

/// The shared demo clinic (`carevault_testkit::Clinic`: a temporary
/// folder, the home, the test profile), with the API tests' backups.
pub struct Clinic(pub carevault_testkit::Clinic);

impl std::ops::Deref for Clinic {
    type Target = carevault_testkit::Clinic;
    fn deref(&self) -> &carevault_testkit::Clinic {
        &self.0
    }
}

impl Clinic {
    /// A demo clinic with a few hundred patients.
    pub fn demo() -> Clinic {
        Clinic(carevault_testkit::Clinic::demo(PATIENTS, 2, 7))
    }

    /// An app home without clinic data (a fresh install).
    pub fn empty() -> Clinic {
        Clinic(carevault_testkit::Clinic::empty())
    }

    /// Makes a backup through the library (as admin), returns its file.
    pub fn backup(&self, medium: Medium, passphrase: Option<&str>) -> PathBuf {
        let permit = auth::permit::<Create>(&self.home, "admin", "admin-demo-pass").unwrap();
        let profile = Profile::load(&self.home).unwrap();
        let mut req = BackupRequest::new(&profile, Target::Medium(medium));
        req.passphrase = passphrase.map(|p| SecretString::from(p.to_string()));
        backup::create(&permit, &req, &NoProgress).unwrap().path
    }
}

impl Clinic {
    /// A backup file copied into the Private folder by hand (no operation
    /// lock needed, so it works while a job holds it).
    pub fn backup_unencrypted_copy(&self) -> PathBuf {
        let other = Clinic::demo();
        let file = other.backup(Medium::Private, None);
        let dir = self.home.join("private/backups");
        std::fs::create_dir_all(&dir).unwrap();
        let copy = dir.join(file.file_name().unwrap());
        std::fs::copy(&file, &copy).unwrap();
        copy
    }
}

pub fn password(user: &str) -> String {
    format!("{user}-demo-pass")
}

/// The real server on an ephemeral port.
pub struct Server {
    pub base: String,
    pub home: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    pub async fn start(home: &Path) -> Server {
        Server::start_with(home, carevault_web::DEFAULT_MAX_UPLOAD, None).await
    }

    pub async fn start_with(home: &Path, max_upload: u64, auto: Option<Duration>) -> Server {
        let mut config = ServerConfig::new(home);
        config.max_upload = max_upload;
        config.auto_interval = auto;
        Server::start_config(config).await
    }

    /// The real server with any configuration (limits, a manual clock).
    pub async fn start_config(config: ServerConfig) -> Server {
        let home = config.home.clone();
        let home = home.as_path();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, config, async {
            let _ = rx.await;
        }));
        Server {
            base,
            home: home.to_path_buf(),
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// A client with its own cookie jar.
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    /// A client logged in as `user` (demo password).
    pub async fn login(&self, user: &str) -> Client {
        let c = self.client();
        let (st, v) = c.login(user, &password(user)).await;
        assert_eq!(st, StatusCode::OK, "login {user}: {v}");
        c
    }

    /// Stops the server; it must return cleanly.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        // A hang guard only: the server drains its connections for at most
        // 10 s, and a loaded machine may add to that.
        let r = tokio::time::timeout(HANG_GUARD, self.task.take().unwrap())
            .await
            .expect("the server stops");
        r.unwrap().unwrap();
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

/// Status and JSON body (`null` when the body is empty or not JSON).
pub type Reply = (StatusCode, Value);

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        origin: Option<&str>,
    ) -> Reply {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(o) = origin {
            rb = rb.header("Origin", o);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let st = r.status();
        let text = r.text().await.unwrap();
        (st, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None).await
    }

    /// A POST from the Backup Explorer page (with its Origin).
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        let origin = self.base.clone();
        self.send(Method::POST, path, Some(body), Some(&origin))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        let origin = self.base.clone();
        self.send(Method::DELETE, path, None, Some(&origin)).await
    }

    pub async fn login(&self, user: &str, password: &str) -> Reply {
        self.post(
            "/api/login",
            serde_json::json!({"username": user, "password": password}),
        )
        .await
    }

    /// Uploads `bytes` as a raw body (with a Content-Length).
    pub async fn upload(&self, bytes: Vec<u8>) -> Reply {
        let r = self
            .http
            .post(self.url("/api/uploads"))
            .header("Origin", &self.base)
            .header("Content-Type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let st = r.status();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    /// Reads a job's event stream to its end; returns every event.
    pub async fn events(&self, job_id: &str) -> Vec<Value> {
        let r = self
            .http
            .get(self.url(&format!("/api/jobs/{job_id}/events")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let mut stream = r.bytes_stream();
        let mut buf = String::new();
        let mut events = Vec::new();
        // The stream ends when the job does; the deadline is a hang guard.
        let deadline = Instant::now() + HANG_GUARD;
        while let Some(chunk) = tokio::time::timeout_at(deadline.into(), stream.next())
            .await
            .expect("the job ends (hang guard)")
        {
            buf.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                for line in block.lines() {
                    if let Some(data) = line.strip_prefix("data:") {
                        events.push(serde_json::from_str(data.trim()).unwrap());
                    }
                }
            }
        }
        events
    }

    /// Waits for a job's end (its event stream, which ends when the job
    /// does); returns its state then.
    pub async fn wait_job(&self, job_id: &str) -> Value {
        let events = self.events(job_id).await;
        let (st, v) = self.get(&format!("/api/jobs/{job_id}")).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_ne!(v["state"], "running", "the job's events ended: {events:?}");
        v
    }
}

/// The files in the uploads folder.
pub fn uploads(home: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(home.join(".carevault-uploads"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// The backup files in a folder.
pub fn bins(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "bin"))
                .collect()
        })
        .unwrap_or_default()
}
