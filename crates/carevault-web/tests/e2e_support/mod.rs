//! The harness of the browser tests: a demo clinic, the real server on a
//! loopback port, and headless Chromium driven through chromedriver
//! (WebDriver) with fantoccini.
//!
//! Chromium and chromedriver come from the Debian packages `chromium` and
//! `chromium-driver`. Without them the tests fail when `CI` is set and are
//! skipped with a notice otherwise.
#![allow(dead_code)]

use carevault_core::auth::{self, Create};
use carevault_core::backup::{self, BackupOutcome, BackupRequest, Target};
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::{NoProgress, SecretString};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::TcpListener as StdListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Passphrase of the backups the tests make.
pub const PASSPHRASE: &str = "river lantern copper meadow";

/// How long a wait for the page (or the server) may take before the test
/// fails: a hang guard, not a measure. Generous: CI machines have 2 cores,
/// may be loaded, and run the tests in parallel.
pub const WAIT: Duration = Duration::from_secs(120);

/// The Chromium flags the machine notes ask for (no background network:
/// the machine has no internet and refuses those connections).
const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
];

// ------------------------------------------------------------------ tools

/// Where the browser and its driver are.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

fn find(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser and driver, or `None` (with a notice) when they are not
/// installed and `CI` is not set. Under `CI` a missing tool fails the test.
pub fn tools() -> Option<Tools> {
    let chromium = find("CAREVAULT_CHROMIUM", &["chromium", "chromium-browser"]);
    let chromedriver = find("CAREVAULT_CHROMEDRIVER", &["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        (a, b) => {
            let missing = [("chromium", a.is_none()), ("chromium-driver", b.is_none())]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(" and ");
            let message = format!(
                "the browser tests need headless Chromium and its WebDriver: install the Debian \
                 packages `chromium` and `chromium-driver` (missing: {missing}), e.g. \
                 `apt-get install -y chromium chromium-driver`; or point CAREVAULT_CHROMIUM and \
                 CAREVAULT_CHROMEDRIVER at them"
            );
            if std::env::var_os("CI").is_some() {
                panic!("{message}");
            }
            eprintln!("notice: skipping a browser test: {message}");
            None
        }
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

// ----------------------------------------------------------------- clinic

/// The shared demo clinic (`carevault_testkit::Clinic`: a temporary app
/// home with a fast scrypt work factor, external media only under its
/// temporary folder), with the browser tests' backups.
pub struct Clinic(pub carevault_testkit::Clinic);

impl std::ops::Deref for Clinic {
    type Target = carevault_testkit::Clinic;
    fn deref(&self) -> &carevault_testkit::Clinic {
        &self.0
    }
}

impl Clinic {
    /// A demo clinic (demo users admin, manager, nurse, staff).
    pub fn demo() -> Clinic {
        Clinic(carevault_testkit::Clinic::demo(300, 3, 7))
    }

    /// An app home with no clinic data: the reinstall case (first run).
    pub fn empty() -> Clinic {
        Clinic(carevault_testkit::Clinic::empty())
    }

    /// Makes an encrypted backup with the library (as `user`).
    pub fn backup(&self, user: &str, medium: Medium, label: &str) -> BackupOutcome {
        let permit =
            auth::permit::<Create>(&self.home, user, &format!("{user}-demo-pass")).expect("login");
        let profile = Profile::load(&self.home).expect("profile");
        let mut req = BackupRequest::new(&profile, Target::Medium(medium));
        req.label = Some(label.to_string());
        req.passphrase = Some(SecretString::from(PASSPHRASE.to_string()));
        backup::create(&permit, &req, &NoProgress).expect("backup")
    }
}

// ----------------------------------------------------------------- server

/// The real server (`carevault_web::serve`) on 127.0.0.1, port 0.
pub struct Server {
    pub url: String,
    /// The schedule's handle (a test seam): await its checks.
    pub scheduler: carevault_web::Scheduler,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    pub async fn start(home: &Path) -> Server {
        Server::start_with(home, None).await
    }

    /// With the automatic-backup schedule of `carevault serve` (checked
    /// every 5 minutes, the first check at start).
    pub async fn start_scheduled(home: &Path) -> Server {
        Server::start_with(home, Some(carevault_web::DEFAULT_AUTO_CHECK)).await
    }

    async fn start_with(home: &Path, auto: Option<Duration>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = carevault_web::ServerConfig::new(home);
        config.auto_interval = auto;
        let scheduler = config.scheduler.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(carevault_web::serve(listener, config, async move {
            let _ = rx.await;
        }));
        Server {
            url,
            scheduler,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Waits until the schedule has ended `n` checks (the first runs at
    /// start), with [`WAIT`] as a hang guard.
    pub async fn schedule_checks(&self, n: u64) -> u64 {
        tokio::time::timeout(WAIT, self.scheduler.wait_for_checks(n))
            .await
            .expect("the schedule's checks end")
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            // Event streams end on shutdown; do not wait forever regardless
            // (WAIT is a hang guard: the server drains for at most 10 s).
            let _ = tokio::time::timeout(WAIT, task).await;
        }
    }
}

// ---------------------------------------------------------------- browser

impl Drop for Browser {
    /// Ends chromedriver and whatever it started (its process group), also
    /// when a test panics before `close`.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// chromedriver on a free port and one headless Chromium session.
pub struct Browser {
    pub c: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    pub base: String,
}

impl Browser {
    pub async fn start(tools: &Tools, base: &str) -> Browser {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("carevault-chromedriver-{port}.log"));
        // Its own process group, so that Chromium (its child) can be ended
        // with it even when a test fails half-way.
        let driver = Command::new(&tools.chromedriver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.chromedriver.display()));
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push("--window-size=1280,800".into());
        args.push("--lang=en-US".into());
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": args,
            },
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver listens once it has started: retry until then (a hang
        // guard of WAIT, for a loaded machine).
        let deadline = Instant::now() + WAIT;
        let c = loop {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                Err(e) => panic!(
                    "cannot start a Chromium session through chromedriver ({e}); its log: {}",
                    log.display()
                ),
            }
        };
        let b = Browser {
            c,
            driver,
            _profile: profile,
            base: base.to_string(),
        };
        b.resize(1280, 800).await;
        b
    }

    /// Checks that the page's own code never failed, then ends the session
    /// (Chromium quits); the driver ends on drop.
    pub async fn close(self) {
        let faults = self
            .js("return document.body.dataset.pageErrors || '0'")
            .await;
        let _ = self.c.clone().close().await;
        assert_eq!(
            faults, "0",
            "the page's script failed (see the page-error banner)"
        );
    }

    pub async fn open(&self, hash: &str) {
        self.c
            .goto(&format!("{}/{hash}", self.base))
            .await
            .expect("open the page");
    }

    /// Sets the viewport (not the window) to `w` x `h` CSS pixels.
    pub async fn resize(&self, w: u32, h: u32) {
        self.c.set_window_size(w, h).await.expect("window size");
        let inner = self
            .js("return [window.innerWidth, window.innerHeight]")
            .await;
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(0),
            inner[1].as_u64().unwrap_or(0),
        );
        if (iw, ih) != (u64::from(w), u64::from(h)) && iw > 0 && ih > 0 {
            let ww = (i64::from(w) + (i64::from(w) - iw as i64)).max(100) as u32;
            let wh = (i64::from(h) + (i64::from(h) - ih as i64)).max(100) as u32;
            self.c.set_window_size(ww, wh).await.expect("window size");
        }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.c
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed ({e}): {script}"))
    }

    /// Runs an async script: `done` is the callback that returns its value.
    pub async fn js_async(&self, body: &str) -> Value {
        let script = format!("const done = arguments[arguments.length - 1]; {body}");
        self.c
            .execute_async(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("async script failed ({e}): {body}"))
    }

    /// Waits until the JavaScript expression `cond` is truthy: polls the
    /// page (a WebDriver wait) for at most [`WAIT`], a hang guard.
    pub async fn wait_js(&self, cond: &str, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(&format!("return Boolean({cond});")).await;
            if v == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.js("return document.body.innerText").await;
                let html = self
                    .js("return document.getElementById('main').outerHTML")
                    .await;
                let shot = std::env::temp_dir()
                    .join(format!("carevault-e2e-failed-{}.png", std::process::id()));
                if let Ok(png) = self.c.screenshot().await {
                    let _ = std::fs::write(&shot, png);
                }
                panic!(
                    "timed out waiting for {what} ({cond}); the page says:\n{}\n\nits HTML:\n{}\n\nscreenshot: {}",
                    text.as_str().unwrap_or(""),
                    html.as_str().unwrap_or(""),
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a displayed element with `data-testid`.
    pub async fn wait_testid(&self, id: &str) -> Element {
        self.wait_js(
            &format!(
                "(() => {{ const e = document.querySelector('[data-testid=\"{id}\"]'); \
                 return e && e.getClientRects().length > 0; }})()"
            ),
            &format!("[data-testid={id}]"),
        )
        .await;
        self.testid(id).await
    }

    pub async fn testid(&self, id: &str) -> Element {
        self.c
            .find(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no [data-testid={id}]: {e}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.js(&format!(
            "return document.querySelector({}) !== null",
            json!(css)
        ))
        .await
            == Value::Bool(true)
    }

    pub async fn text(&self, id: &str) -> String {
        self.testid(id).await.text().await.expect("text")
    }

    pub async fn click(&self, id: &str) {
        self.wait_testid(id).await.click().await.expect("click");
    }

    pub async fn type_into(&self, id: &str, text: &str) {
        let e = self.wait_testid(id).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Logs in through the login form.
    pub async fn login(&self, user: &str) {
        self.open("#/login").await;
        self.type_into("login-username", user).await;
        self.type_into("login-password", &format!("{user}-demo-pass"))
            .await;
        self.click("login-submit").await;
        self.wait_js(
            "document.querySelector('[data-testid=\"who\"]') && \
             !document.querySelector('[data-testid=\"who\"]').hidden",
            "the logged-in app shell",
        )
        .await;
    }

    /// Waits for the current screen to be rendered and settled.
    pub async fn settle(&self) {
        self.wait_js(
            "document.readyState === 'complete' && !document.querySelector('[aria-busy=\"true\"]') \
             && !document.querySelector('#view .loading')",
            "the screen to finish loading",
        )
        .await;
        self.transitions_done().await;
    }

    /// Waits until the page's transitions and finite animations (progress
    /// bars, banners, the menu drawer) have ended; endless ones (a
    /// spinner) do not count.
    pub async fn transitions_done(&self) {
        self.wait_js(
            "document.getAnimations().every(a => a.playState !== 'running' \
             || a.effect === null || a.effect.getComputedTiming().iterations === Infinity)",
            "the screen's transitions to end",
        )
        .await;
    }

    /// Waits until the page has drawn two frames at the current size (a
    /// resize is laid out and painted before a screenshot).
    pub async fn painted(&self) {
        self.wait_js(
            "(() => { if (window.__cvFrames === undefined) { window.__cvFrames = 0; \
               requestAnimationFrame(() => requestAnimationFrame(() => { window.__cvFrames = 2; })); } \
               if (window.__cvFrames === 2) { delete window.__cvFrames; return true; } return false; })()",
            "the page to draw at its new size",
        )
        .await;
    }

    /// Screenshots of the current screen at 1280x800 and 360 px wide (the
    /// whole page height there, as a phone user scrolls through it).
    pub async fn screenshots(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        self.settle().await;
        self.resize(1280, 800).await;
        self.painted().await;
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}-1280x800.png")), png).unwrap();
        self.resize(360, 740).await;
        self.painted().await;
        let h = self
            .js("return Math.ceil(document.documentElement.scrollHeight)")
            .await
            .as_u64()
            .unwrap_or(740)
            .clamp(740, 4000) as u32;
        self.resize(360, h).await;
        self.painted().await;
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}-360.png")), png).unwrap();
        self.resize(1280, 800).await;
    }
}

impl Browser {
    /// One screenshot of the viewport at `w` x `h` (for states that exist
    /// at one size only, like the menu drawer of narrow screens).
    pub async fn screenshot_at(&self, name: &str, w: u32, h: u32) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        self.resize(w, h).await;
        self.transitions_done().await;
        self.painted().await;
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// `docs/screenshots/` when CAREVAULT_UPDATE_SCREENSHOTS is set (so that an
/// ordinary test run leaves the work tree unchanged), else a folder under
/// `target/`.
pub fn screenshot_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if std::env::var_os("CAREVAULT_UPDATE_SCREENSHOTS").is_some() {
        root.join("docs/screenshots")
    } else {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("e2e-screenshots")
    }
}

/// Today's date in the local time zone, as the page shows dates.
pub fn today_local() -> String {
    jiff::ZonedDateTime::now()
        .date()
        .strftime("%Y-%m-%d")
        .to_string()
}
