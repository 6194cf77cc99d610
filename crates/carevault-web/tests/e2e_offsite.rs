//! Browser test of offsite copies in the Backup Explorer: the "Offsite"
//! column and "Copy offsite now", against a real S3 server (s3s-fs on
//! loopback). Screenshots: `explorer-offsite-pending`,
//! `explorer-offsite-copied` (docs/SCREENS.md).

mod e2e_support;
#[allow(dead_code)]
#[path = "../../../tests/offsite/servers.rs"]
mod servers;

use carevault_core::media::Medium;
use e2e_support::{tools, Browser, Clinic, Server};
use servers::{AK, BUCKET, SK};

fn configure_offsite(home: &std::path::Path, endpoint: &str) {
    let p = home.join("carevault.toml");
    let mut profile = std::fs::read_to_string(&p).unwrap();
    profile.push_str(&format!(
        "\n[offsite]\nendpoint = \"{endpoint}\"\nbucket = \"{BUCKET}\"\nprefix = \"tablets/web-e2e/\"\n"
    ));
    std::fs::write(&p, profile).unwrap();
    let cred = home.join("private/offsite-credentials");
    std::fs::write(&cred, format!("{AK}\n{SK}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[tokio::test]
async fn nurse_sees_offsite_column_and_copies_offsite_now() {
    let Some(tools) = tools() else { return };
    let Some(s3) = servers::s3s_fs("browser copy offsite now") else {
        return;
    };
    let clinic = Clinic::demo();
    clinic.backup("nurse", Medium::Private, "Before the offsite copy");
    configure_offsite(&clinic.home, &s3.endpoint());
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    b.open("").await;
    b.login("nurse").await;
    b.open("#/backups").await;
    b.wait_testid("cell-offsite").await;
    assert_eq!(b.text("cell-offsite").await.trim(), "Pending");
    let head = b
        .js("return [...document.querySelectorAll('#backups-table thead th')].map(t => t.textContent)")
        .await;
    assert_eq!(
        head[head.as_array().unwrap().len() - 2],
        "Offsite",
        "{head}"
    );
    b.screenshots("explorer-offsite-pending").await;

    b.click("copy-offsite").await;
    b.wait_js(
        "document.querySelector('[data-testid=\"cell-offsite\"]') && \
         document.querySelector('[data-testid=\"cell-offsite\"]').textContent.trim() === 'Copied'",
        "the row marked Copied",
    )
    .await;
    assert!(
        b.exists("[data-testid=\"copy-offsite\"][disabled]").await,
        "nothing left to copy"
    );
    b.screenshots("explorer-offsite-copied").await;

    b.close().await;
    server.stop().await;
}
