//! Browser test of offsite copies in the Backup Explorer: the "Offsite"
//! column and "Copy offsite now", against a real S3 server (s3s-fs on
//! loopback), and "Restore from offsite" on the first-run screen.
//! Screenshots: `explorer-offsite-pending`, `explorer-offsite-copied`,
//! `first-run-offsite-choice`, `first-run-offsite-list`,
//! `first-run-offsite-downloaded` (docs/SCREENS.md).

use crate::{e2e_support, servers};

use carevault_core::media::Medium;
use e2e_support::{tools, Browser, Clinic, Server, PASSPHRASE};
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

#[tokio::test]
async fn administrator_restores_a_replacement_tablet_from_offsite() {
    let Some(tools) = tools() else { return };
    let Some(s3) = servers::s3s_fs("browser restore from offsite") else {
        return;
    };
    // The lost tablet copied its backup offsite.
    let lost = Clinic::demo();
    let made = lost.backup("manager", Medium::Private, "Kibera weekly");
    configure_offsite(&lost.home, &s3.endpoint());
    let store =
        carevault_offsite::S3Store::new(&carevault_offsite::Config::for_home(&lost.home).unwrap())
            .unwrap();
    let id = carevault_core::catalog::id_of(&made.path).unwrap();
    carevault_offsite::push::push_one(
        &lost.home,
        &store,
        &made.path,
        &id,
        &carevault_core::NoProgress,
    )
    .unwrap();

    let fresh = Clinic::empty();
    let server = Server::start(&fresh.home).await;
    let b = Browser::start(&tools, &server.url).await;
    b.open("").await;
    b.wait_testid("choose-offsite").await;
    b.screenshots("first-run-offsite-choice").await;
    b.click("choose-offsite").await;
    b.wait_testid("offsite-form").await;
    b.type_into("offsite-endpoint", &s3.endpoint()).await;
    b.type_into("offsite-bucket", BUCKET).await;
    b.type_into("offsite-prefix", "tablets/web-e2e/").await;
    b.type_into("offsite-access-key", AK).await;
    b.type_into("offsite-secret-key", SK).await;
    b.click("offsite-list-submit").await;
    let row = b.wait_testid("offsite-backup").await;
    assert!(row.text().await.unwrap().contains("Kibera weekly"));
    b.screenshots("first-run-offsite-list").await;
    assert!(
        !fresh.home.join("private/offsite-credentials").exists(),
        "not saved: the box was not ticked"
    );

    watch_download(&b).await;
    b.click("offsite-download").await;
    let listed = b.wait_testid("candidates").await.text().await.unwrap();
    assert!(listed.contains("Kibera weekly"), "{listed}");
    let seen = b.js("return window.__offsiteSeen").await;
    assert_eq!(
        seen["max"], 100,
        "the download's progress reached 100%: {seen}"
    );
    b.screenshots("first-run-offsite-downloaded").await;

    // Restored as any backup in Documents.
    b.click("candidate").await;
    b.type_into("first-run-passphrase", PASSPHRASE).await;
    b.click("start-restore").await;
    b.wait_testid("restore-report").await;
    assert!(b.text("restored-label").await.contains("Kibera weekly"));
    b.click("continue-login").await;
    b.wait_testid("login-form").await;
    b.login("manager").await;
    b.wait_testid("backups-table").await;
    b.close().await;
    server.stop().await;
}

/// Records the highest percentage the download's progress box showed (it
/// is gone once the page moves on to the restore screen).
async fn watch_download(b: &Browser) {
    b.js("window.__offsiteSeen = { max: -1 };
          new MutationObserver(() => {
            const box = document.querySelector('[data-testid=\"offsite-download-progress\"]');
            if (box) window.__offsiteSeen.max = Math.max(window.__offsiteSeen.max, Number(box.getAttribute('data-percent')));
          }).observe(document.body, { subtree: true, childList: true, attributes: true });
          return true;")
        .await;
}
