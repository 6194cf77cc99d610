//! A loopback proxy between carevault and an S3 server that reads each
//! request's head, reports it on a channel, and can cut the connection in
//! the middle of a body or right after one, answer an error itself, or
//! flip a byte of a body. The tests wait on its events, never on time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Forward this many bytes of the body, then cut both connections.
    CutMidBody(usize),
    /// Forward the whole request, then cut before the answer comes back.
    CutAfterBody,
    /// Answer with this status and S3 error code instead of the server.
    Respond(u16, &'static str),
    /// Flip the first byte of the body.
    Corrupt,
    /// Forward nothing of this request: swallow what the client sends
    /// until it goes away (a link that hangs; the test kills the client).
    Stall,
}

pub struct Rule {
    pub method: &'static str,
    /// A piece of the request target (path and query) it must contain.
    pub target: &'static str,
    /// How many matching requests it applies to.
    pub times: usize,
    pub fault: Fault,
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// The whole request head (request line and headers).
    pub head: String,
    pub fault: Option<String>,
}

pub struct Proxy {
    pub port: u16,
    pub events: Receiver<Seen>,
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl Proxy {
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = channel();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let r = rules.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let (tx, r) = (tx.clone(), r.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, tx, r);
                });
            }
        });
        Proxy {
            port,
            events: rx,
            rules,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn add(&self, rule: Rule) {
        self.rules.lock().unwrap().push(rule);
    }

    /// Every event so far.
    pub fn drain(&self) -> Vec<Seen> {
        self.events.try_iter().collect()
    }
}

fn pick(rules: &Mutex<Vec<Rule>>, method: &str, target: &str) -> Option<Fault> {
    let mut rules = rules.lock().unwrap();
    let r = rules
        .iter_mut()
        .find(|r| r.times > 0 && r.method == method && target.contains(r.target))?;
    r.times -= 1;
    Some(r.fault)
}

fn serve(
    client: TcpStream,
    upstream: u16,
    tx: Sender<Seen>,
    rules: Arc<Mutex<Vec<Rule>>>,
) -> std::io::Result<()> {
    let up = TcpStream::connect(("127.0.0.1", upstream))?;
    let writer = Arc::new(Mutex::new(client.try_clone()?));
    {
        let (mut up_r, w) = (up.try_clone()?, writer.clone());
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 << 10];
            while let Ok(n) = up_r.read(&mut buf) {
                if n == 0 || w.lock().unwrap().write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            let _ = w.lock().unwrap().shutdown(Shutdown::Write);
        });
    }
    let mut up_w = up.try_clone()?;
    let mut reader = BufReader::new(client.try_clone()?);
    let cut = |a: &TcpStream, b: &TcpStream| {
        let _ = a.shutdown(Shutdown::Both);
        let _ = b.shutdown(Shutdown::Both);
    };
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line)? == 0 {
                let _ = up.shutdown(Shutdown::Write);
                return Ok(());
            }
            head.extend_from_slice(&line);
            if line == b"\r\n" {
                break;
            }
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let first = text.lines().next().unwrap_or("");
        let mut parts = first.split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let len: usize = text
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let fault = pick(&rules, &method, &target);
        let _ = tx.send(Seen {
            method: method.clone(),
            target: target.clone(),
            head: text.clone(),
            fault: fault.map(|f| format!("{f:?}")),
        });
        let mut body = vec![0u8; len];
        match fault {
            Some(Fault::CutMidBody(n)) => {
                let n = n.min(len);
                reader.read_exact(&mut body[..n])?;
                up_w.write_all(&head)?;
                up_w.write_all(&body[..n])?;
                cut(&client, &up);
                return Ok(());
            }
            Some(Fault::Stall) => {
                let mut sink = [0u8; 64 << 10];
                while reader.read(&mut sink).map(|n| n > 0).unwrap_or(false) {}
                cut(&client, &up);
                return Ok(());
            }
            Some(Fault::Respond(status, code)) => {
                reader.read_exact(&mut body)?;
                let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected by the test proxy</Message></Error>");
                let resp = format!(
                    "HTTP/1.1 {status} Injected\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{xml}",
                    xml.len()
                );
                writer.lock().unwrap().write_all(resp.as_bytes())?;
                continue;
            }
            _ => {}
        }
        reader.read_exact(&mut body)?;
        if matches!(fault, Some(Fault::Corrupt)) && !body.is_empty() {
            body[0] ^= 0xff;
        }
        up_w.write_all(&head)?;
        up_w.write_all(&body)?;
        if matches!(fault, Some(Fault::CutAfterBody)) {
            // Cut before the answer can come back (the server may or may
            // not have kept the part: the client cannot know either way).
            let _ = client.shutdown(Shutdown::Both);
            let _ = up.shutdown(Shutdown::Write);
            return Ok(());
        }
    }
}
