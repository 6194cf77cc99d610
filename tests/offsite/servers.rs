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

/// Longer than anything a loaded machine explains: only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// The inodes of the sockets listening on 127.0.0.1:`port` (/proc/net/tcp,
/// state 0A).
fn listening_sockets(port: u16) -> Vec<String> {
    let local = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 9 && f[1] == local && f[3] == "0A").then(|| f[9].to_string())
        })
        .collect()
}

/// True when process `pid` holds one of the socket inodes `sockets`.
fn holds_socket(pid: u32, sockets: &[String]) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .any(|t| {
            let t = t.to_string_lossy();
            sockets.iter().any(|i| t == format!("socket:[{i}]"))
        })
}

/// Waits for the readiness event: `child` itself listens on the port (seen
/// in /proc, so never another program that took the port), then answers a
/// plain HTTP request (any status). `Err` when the child exited first (the
/// port was taken between `free_port` and its bind: the caller tries
/// another). The deadline only guards against a hang.
fn wait_ready(port: u16, child: &mut Child, name: &str) -> Result<(), std::process::ExitStatus> {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            return Err(st);
        }
        if holds_socket(child.id(), &listening_sockets(port)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not listen on port {port} within {HANG_GUARD:?}"
        );
        // Between two looks at /proc (the server is still starting).
        std::thread::sleep(Duration::from_millis(10));
    }
    // It listens: the kernel queues the connection until the server
    // accepts it, and the answer is the event (a long read timeout guards
    // against a hang only).
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to a listening server");
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let req = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes())
        .expect("send the readiness request");
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf)
        .unwrap_or_else(|e| panic!("{name} listens but did not answer: {e}"));
    assert!(buf.starts_with(b"HTTP/1."), "{name} answered {buf:?}");
    Ok(())
}

/// Starts a server on a free port with `start(port)`, trying another port
/// when the chosen one was taken before the server could bind it.
fn start_on_free_port(name: &str, mut start: impl FnMut(u16) -> Child) -> (Child, u16) {
    let mut exits = Vec::new();
    for _ in 0..5 {
        let port = free_port();
        let mut child = start(port);
        match wait_ready(port, &mut child, name) {
            Ok(()) => return (child, port),
            Err(st) => exits.push(format!("port {port}: {st}")),
        }
    }
    panic!("{name} exited before it was ready, five times: {exits:?}");
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
    let (child, port) = start_on_free_port("s3s-fs", |port| {
        Command::new(&bin)
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
            .expect("start s3s-fs")
    });
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
    let (child, port) = start_on_free_port("moto", |port| {
        let mut cmd = Command::new(&bin);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(n) = enforce_after {
            cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", n.to_string());
        }
        cmd.spawn().expect("start moto_server")
    });
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
