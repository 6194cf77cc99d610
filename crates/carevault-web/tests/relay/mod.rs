//! A loopback TCP relay in front of a server that a test can hold: once
//! the clients have sent `hold_after` bytes through it, it passes nothing
//! more from them until the test releases it. A test seam for "while an
//! upload is under way": the upload stops mid-way, for as long as the test
//! needs, without any timing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Relay {
    pub port: u16,
    /// Turns true once the relay holds the clients' bytes.
    holding: watch::Receiver<bool>,
    /// Set to true to pass everything again.
    release: Arc<watch::Sender<bool>>,
    holding_tx: Arc<watch::Sender<bool>>,
    /// Bytes the clients sent, and the mark past which they are held.
    sent: Arc<AtomicU64>,
    mark: Arc<AtomicU64>,
    /// Set: every connection that sends bytes is closed instead (counted
    /// in `cuts`), as a store that cannot be reached.
    cut: Arc<AtomicBool>,
    cuts: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// A relay on 127.0.0.1 to `upstream` (a loopback port).
    pub async fn start(upstream: u16, hold_after: u64) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (holding_tx, holding) = watch::channel(false);
        let holding_tx = Arc::new(holding_tx);
        let release = Arc::new(watch::channel(false).0);
        let sent = Arc::new(AtomicU64::new(0));
        let mark = Arc::new(AtomicU64::new(hold_after));
        let cut = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicU64::new(0));
        let (cut0, cuts0) = (cut.clone(), cuts.clone());
        let rel = release.clone();
        let (sent0, mark0, holding0) = (sent.clone(), mark.clone(), holding_tx.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let up = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                let (cr, cw) = client.into_split();
                let (ur, uw) = up.into_split();
                tokio::spawn(pipe(ur, cw));
                let (sent, holding_tx, release) = (sent.clone(), holding_tx.clone(), rel.clone());
                let mark = mark.clone();
                let (cut, cuts) = (cut.clone(), cuts.clone());
                tokio::spawn(async move {
                    let mut cr = cr;
                    let mut uw = uw;
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let before = sent.fetch_add(n as u64, Ordering::SeqCst);
                        let hold_after = mark.load(Ordering::SeqCst);
                        if before + n as u64 >= hold_after && !*release.borrow() {
                            // Pass what reaches the mark, hold the rest.
                            let pass = hold_after.saturating_sub(before).min(n as u64) as usize;
                            if uw.write_all(&buf[..pass]).await.is_err() {
                                break;
                            }
                            holding_tx.send_replace(true);
                            let mut r = release.subscribe();
                            let _ = r.wait_for(|go| *go).await;
                            if cut.load(Ordering::SeqCst) {
                                cuts.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            if uw.write_all(&buf[pass..n]).await.is_err() {
                                break;
                            }
                            continue;
                        }
                        if cut.load(Ordering::SeqCst) {
                            cuts.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        if uw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = uw.shutdown().await;
                });
            }
        });
        Relay {
            port,
            holding,
            release,
            holding_tx: holding0,
            sent: sent0,
            mark: mark0,
            cut: cut0,
            cuts: cuts0,
            task,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Returns once the relay holds the clients' bytes.
    pub async fn held(&self) {
        let mut h = self.holding.clone();
        let _ = h.wait_for(|held| *held).await;
    }

    /// Holds again from now: the clients' next bytes wait until
    /// [`Relay::release`].
    #[allow(dead_code)]
    pub fn hold_now(&self) {
        self.holding_tx.send_replace(false);
        self.release.send_replace(false);
        self.mark
            .store(self.sent.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// From now on (and for held bytes when released), closes every
    /// connection that sends bytes, without passing them on.
    #[allow(dead_code)]
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }

    /// The connections [`Relay::cut`] has closed: one per request tried.
    #[allow(dead_code)]
    pub fn cuts(&self) -> u64 {
        self.cuts.load(Ordering::SeqCst)
    }

    /// Passes everything from now on.
    pub fn release(&self) {
        self.release.send_replace(true);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf) {
    let _ = tokio::io::copy(&mut from, &mut to).await;
    let _ = to.shutdown().await;
}
