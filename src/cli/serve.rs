//! `carevault serve`: the Backup Explorer on a local address until Ctrl-C.

use super::args::ServeArgs;
use super::output::print_json;
use carevault_core::i18n::t;
use carevault_core::{Error, Result};
use carevault_web::{serve, ServerConfig, DEFAULT_AUTO_CHECK};
use serde_json::json;

pub fn run(args: &ServeArgs, json: bool) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(t!("cli-serve-runtime-failed", err = &e)))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| {
                let what = t!("cli-doing-listening", addr = args.listen.to_string());
                Error::io(what, "", e)
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(t!("cli-doing-reading-address"), "", e))?;
        let shown = if addr.ip().is_unspecified() {
            std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        let url = format!("http://{shown}/");
        if json {
            print_json(&json!({ "url": url, "listen": addr.to_string() }));
        } else {
            println!("{}", t!("cli-serve-url", url = &url));
        }
        if !addr.ip().is_loopback() {
            eprintln!("{}", t!("cli-serve-not-loopback", addr = addr.to_string()));
        }
        let mut config = ServerConfig::new(args.home.home.clone());
        config.max_upload = args.max_upload;
        config.auto_interval = Some(DEFAULT_AUTO_CHECK);
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        serve(listener, config, ctrl_c)
            .await
            .map_err(|e| Error::io(t!("cli-doing-serving"), &args.home.home, e))
    })
}
