//! Real S3 servers for the offsite tests, started on 127.0.0.1 on a free
//! port: s3s-fs (strict SigV4 and Content-MD5, no ListParts) and the moto
//! server (ListParts, IAM policies). `.ci/run` installs both under
//! /opt/carevault-test; `CAREVAULT_S3S_FS` / `CAREVAULT_MOTO_SERVER` point
//! elsewhere. With `CI` set a missing server fails the test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BUCKET: &str = "clinic-offsite";
pub const AK: &str = "carevaulttestkey";
pub const SK: &str = "carevault-test-secret-0123456789";

pub struct Server {
    child: Child,
    pub port: u16,
    _root: Option<tempfile::TempDir>,
    /// The moto venv's python (moto only), for admin steps through boto3.
    pub python: Option<PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// s3s-fs only: the folder it keeps the buckets in (each object is the
    /// file `<root>/<bucket>/<key>`).
    #[allow(dead_code)]
    pub fn root(&self) -> Option<&std::path::Path> {
        self._root.as_ref().map(|r| r.path())
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find(test: &str, env: &str, default: &str, what: &str) -> Option<PathBuf> {
    let p = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    if p.is_file() {
        return Some(p);
    }
    let msg = format!(
        "{test}: {what} is not installed at {} (set {env}, or run the install step of .ci/run)",
        p.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{msg}");
    eprintln!("{msg}; skipped outside CI");
    None
}

/// Polls with a plain HTTP request until the server answers (any status).
fn wait_ready(port: u16, child: &mut Child, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{name} exited before it was ready: {st}");
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let req =
                format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
            let mut buf = [0u8; 12];
            if s.write_all(req.as_bytes()).is_ok()
                && s.read_exact(&mut buf).is_ok()
                && buf.starts_with(b"HTTP/1.")
            {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not answer within 120 s"
        );
        // Between two polls of the port (the server is still starting).
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn s3s_fs(test: &str) -> Option<Server> {
    let bin = find(
        test,
        "CAREVAULT_S3S_FS",
        "/opt/carevault-test/bin/s3s-fs",
        "s3s-fs",
    )?;
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(BUCKET)).unwrap();
    let port = free_port();
    let mut child = Command::new(bin)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            AK,
            "--secret-key",
            SK,
        ])
        .arg(root.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start s3s-fs");
    wait_ready(port, &mut child, "s3s-fs");
    Some(Server {
        child,
        port,
        _root: Some(root),
        python: None,
    })
}

/// moto; with `enforce_after = Some(n)`, IAM is enforced after n calls
/// (INITIAL_NO_AUTH_ACTION_COUNT).
pub fn moto(test: &str, enforce_after: Option<u32>) -> Option<Server> {
    let bin = find(
        test,
        "CAREVAULT_MOTO_SERVER",
        "/opt/carevault-test/moto/bin/moto_server",
        "moto_server",
    )?;
    let python = bin.parent().unwrap().join("python");
    let port = free_port();
    let mut cmd = Command::new(&bin);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(n) = enforce_after {
        cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", n.to_string());
    }
    let mut child = cmd.spawn().expect("start moto_server");
    wait_ready(port, &mut child, "moto");
    // The readiness poll itself counts as one unauthenticated call.
    Some(Server {
        child,
        port,
        _root: None,
        python: Some(python),
    })
}

/// Runs a boto3 script against the moto server (admin steps); returns its
/// standard output.
pub fn boto(server: &Server, script: &str) -> String {
    let prelude = format!(
        "import boto3, json\nkw = dict(endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\ns3 = boto3.client('s3', **kw)\niam = boto3.client('iam', **kw)\n",
        server.endpoint()
    );
    let out = Command::new(server.python.as_ref().expect("moto"))
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "boto3 script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
