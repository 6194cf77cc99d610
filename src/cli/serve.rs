//! `carevault serve`: the Backup Explorer on a local address until Ctrl-C.

use super::args::ServeArgs;
use super::output::print_json;
use carevault_core::{Error, Result};
use carevault_web::{serve, ServerConfig, DEFAULT_AUTO_CHECK};
use serde_json::json;

pub fn run(args: &ServeArgs, json: bool) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("the server runtime could not start: {e}")))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Error::io(&format!("listening on {}", args.listen), "", e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("reading the listening address", "", e))?;
        let shown = if addr.ip().is_unspecified() {
            std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        let url = format!("http://{shown}/");
        if json {
            print_json(&json!({ "url": url, "listen": addr.to_string() }));
        } else {
            println!("Backup Explorer: {url}  (Ctrl-C to stop)");
        }
        if !addr.ip().is_loopback() {
            eprintln!(
                "warning: listening on {addr}: other devices on the network can reach the Backup Explorer"
            );
        }
        let mut config = ServerConfig::new(args.home.home.clone());
        config.max_upload = args.max_upload;
        config.auto_interval = Some(DEFAULT_AUTO_CHECK);
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        serve(listener, config, ctrl_c)
            .await
            .map_err(|e| Error::io("serving the Backup Explorer", &args.home.home, e))
    })
}
