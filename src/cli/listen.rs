//! What `carevault serve` and `carevault fleet serve` share before they
//! serve: the runtime, the bound listener, the line (or JSON) that says
//! where the page is, and the Ctrl-C that ends them.

use super::output::print_json;
use carevault_core::i18n::{t, Text};
use carevault_core::{Error, Result};
use serde_json::json;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Runs `serve` on a multi-threaded runtime once `listen` is bound and its
/// page announced: `{url, listen}` with `--json`, else `announce(url)`.
/// `serve` gets the listener, its address and a future that ends on
/// Ctrl-C.
pub fn run<S, F>(
    listen: SocketAddr,
    json: bool,
    announce: impl FnOnce(&str) -> Text,
    serve: S,
) -> Result<()>
where
    S: FnOnce(TcpListener, SocketAddr, CtrlC) -> F,
    F: Future<Output = Result<()>>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(t!("cli-serve-runtime-failed", err = &e)))?;
    rt.block_on(async {
        let listener = TcpListener::bind(listen).await.map_err(|e| {
            let what = t!("cli-doing-listening", addr = listen.to_string());
            Error::io(what, "", e)
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(t!("cli-doing-reading-address"), "", e))?;
        // A wildcard address is reached on this machine through loopback.
        let shown = if addr.ip().is_unspecified() {
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        let url = format!("http://{shown}/");
        if json {
            print_json(&json!({ "url": url, "listen": addr.to_string() }));
        } else {
            println!("{}", announce(&url));
        }
        serve(listener, addr, CtrlC).await
    })
}

/// Ends when the process gets Ctrl-C (SIGINT).
pub struct CtrlC;

impl CtrlC {
    pub async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
