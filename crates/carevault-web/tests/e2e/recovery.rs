//! Browser tests of recovery in the Backup Explorer: the facility's
//! recovery key (pasted or chosen as a file) for verify and restore,
//! "Change passphrase", and safety copies put back and removed by a System
//! Administrator. Same harness and screenshots as `e2e.rs`.

use crate::e2e_support;

use carevault_core::auth::{self, Create, Restore};
use carevault_core::backup::{self, BackupRequest, Target};
use carevault_core::media::Medium;
use carevault_core::profile::Profile;
use carevault_core::restore::{self, RestoreRequest};
use carevault_core::{generate_recovery_key, NoProgress, SecretString, Unlock};
use e2e_support::{tools, Browser, Clinic, Server, PASSPHRASE};
use fantoccini::Locator;
use secrecy::ExposeSecret;
use serde_json::Value;

/// Clicks the element with `testid` inside the open dialog (the page
/// behind it may have one with the same test id).
async fn click_in_dialog(b: &Browser, testid: &str) {
    b.wait_js(
        &format!("document.querySelector('#dialog [data-testid=\"{testid}\"]')"),
        testid,
    )
    .await;
    b.js(&format!(
        "document.querySelector('#dialog [data-testid=\"{testid}\"]').click(); return true;"
    ))
    .await;
}

async fn type_in_dialog(b: &Browser, testid: &str, text: &str) {
    let e =
        b.c.find(Locator::Css(&format!("#dialog [data-testid=\"{testid}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no {testid} in the dialog: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_passphrase_is_replaced_with_the_recovery_key_file_and_a_pasted_key_verifies() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let (identity, public) = generate_recovery_key();
    let permit = auth::permit::<Create>(&clinic.home, "manager", "manager-demo-pass").unwrap();
    let profile = Profile::load(&clinic.home).unwrap();
    let mut req = BackupRequest::new(&profile, Target::Medium(Medium::Public));
    req.label = Some("Weekly".into());
    req.passphrase = Some(SecretString::from(PASSPHRASE.to_string()));
    req.recovery_keys = vec![public];
    let made = backup::create(&permit, &req, &NoProgress).unwrap();
    let id = made.metadata.sealed.id.clone();
    // The key file as `carevault keygen` writes it, outside the app home.
    let key_file = clinic.root().join("facility-recovery.key");
    std::fs::write(&key_file, identity.expose_secret()).unwrap();
    let line = identity
        .expose_secret()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_string();

    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    b.login("nurse").await;
    b.open(&format!("#/backups/{id}")).await;
    b.wait_testid("details").await;

    // Verify with the pasted key.
    b.click("use-recovery-key").await;
    b.type_into("recovery-key-text", &line).await;
    b.screenshots("details-recovery-key").await;
    b.click("verify-now").await;
    let text = b.wait_testid("verify-result").await.text().await.unwrap();
    assert!(text.contains("Verified: OK"), "{text}");

    // "Change passphrase" with the key file (the passphrase is forgotten).
    b.click("details-rekey").await;
    b.wait_testid("rekey-dialog").await;
    click_in_dialog(&b, "use-recovery-key").await;
    let file =
        b.c.find(Locator::Css("#dialog [data-testid=\"recovery-key-file\"]"))
            .await
            .unwrap();
    file.send_keys(key_file.to_str().unwrap()).await.unwrap();
    b.wait_js(
        "document.querySelector('#dialog [data-testid=\"recovery-key-file-note\"]').textContent.includes('facility-recovery.key')",
        "the key file to be read",
    )
    .await;
    let new = "orchard kettle signal harbour";
    type_in_dialog(&b, "rekey-new", new).await;
    type_in_dialog(&b, "rekey-new-confirm", new).await;
    b.screenshots("rekey-dialog").await;
    b.click("dialog-confirm").await;
    let done = b.wait_testid("banner-rekeyed").await.text().await.unwrap();
    assert!(done.contains("Weekly"), "{done}");

    // The old passphrase no longer opens it; the new one does.
    let old = carevault_core::verify::verify(
        &auth::permit::<carevault_core::auth::View>(&clinic.home, "nurse", "nurse-demo-pass")
            .unwrap(),
        &made.path,
        Some(&Unlock::Passphrase(SecretString::from(
            PASSPHRASE.to_string(),
        ))),
        18,
        &NoProgress,
    );
    assert_eq!(
        old.err().map(|e| e.kind()),
        Some(carevault_core::Kind::WrongKey)
    );
    b.open("#/backups").await;
    b.open(&format!("#/backups/{id}")).await;
    b.wait_testid("details").await;
    b.type_into("check-passphrase", new).await;
    b.click("show-contents").await;
    b.wait_testid("contents").await;
    assert_eq!(b.text("contents-patients").await, "300");

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrator_puts_a_safety_copy_back_and_removes_one() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let made = clinic.backup("manager", Medium::Private, "Tuesday");
    // A restore made a safety copy of the data it replaced.
    let permit = auth::permit::<Restore>(&clinic.home, "admin", "admin-demo-pass").unwrap();
    let unlock = Unlock::Passphrase(SecretString::from(PASSPHRASE.to_string()));
    let req = RestoreRequest {
        file: &made.path,
        unlock: Some(&unlock),
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    restore::restore(&permit, &req, &NoProgress).expect("restore");
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.login("admin").await;
    b.click("nav-safety-copies").await;
    b.wait_testid("safety-table").await;
    b.settle().await;
    let rows = b
        .js("return [...document.querySelectorAll('[data-testid=\"safety-row\"]')].map(r => r.dataset.name)")
        .await;
    let first = rows[0].as_str().unwrap().to_string();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert!(first.contains(&made.metadata.sealed.id), "{first}");
    let replaced = b.text("safety-replaced-by").await;
    assert!(replaced.contains(&made.metadata.sealed.id), "{replaced}");
    assert!(b
        .text("safety-total")
        .await
        .starts_with("1 safety copy, using "));
    assert!(!b.text("safety-size").await.starts_with("0 "));
    b.screenshots("safety-copies").await;

    // Put back: the copy becomes the data; the data it replaced a new copy.
    b.click("safety-put-back").await;
    b.wait_testid("put-back-dialog").await;
    b.screenshots("safety-put-back-dialog").await;
    b.click("dialog-confirm").await;
    b.wait_testid("banner-put-back").await;
    b.wait_js(
        &format!(
            "(() => {{ const r = document.querySelectorAll('[data-testid=\"safety-row\"]');
               return r.length === 1 && r[0].dataset.name.includes('before-return-{first}'); }})()"
        ),
        "the new safety copy",
    )
    .await;
    assert!(!clinic.home.join("safety-copies").join(&first).exists());

    // Remove it.
    b.click("safety-remove").await;
    b.wait_testid("remove-copy-dialog").await;
    assert!(b
        .text("remove-copy-question")
        .await
        .contains("cannot be brought back"));
    b.click("dialog-confirm").await;
    b.wait_testid("banner-copy-removed").await;
    b.wait_testid("no-safety-copies").await;
    let left = std::fs::read_dir(clinic.home.join("safety-copies"))
        .map(|rd| rd.count())
        .unwrap_or(0);
    assert_eq!(left, 0);
    assert_eq!(
        b.js("return document.querySelectorAll('[data-testid=\"safety-row\"]').length")
            .await,
        Value::from(0)
    );
    b.screenshots("safety-copies-empty").await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_restores_with_the_recovery_key_file_when_the_passphrase_is_lost() {
    let Some(tools) = tools() else { return };
    let source = Clinic::demo();
    let (identity, public) = generate_recovery_key();
    let permit = auth::permit::<Create>(&source.home, "manager", "manager-demo-pass").unwrap();
    let profile = Profile::load(&source.home).unwrap();
    let mut req = BackupRequest::new(&profile, Target::Medium(Medium::Public));
    req.label = Some("Tablet 3 weekly".into());
    req.passphrase = Some(SecretString::from(PASSPHRASE.to_string()));
    req.recovery_keys = vec![public];
    let made = backup::create(&permit, &req, &NoProgress).unwrap();
    let target = Clinic::empty();
    let documents = target.home.join("Documents");
    std::fs::create_dir_all(&documents).unwrap();
    std::fs::copy(&made.path, documents.join(made.path.file_name().unwrap())).unwrap();
    let key_file = target.root().join("facility-recovery.key");
    std::fs::write(&key_file, identity.expose_secret()).unwrap();
    let server = Server::start(&target.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.open("").await;
    b.click("choose-restore").await;
    b.wait_testid("candidates").await;
    // Before a backup is chosen, no recovery key is offered.
    assert!(!b
        .testid("use-recovery-key")
        .await
        .is_displayed()
        .await
        .unwrap());
    b.click("candidate").await;
    b.click("use-recovery-key").await;
    b.wait_testid("recovery-key-file")
        .await
        .send_keys(key_file.to_str().unwrap())
        .await
        .unwrap();
    b.wait_js(
        "document.querySelector('[data-testid=\"recovery-key-file-note\"]').textContent.includes('facility-recovery.key')",
        "the key file to be read",
    )
    .await;
    b.screenshots("first-run-recovery-key").await;
    b.click("start-restore").await;
    b.wait_testid("restore-report").await;
    assert_eq!(
        b.testid("restore-report")
            .await
            .attr("data-all-ok")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    assert!(b.text("restored-label").await.contains("Tablet 3 weekly"));
    b.click("continue-login").await;
    b.wait_testid("login-form").await;
    b.login("manager").await;
    b.wait_testid("backups-table").await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_whose_passphrase_stopped_working_returns_to_the_passphrase_step() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let made = clinic.backup("manager", Medium::Private, "Morning");
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.login("nurse").await;
    let sel = "tr[data-testid=\"backup-row\"][data-label=\"Morning\"]";
    b.wait_js(&format!("document.querySelector('{sel}')"), "the row")
        .await;
    b.js(&format!(
        "document.querySelector('{sel} [data-testid=\"action-restore\"]').click(); return true;"
    ))
    .await;
    b.type_into("restore-passphrase", PASSPHRASE).await;
    b.click("dialog-confirm").await;
    b.wait_testid("restore-facts").await;

    // Between the two steps someone changes the backup's passphrase.
    let permit = auth::permit::<Create>(&clinic.home, "manager", "manager-demo-pass").unwrap();
    let new = SecretString::from("orchard kettle signal harbour".to_string());
    let old = Unlock::Passphrase(SecretString::from(PASSPHRASE.to_string()));
    carevault_core::rekey::rekey(&permit, &made.path, &old, &new, 10, 18).expect("rekey");

    b.click("dialog-confirm").await;
    let note = b.wait_testid("wrong-key").await.text().await.unwrap();
    assert!(note.contains("nothing was changed"), "{note}");
    let title = b
        .js("return document.querySelector('#view h1').textContent")
        .await;
    assert!(!title.as_str().unwrap().contains("failed"), "{title}");
    assert!(!b.exists("[data-testid=\"restore-error\"]").await);

    // "Try again" opens the passphrase step once more.
    b.click("restore-retry").await;
    b.wait_testid("restore-dialog").await;
    b.type_into("restore-passphrase", new.expose_secret()).await;
    b.click("dialog-confirm").await;
    b.wait_testid("restore-facts").await;
    b.click("dialog-confirm").await;
    b.wait_testid("restore-report").await;
    assert!(b.text("restored-label").await.contains("Morning"));

    b.close().await;
    server.stop().await;
}

/// Item 14: the Backup Explorer marks the backup the current data was
/// restored from (list and details), and "Copy to USB" copies an existing
/// backup to the attached USB drive, says "safe to remove" only once the
/// copy was fsynced and read back equal, and the copy is byte for byte the
/// backup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explorer_marks_the_restored_backup_and_copies_a_backup_to_usb() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let other = clinic.backup("manager", Medium::Public, "Monday");
    let made = clinic.backup("manager", Medium::Public, "Tuesday");
    let permit = auth::permit::<Restore>(&clinic.home, "admin", "admin-demo-pass").unwrap();
    let unlock = Unlock::Passphrase(SecretString::from(PASSPHRASE.to_string()));
    let req = RestoreRequest {
        file: &made.path,
        unlock: Some(&unlock),
        max_log_n: 18,
        dry_run: false,
        expect_id: None,
    };
    restore::restore(&permit, &req, &NoProgress).expect("restore");
    let id = made.metadata.sealed.id.clone();
    let usb = clinic.root().join("media/nurse/USB");
    std::fs::create_dir_all(&usb).unwrap();

    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    b.login("nurse").await;
    b.wait_testid("tag-restored-from").await;
    b.settle().await;
    let marked = b
        .js(
            "return [...document.querySelectorAll('[data-testid=\"tag-restored-from\"]')]
               .map(t => t.closest('tr').dataset.id)",
        )
        .await;
    assert_eq!(
        marked,
        serde_json::json!([id]),
        "only the restored backup is marked"
    );
    assert_ne!(other.metadata.sealed.id, id);
    b.screenshots("explorer-restored-from").await;

    b.open(&format!("#/backups/{id}")).await;
    b.wait_testid("detail-restored-from").await;
    b.click("details-copy-usb").await;
    b.wait_testid("copy-result").await;
    let said = b.text("copy-result").await;
    assert!(said.contains("safe to remove the USB drive"), "{said}");
    let copy = usb
        .join(carevault_core::media::EXTERNAL_FOLDER)
        .join(made.path.file_name().unwrap());
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&made.path).unwrap()
    );
    b.screenshots("copy-to-usb-done").await;

    b.close().await;
    server.stop().await;
}

/// Item 15: the first-run screen offers backups from Documents, Downloads
/// and an attached USB drive, and says under each where it was found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_offers_backups_from_documents_downloads_and_usb_saying_where() {
    let Some(tools) = tools() else { return };
    let source = Clinic::demo();
    let made: Vec<_> = ["In Documents", "In Downloads", "On the USB drive"]
        .iter()
        .map(|l| source.backup("manager", Medium::Public, l))
        .collect();
    let target = Clinic::empty();
    let usb = target.root().join("media/nurse/USB");
    let dirs = [
        target.home.join("Documents"),
        target.home.join("Downloads"),
        usb.join(carevault_core::media::EXTERNAL_FOLDER),
    ];
    for (m, d) in made.iter().zip(&dirs) {
        std::fs::create_dir_all(d).unwrap();
        std::fs::copy(&m.path, d.join(m.path.file_name().unwrap())).unwrap();
    }
    let server = Server::start(&target.home).await;
    let b = Browser::start(&tools, &server.url).await;
    b.open("#/first-run").await;
    b.click("choose-restore").await;
    b.wait_testid("candidates").await;
    b.settle().await;
    let said = b
        .js("return [...document.querySelectorAll('[data-testid=\"candidate-found-in\"]')]
               .map(e => e.closest('label').querySelector('strong').textContent + ' | ' + e.textContent).sort()")
        .await;
    let want = serde_json::json!([
        format!("In Documents | Found in Documents ({})", dirs[0].display()),
        format!("In Downloads | Found in Downloads ({})", dirs[1].display()),
        format!(
            "On the USB drive | Found in USB drive or SD card ({})",
            usb.display()
        ),
    ]);
    assert_eq!(said, want);
    b.screenshots("first-run-found-in").await;
    b.close().await;
    server.stop().await;
}

/// Item 8: Backup Now refuses a weak passphrase with the core's words (the
/// CLI's), shown on the passphrase field, and makes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_now_shows_the_cores_passphrase_rule_on_the_field() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    b.login("nurse").await;
    b.open("#/backups").await;
    b.wait_testid("no-results").await;
    b.click("backup-now").await;
    b.wait_testid("backup-form").await;
    b.click("medium-public").await;
    b.type_into("passphrase", "password").await;
    b.type_into("passphrase-confirm", "password").await;
    b.click("backup-submit").await;
    b.wait_js(
        "document.getElementById('passphrase-error').textContent.length > 0",
        "the passphrase rule on the field",
    )
    .await;
    let said = b
        .js("return document.getElementById('passphrase-error').textContent")
        .await;
    let core = carevault_core::passphrase::check_new("password", &["nurse"]).unwrap_err();
    let sentence = |s: &str| {
        let mut c = s.chars();
        let first: String = c
            .next()
            .map(|f| f.to_uppercase().collect())
            .unwrap_or_default();
        let t = first + c.as_str();
        if t.ends_with('.') {
            t
        } else {
            t + "."
        }
    };
    assert_eq!(
        said.as_str().unwrap(),
        format!("{} {}", sentence(&core.message()), sentence(&core.advice()))
    );
    b.screenshots("backup-now-weak-passphrase").await;
    let backups = std::fs::read_dir(clinic.home.join("Documents"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(backups, 0, "nothing was made");
    b.close().await;
    server.stop().await;
}
