//! Browser test of "Import and restore" of a SanteDB `.bin` on the
//! first-run screen: an encrypted SanteDB fixture uploaded, a wrong SanteDB
//! passphrase refused with nothing changed, then the import, verification
//! and restore with the import's and the restore's reports. Same harness
//! and screenshots as `e2e.rs`.

use crate::{e2e_support, santedb_fixture};

use e2e_support::{tools, Browser, Clinic, Server};
use santedb_fixture::{santedb_bin, SANTEDB_PASS, SANTEDB_PATIENTS};

const NEW_PASS: &str = "Maple River Lantern 42";

async fn fill_passphrases(b: &Browser, santedb: &str) {
    b.type_into("santedb-passphrase", santedb).await;
    b.type_into("santedb-new-passphrase", NEW_PASS).await;
    b.type_into("santedb-new-passphrase2", NEW_PASS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_imports_and_restores_an_encrypted_santedb_backup_in_the_browser() {
    let Some(tools) = tools() else { return };
    let target = Clinic::empty();
    let fixture = target.root().join("santedb-20251229.bin");
    std::fs::write(&fixture, santedb_bin(target.root(), Some(SANTEDB_PASS))).unwrap();
    let server = Server::start(&target.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.open("").await;
    b.click("choose-restore").await;
    let input = b.wait_testid("upload-file").await;
    input
        .send_keys(fixture.to_str().unwrap())
        .await
        .expect("choose the file");
    // A SanteDB file: the import form, not the restore form; it asks the
    // SanteDB passphrase (the file is encrypted) and a new one.
    let info = b
        .wait_testid("santedb-file-info")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        info.contains("SanteDB backup") && info.contains("encrypted"),
        "{info}"
    );
    assert!(!b
        .testid("first-run-form")
        .await
        .is_displayed()
        .await
        .unwrap());
    assert!(b.exists("[data-testid=\"santedb-pass-field\"]").await);
    b.screenshots("santedb-import-form").await;

    // New passphrases that differ are caught on the page.
    b.type_into("santedb-passphrase", SANTEDB_PASS).await;
    b.type_into("santedb-new-passphrase", NEW_PASS).await;
    b.type_into("santedb-new-passphrase2", "something else")
        .await;
    b.click("santedb-start").await;
    b.wait_js(
        "document.getElementById('santedb-new-passphrase2-error').textContent.includes('differ')",
        "the mismatch message",
    )
    .await;

    // A wrong SanteDB passphrase: refused, nothing changed, the form again.
    fill_passphrases(&b, "Not-The-Pass").await;
    b.click("santedb-start").await;
    let failed = b.wait_testid("santedb-failed").await.text().await.unwrap();
    assert!(failed.contains("not accepted"), "{failed}");
    assert!(failed.contains("SanteDB passphrase"), "{failed}");
    assert!(b.testid("santedb-form").await.is_displayed().await.unwrap());
    assert!(!target.home.join("data").exists());
    assert!(
        !target.home.join("private/backups").exists()
            || std::fs::read_dir(target.home.join("private/backups"))
                .unwrap()
                .count()
                == 0
    );
    // The fields were emptied, and so was the strength hint.
    assert_eq!(b.text("pass-strength-text").await, "");
    b.screenshots("santedb-import-wrong-passphrase").await;

    // The right one: import, verify, restore, with progress, then both reports.
    fill_passphrases(&b, SANTEDB_PASS).await;
    b.click("santedb-start").await;
    b.wait_testid("restore-report").await;
    assert_eq!(b.text("progress-percent").await, "100%");
    let report = b.text("import-report").await;
    assert!(report.contains("SB\\x01BK"), "{report}");
    assert!(
        report.contains("data/santedb/clinical/santedb.sqlite"),
        "{report}"
    );
    assert!(
        report.contains(&format!("{SANTEDB_PATIENTS} rows in 1 table")),
        "{report}"
    );
    let assets = b
        .js("return document.querySelectorAll('[data-testid=\"import-asset\"]').length")
        .await;
    assert_eq!(assets, 3);
    assert!(b.text("import-backup").await.contains("Private"));
    assert!(b
        .text("restored-label")
        .await
        .contains("SanteDB-2025-12-29"));
    assert!(target
        .home
        .join("data/santedb/clinical/santedb.sqlite")
        .is_file());
    b.screenshots("santedb-import-report").await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrator_imports_a_santedb_backup_then_restores_it_over_the_clinic_data() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let fixture = clinic.root().join("santedb-20251229.bin");
    std::fs::write(&fixture, santedb_bin(clinic.root(), Some(SANTEDB_PASS))).unwrap();
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    // A nurse is not offered the import.
    b.login("nurse").await;
    b.open("#/backups").await;
    b.wait_testid("backups-table").await;
    assert!(!b.exists("[data-testid=\"santedb-import\"]").await);
    b.js("document.getElementById('logout').click(); return true;")
        .await;
    b.wait_testid("login-form").await;

    b.login("admin").await;
    b.open("#/backups").await;
    b.wait_testid("backups-table").await;
    b.click("santedb-import").await;
    let input = b.wait_testid("santedb-file").await;
    input
        .send_keys(fixture.to_str().unwrap())
        .await
        .expect("choose the file");
    b.wait_testid("santedb-form").await;
    fill_passphrases(&b, SANTEDB_PASS).await;
    b.click("santedb-start").await;
    // Imported and verified; the clinic data is not touched yet.
    b.wait_testid("santedb-restore").await;
    assert!(b.text("import-report").await.contains("santedb.sqlite"));
    assert!(!clinic.home.join("data/santedb").exists());
    b.screenshots("santedb-import-imported").await;

    // The restore, as any: the passphrase, the facts, the safety copy.
    b.click("santedb-restore").await;
    b.wait_testid("restore-dialog").await;
    b.type_into("restore-passphrase", NEW_PASS).await;
    b.click("dialog-confirm").await;
    b.wait_js(
        "document.getElementById('dialog').dataset.testid === 'restore-confirm' \
         && document.querySelector('[data-testid=\"restore-facts\"]')",
        "the restore's facts",
    )
    .await;
    assert_eq!(b.text("fact-made-by").await, "nurse.amina");
    b.click("dialog-confirm").await;
    b.wait_testid("restore-report").await;
    // The import's report is shown again with the restore's.
    assert!(b.exists("[data-testid=\"import-report\"]").await);
    assert!(b.exists("[data-testid=\"safety-copy\"]").await);
    assert!(clinic
        .home
        .join("data/santedb/clinical/santedb.sqlite")
        .is_file());
    b.screenshots("santedb-import-restored").await;

    b.close().await;
    server.stop().await;
}
