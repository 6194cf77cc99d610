//! `carevault serve`: the Backup Explorer on a local address until Ctrl-C.

use super::args::ServeArgs;
use carevault_core::i18n::t;
use carevault_core::{Error, Result};
use carevault_web::{serve, ServerConfig, DEFAULT_AUTO_CHECK};

pub fn run(args: &ServeArgs, json: bool) -> Result<()> {
    super::listen::run(
        args.listen,
        json,
        |url| t!("cli-serve-url", url = url),
        |listener, addr, ctrl_c| async move {
            if !addr.ip().is_loopback() {
                eprintln!("{}", t!("cli-serve-not-loopback", addr = addr.to_string()));
            }
            let mut config = ServerConfig::new(args.home.home.clone());
            config.max_upload = args.max_upload;
            config.auto_interval = Some(DEFAULT_AUTO_CHECK);
            serve(listener, config, ctrl_c.wait())
                .await
                .map_err(|e| Error::io(t!("cli-doing-serving"), &args.home.home, e))
        },
    )
}
