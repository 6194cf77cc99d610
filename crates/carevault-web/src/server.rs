//! The connection loop: hyper's HTTP/1 server with a header-read timeout
//! (a client that sends half a request head is cut off), at most
//! `max_connections` connections at once (the next ones wait in the
//! listen queue until one ends), and a graceful shutdown.
//!
//! `axum::serve` exposes neither the header-read timeout nor a connection
//! cap, so the loop is written here from hyper and hyper-util's pieces;
//! everything above the connection (routes, timeouts of requests, body
//! limits) is the router's.

use crate::Limits;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Largest request head (request line and headers), in bytes: 431 beyond.
const MAX_HEAD: usize = 64 * 1024;

/// How long the shutdown waits for connections still open.
const DRAIN: Duration = Duration::from_secs(10);

/// Accepts connections on `listener` and serves `app` on each until
/// `shutdown` completes; then lets the open ones finish (at most [`DRAIN`]).
pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let header_timeout = limits.header_timeout;
    tokio::spawn(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.expect("never closed"),
            _ = until_stopped(&mut stopped) => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                // A failed accept (the client already left, too many open
                // files) is about that one connection: go on.
                Err(e) => {
                    // Pause briefly so that running out of file handles
                    // does not turn into a busy loop.
                    eprintln!("carevault serve: a connection could not be accepted: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = until_stopped(&mut stopped) => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_header_size(MAX_HEAD);
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Errors here are a client's (it left, it was too slow): the
            // connection is closed and nothing else is affected.
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}

/// Ends once the server's shutdown flag turns true.
async fn until_stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
