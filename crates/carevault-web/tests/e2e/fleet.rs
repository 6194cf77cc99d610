//! Browser test of the fleet page (`carevault fleet serve`) against a real
//! S3 server (s3s-fs on loopback) holding a small fleet: the device at risk
//! comes first, and a refresh after its new backup's sidecar and event
//! landed shows it safe; a name like markup stays text. Screenshots: `fleet-at-risk`, `fleet-refreshed`,
//! `fleet-fr` (docs/SCREENS.md).

use crate::fleet_fixture::*;
use crate::{e2e_support, servers};
use e2e_support::{tools, Browser};

/// The devices of the table, top to bottom.
async fn rows(b: &Browser) -> Vec<String> {
    let v = b
        .js("return [...document.querySelectorAll('[data-testid=\"device-row\"]')].map(r => r.dataset.device)")
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn implementer_sees_the_device_at_risk_first_and_a_refresh_shows_its_new_copy() {
    let Some(tools) = tools() else { return };
    let Some(s3) = servers::s3s_fs("browser fleet page") else {
        return;
    };
    let s = writer(&s3.endpoint());
    fill(&s);
    let page = FleetServer::start(&s3.endpoint(), None).await;
    let b = Browser::start(&tools, &page.url).await;
    b.open("").await;
    b.wait_js(
        "document.body.dataset.generation === '1'",
        "the fleet report",
    )
    .await;
    assert_eq!(
        rows(&b).await,
        ["mathare/dev2", "kibera-hc/dev1"],
        "at risk first"
    );
    assert_eq!(b.text("risk-title").await.trim(), "Devices at risk: 1");
    let item = b.text("risk-item").await;
    assert!(
        item.contains("mathare/dev2") && item.contains("days old"),
        "{item}"
    );
    b.screenshots("fleet-at-risk").await;

    // The tablet's new backup lands (sidecar, then status event); the page
    // shows it after a refresh, not before.
    new_backup_of_dev2(&s);
    b.click("refresh").await;
    b.wait_js(
        "document.body.dataset.generation === '2'",
        "the refreshed report",
    )
    .await;
    assert_eq!(rows(&b).await, ["kibera-hc/dev1", "mathare/dev2"]);
    assert!(
        !b.exists("[data-testid=\"risk-item\"]").await,
        "nobody at risk"
    );
    assert!(b.text("risk-title").await.contains("No device is at risk"));
    assert!(
        b.text("refreshed").await.contains("2 read"),
        "{}",
        b.text("refreshed").await
    );
    b.screenshots("fleet-refreshed").await;

    // In French, from the browser's language.
    crate::french::browser_in_french(&b).await;
    b.open("").await;
    b.wait_js(
        "document.documentElement.lang === 'fr' && document.body.dataset.ready === 'true'",
        "the French page",
    )
    .await;
    assert_eq!(
        b.text("refresh").await.trim(),
        "Actualiser depuis le compartiment"
    );
    assert!(b.text("risk-title").await.contains("Aucun appareil"));
    b.screenshots("fleet-fr").await;

    // Names from the bucket are text, never HTML: a backup object named
    // like markup (its upload did not finish, so the reason names it).
    let hostile = "<img src=x onerror=window.pwned=1>";
    s.put_bytes(&format!("mathare/dev3/backups/{hostile}.bin"), b"x")
        .unwrap();
    b.click("refresh").await;
    b.wait_js(
        "document.body.dataset.generation === '3'",
        "the report with the hostile name",
    )
    .await;
    assert_eq!(rows(&b).await[0], "mathare/dev3");
    let item = b.text("risk-item").await;
    assert!(item.contains(hostile), "shown as text: {item}");
    assert!(
        !b.exists("[data-testid=\"risk-list\"] img").await,
        "no element made from it"
    );
    assert_eq!(b.js("return window.pwned === undefined").await, true);

    b.close().await;
    page.stop().await;
}
