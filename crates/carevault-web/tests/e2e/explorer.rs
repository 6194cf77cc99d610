//! Browser end-to-end tests of the Backup Explorer: the real server on a
//! loopback port, the real web app in headless Chromium (WebDriver), a demo
//! clinic behind them. Each test takes screenshots of the screens it passes
//! through (see `docs/SCREENS.md`).
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; without them
//! the tests fail under `CI` and are skipped with a notice otherwise.

use crate::e2e_support;

use carevault_core::hostlock::SyncSession;
use carevault_core::media::Medium;
use carevault_demo::{check_consistency, run_writer, WriterOptions};
use e2e_support::{today_local, tools, Browser, Clinic, Server, PASSPHRASE, WAIT};

use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Installs a watcher that records whether a progress box with this test
/// id appeared, the highest percentage it showed and how its updates came
/// (the box may be gone by the time the test looks: the page moves on when
/// the job is done).
async fn watch_progress(b: &Browser, testid: &str) {
    b.js(&format!(
        "window.__progress = {{ seen: false, max: -1, via: [] }};
         const check = () => {{
           const el = document.querySelector('[data-testid=\"{testid}\"]');
           if (el) {{
             const p = window.__progress;
             p.seen = true;
             p.max = Math.max(p.max, Number(el.dataset.percent));
             if (el.dataset.via && !p.via.includes(el.dataset.via)) p.via.push(el.dataset.via);
           }}
         }};
         new MutationObserver(check).observe(document.body, {{ subtree: true, childList: true,
           attributes: true, attributeFilter: ['data-percent', 'data-via'] }});
         return true;"
    ))
    .await;
}

/// What [`watch_progress`] saw.
struct Seen {
    shown: bool,
    max: i64,
    via: Value,
}

async fn progress_seen(b: &Browser) -> Seen {
    let v = b.js("return window.__progress").await;
    Seen {
        shown: v["seen"].as_bool().unwrap_or(false),
        max: v["max"].as_i64().unwrap_or(-1),
        via: v["via"].clone(),
    }
}

/// The progress was shown, reached 100% and came over the job's
/// server-sent event stream.
fn assert_progress(seen: &Seen, what: &str) {
    assert!(seen.shown, "the {what}'s progress was never shown");
    assert_eq!(seen.max, 100, "the {what}'s progress did not reach 100%");
    assert_eq!(
        seen.via,
        serde_json::json!(["sse"]),
        "the {what}'s progress must come from the job's event stream"
    );
}

/// The row of the backup labelled `label`, as a CSS selector.
fn row(label: &str) -> String {
    format!("tr[data-testid=\"backup-row\"][data-label=\"{label}\"]")
}

/// Texts of the restore report's check rows: name -> (expected, actual, ok).
async fn report_checks(b: &Browser) -> Value {
    b.js("const out = {};
          for (const tr of document.querySelectorAll('[data-testid=\"check-row\"]')) {
            out[tr.dataset.check] = [
              tr.querySelector('[data-testid=\"check-expected\"]').textContent,
              tr.querySelector('[data-testid=\"check-actual\"]').textContent,
              tr.dataset.ok === 'true'];
          }
          return out;")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nurse_makes_an_encrypted_public_backup_and_verifies_it() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    // The schedule of `carevault serve` runs: its check at start makes no
    // backup on a fresh install (the first one waits for the interval).
    let server = Server::start_scheduled(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.open("").await;
    b.wait_testid("login-form").await;
    b.screenshots("login").await;
    b.login("nurse").await;

    // An empty explorer at first, after the schedule's first check (the
    // one at start: awaited through the schedule's seam).
    server.schedule_checks(1).await;
    let schedule = b
        .js_async(
            "fetch('/api/status', { credentials: 'same-origin' })
               .then(r => r.json())
               .then(v => done(v.schedule), e => done(String(e)));",
        )
        .await;
    assert!(schedule["checks"].as_u64() >= Some(1), "{schedule}");
    assert_eq!(schedule["waiting_for_first_interval"], true, "{schedule}");
    b.open("#/home").await;
    b.open("#/backups").await;
    b.wait_testid("no-results").await;
    assert!(b.text("no-results").await.contains("No Results Returned"));
    b.screenshots("explorer-empty").await;

    // Backup Now: Public requires encryption, so the box is ticked and locked.
    b.click("backup-now").await;
    b.wait_testid("backup-form").await;
    b.click("medium-public").await;
    let encrypt = b.testid("encrypt").await;
    assert!(encrypt.is_selected().await.unwrap());
    assert!(
        !encrypt.is_enabled().await.unwrap(),
        "Public must not allow unencrypted"
    );
    assert!(b.text("policy-note").await.contains("must be encrypted"));
    b.type_into("backup-label", "Before the update").await;
    b.type_into("passphrase", PASSPHRASE).await;
    b.type_into("passphrase-confirm", PASSPHRASE).await;
    assert!(b.text("pass-strength-text").await.starts_with("Strength: "));
    b.screenshots("backup-now").await;

    watch_progress(&b, "backup-progress").await;
    b.click("backup-submit").await;
    let done = b.wait_testid("banner-backup-done").await;
    assert_progress(&progress_seen(&b).await, "backup");
    assert!(done.text().await.unwrap().contains("Before the update"));

    // The new row, with today's date, encrypted, by the nurse, on Public.
    let sel = row("Before the update");
    b.wait_js(
        &format!("document.querySelector('{sel}')"),
        "the new backup's row",
    )
    .await;
    let cells = b
        .js(&format!(
            "const r = document.querySelector('{sel}');
             const t = (id) => r.querySelector(`[data-testid=\"${{id}}\"]`).textContent.trim();
             return {{ ts: t('cell-timestamp'), enc: t('cell-encrypted'), by: t('cell-created-by'),
                       loc: t('cell-location'), size: t('cell-size'),
                       del: r.querySelector('[data-testid=\"action-delete\"]') !== null }};"
        ))
        .await;
    assert!(
        cells["ts"].as_str().unwrap().starts_with(&today_local()),
        "{cells}"
    );
    assert_eq!(cells["enc"], "Yes", "{cells}");
    assert_eq!(cells["by"], "nurse", "{cells}");
    assert_eq!(cells["loc"], "Public", "{cells}");
    assert!(
        !cells["size"].as_str().unwrap().starts_with("0 "),
        "{cells}"
    );
    assert_eq!(cells["del"], false, "a nurse may not delete: {cells}");
    b.screenshots("explorer-after-backup").await;

    // Details (the eye icon), then verify.
    b.js(&format!(
        "document.querySelector('{sel} [data-testid=\"action-details\"]').click(); return true;"
    ))
    .await;
    b.wait_testid("details").await;
    assert!(b.text("detail-label").await.contains("Before the update"));
    assert_eq!(b.text("detail-created-by").await, "nurse");
    assert_eq!(b.text("detail-location").await, "Public");
    assert_eq!(b.text("detail-encrypted").await.trim(), "Yes");
    assert!(b.text("detail-timestamp").await.starts_with(&today_local()));
    assert!(b.text("last-verification").await.contains("Never verified"));

    // A wrong passphrase is no verification result: nothing is marked failed.
    b.type_into("check-passphrase", "not the passphrase").await;
    b.click("verify-now").await;
    let result = b.wait_testid("verify-result").await.text().await.unwrap();
    assert!(
        result.contains("The passphrase was not accepted"),
        "{result}"
    );
    assert!(!result.contains("Verification failed"), "{result}");
    let field_error = b
        .js("return document.getElementById('check-passphrase-error').textContent")
        .await;
    assert!(
        field_error
            .as_str()
            .unwrap()
            .contains("does not open this backup"),
        "{field_error}"
    );
    b.wait_js(
        "!document.querySelector('[data-testid=\"verify-now\"]').disabled",
        "the verify button to come back",
    )
    .await;
    assert!(b.text("last-verification").await.contains("Never verified"));
    b.screenshots("details-wrong-passphrase").await;

    b.type_into("check-passphrase", PASSPHRASE).await;
    b.click("show-contents").await;
    b.wait_testid("contents").await;
    assert_eq!(b.text("contents-patients").await, "300");

    b.click("verify-now").await;
    let result = b.wait_testid("verify-result").await;
    let text = result.text().await.unwrap();
    assert!(text.contains("Verified: OK"), "{text}");
    b.wait_js(
        "document.querySelector('[data-testid=\"last-verification\"]').textContent.includes('Last verified OK')",
        "the last verification to show OK",
    )
    .await;
    b.screenshots("details-verified").await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clinic_staff_have_no_backups_menu_and_no_api_access() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.login("staff").await;
    b.wait_testid("no-backup-access").await;
    // No entry they may not use: no Synchronization (it would say "Not
    // available"), no Backups, and so no menu at all.
    assert!(
        !b.exists("[data-testid=\"nav-sync\"]").await,
        "the Synchronization entry must be absent for Clinic Staff"
    );
    assert!(
        !b.exists("[data-testid=\"nav-backups-group\"]").await,
        "the Backups entry must be absent for Clinic Staff"
    );
    assert!(!b.exists("a[href=\"#/backups\"]").await);
    assert!(!b.exists("a[href=\"#/safety-copies\"]").await);
    assert!(!b.testid("sidenav").await.is_displayed().await.unwrap());
    b.resize(360, 740).await;
    assert!(
        !b.testid("menu-toggle").await.is_displayed().await.unwrap(),
        "no menu button when there is no menu"
    );
    b.resize(1280, 800).await;
    b.screenshots("staff-home").await;

    // The page's own fetch is refused by the server.
    let status = b
        .js_async("fetch('/api/backups', { credentials: 'same-origin' }).then(r => done(r.status), e => done(String(e)));")
        .await;
    assert_eq!(status, 403, "GET /api/backups from a staff session");

    // Typing the address does not show the explorer either.
    b.open("#/backups").await;
    b.wait_testid("not-allowed").await;
    assert!(!b.exists("[data-testid=\"backups-table\"]").await);

    // A nurse has the menu: on a phone, a drawer behind the menu button.
    b.click("logout").await;
    b.wait_testid("login-form").await;
    b.login("nurse").await;
    b.resize(360, 740).await;
    let toggle = b.wait_testid("menu-toggle").await;
    assert!(!b.testid("nav-sync").await.is_displayed().await.unwrap());
    toggle.click().await.unwrap();
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(b.testid("nav-sync").await.is_displayed().await.unwrap());
    assert!(b
        .testid("nav-safety-copies")
        .await
        .is_displayed()
        .await
        .unwrap());
    b.screenshot_at("menu-open-360", 360, 740).await;
    b.resize(1280, 800).await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_buttons_carry_visible_words_at_360_px() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    clinic.backup("manager", Medium::Public, "Friday");
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.login("admin").await;
    let sel = row("Friday");
    b.wait_js(&format!("document.querySelector('{sel}')"), "Friday's row")
        .await;
    for (w, h) in [(1280, 800), (360, 740)] {
        b.resize(w, h).await;
        // Each action shows its word (no hover needed) and fits the screen.
        let seen = b
            .js(&format!(
                "const out = {{}};
                 for (const a of document.querySelectorAll('{sel} .action')) {{
                   const r = a.getBoundingClientRect();
                   const clip = a.closest('.table-wrap').getBoundingClientRect();
                   out[a.dataset.testid] = [a.innerText.trim(), r.width > 0 && r.left >= clip.left
                     && r.right <= clip.right && r.right <= window.innerWidth && r.height >= 44];
                 }}
                 return out;"
            ))
            .await;
        assert_eq!(
            seen["action-details"],
            serde_json::json!(["Details", true]),
            "{w}: {seen}"
        );
        assert_eq!(
            seen["action-restore"],
            serde_json::json!(["Restore", true]),
            "{w}: {seen}"
        );
        assert_eq!(
            seen["action-delete"],
            serde_json::json!(["Delete", true]),
            "{w}: {seen}"
        );
    }
    b.resize(1280, 800).await;
    b.screenshots("explorer-actions").await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrator_deletes_a_backup_after_confirming() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let keep = clinic.backup("manager", Medium::Private, "Monday");
    let gone = clinic.backup("manager", Medium::Public, "Tuesday");
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.login("admin").await;
    let sel = row("Tuesday");
    b.wait_js(&format!("document.querySelector('{sel}')"), "Tuesday's row")
        .await;
    assert!(b.exists(&row("Monday")).await);
    b.screenshots("explorer").await;

    // Cancel first: nothing happens.
    b.js(&format!(
        "document.querySelector('{sel} [data-testid=\"action-delete\"]').click(); return true;"
    ))
    .await;
    b.wait_testid("delete-dialog").await;
    let q = b.text("delete-question").await;
    assert!(q.contains("Delete the backup Tuesday?"), "{q}");
    b.screenshots("delete-dialog").await;
    b.click("dialog-cancel").await;
    b.wait_js(
        "!document.getElementById('dialog').open",
        "the dialog to close",
    )
    .await;
    assert!(b.exists(&sel).await);
    assert!(gone.path.exists());

    // Then confirm.
    b.js(&format!(
        "document.querySelector('{sel} [data-testid=\"action-delete\"]').click(); return true;"
    ))
    .await;
    b.wait_testid("delete-dialog").await;
    b.click("dialog-confirm").await;
    b.wait_testid("banner-deleted").await;
    b.wait_js(
        &format!(
            "document.querySelector('{}') && !document.querySelector('{sel}')",
            row("Monday")
        ),
        "Tuesday's row to go",
    )
    .await;
    assert!(!gone.path.exists(), "the file must be deleted");
    assert!(keep.path.exists(), "the other backup must stay");
    b.screenshots("explorer-after-delete").await;

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_now_is_disabled_while_a_sync_runs() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    let sync = SyncSession::begin(&clinic.home).expect("hold the sync lock");

    b.login("manager").await;
    let warning = b.wait_testid("sync-warning").await;
    let text = warning.text().await.unwrap();
    assert!(
        text.contains("Do not create a backup while synchronization is in progress"),
        "{text}"
    );
    assert!(!b.testid("backup-now").await.is_enabled().await.unwrap());
    b.screenshots("explorer-sync-running").await;

    // The form says the same and cannot be sent.
    b.open("#/backups/new").await;
    b.wait_testid("sync-warning").await;
    assert!(!b.testid("backup-submit").await.is_enabled().await.unwrap());

    // Synchronization shows Running.
    b.open("#/sync").await;
    let state = b.wait_testid("sync-state").await;
    assert_eq!(state.text().await.unwrap().trim(), "Running");
    b.screenshots("sync-running").await;

    // When the sync ends, the button comes back by itself.
    b.open("#/backups").await;
    b.wait_testid("sync-warning").await;
    drop(sync);
    b.wait_js(
        "!document.querySelector('[data-testid=\"backup-now\"]').disabled \
         && document.querySelector('[data-testid=\"sync-warning\"]').hidden",
        "Backup Now to be enabled again after the sync",
    )
    .await;

    // Then a backup to External: with no SD card or USB drive attached it
    // goes to the Documents folder, and the page says so.
    b.click("backup-now").await;
    b.wait_testid("backup-form").await;
    assert!(b.testid("backup-submit").await.is_enabled().await.unwrap());
    b.click("medium-external").await;
    assert!(!b.testid("encrypt").await.is_enabled().await.unwrap());
    b.type_into("passphrase", PASSPHRASE).await;
    b.type_into("passphrase-confirm", "not the same").await;
    b.click("backup-submit").await;
    b.wait_js(
        "document.getElementById('passphrase-confirm-error').textContent.includes('not the same')",
        "the mismatch to be reported",
    )
    .await;
    b.type_into("passphrase-confirm", PASSPHRASE).await;
    b.click("backup-submit").await;
    b.wait_testid("banner-backup-done").await;
    let note = b.wait_testid("fallback-note").await.text().await.unwrap();
    assert!(note.contains("No SD card or USB drive"), "{note}");
    let location = b
        .js("return document.querySelector('[data-testid=\"backup-row\"] [data-testid=\"cell-location\"]').textContent")
        .await;
    assert_eq!(location, "Public");

    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_restores_an_uploaded_backup_from_another_tablet() {
    let Some(tools) = tools() else { return };
    let source = Clinic::demo();
    let made = source.backup("manager", Medium::Public, "Tablet 7 weekly");
    let target = Clinic::empty();
    // A copy in the new tablet's Documents folder is offered as well.
    let documents = target.home.join("Documents");
    std::fs::create_dir_all(&documents).unwrap();
    std::fs::copy(&made.path, documents.join(made.path.file_name().unwrap())).unwrap();
    let server = Server::start(&target.home).await;
    let b = Browser::start(&tools, &server.url).await;

    b.open("").await;
    b.wait_testid("choose-restore").await;
    assert!(b.exists("[data-testid=\"choose-fresh\"]").await);
    assert!(!b.exists("[data-testid=\"login-form\"]").await);
    b.screenshots("first-run").await;

    // "Start fresh" is offered too (not taken here).
    b.click("choose-fresh").await;
    b.wait_testid("admin-username").await;
    b.screenshots("start-fresh").await;
    b.open("#/first-run").await;

    b.click("choose-restore").await;
    let listed = b.wait_testid("candidates").await.text().await.unwrap();
    assert!(listed.contains("Tablet 7 weekly"), "{listed}");
    // The test takes the other way: the file input (an upload).
    let input = b.wait_testid("upload-file").await;
    input
        .send_keys(made.path.to_str().unwrap())
        .await
        .expect("choose the file");
    let info = b.wait_testid("upload-done").await;
    assert!(info.text().await.unwrap().contains("Tablet 7 weekly"));

    // A wrong passphrase: back on the passphrase step, to try again.
    b.type_into("first-run-passphrase", "not the passphrase")
        .await;
    b.click("start-restore").await;
    let wrong = b.wait_testid("wrong-key").await.text().await.unwrap();
    assert!(wrong.contains("not accepted"), "{wrong}");
    assert!(b
        .testid("first-run-form")
        .await
        .is_displayed()
        .await
        .unwrap());
    assert!(!b.exists("[data-testid=\"restore-error\"]").await);
    let field_error = b
        .js("return document.getElementById('first-run-passphrase-error').textContent")
        .await;
    assert!(
        field_error
            .as_str()
            .unwrap()
            .contains("does not open this backup"),
        "{field_error}"
    );
    assert_eq!(
        b.testid("first-run-passphrase")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("")
    );
    b.screenshots("first-run-wrong-passphrase").await;

    b.type_into("first-run-passphrase", PASSPHRASE).await;
    b.screenshots("first-run-restore").await;

    watch_progress(&b, "restore-progress").await;
    b.click("start-restore").await;
    b.wait_testid("restore-report").await;
    assert_progress(&progress_seen(&b).await, "restore");
    assert_eq!(b.text("progress-percent").await, "100%");

    // The verification page against the backup's manifest.
    let checks = report_checks(&b).await;
    for (check, table) in [
        ("patients", "patients"),
        ("visits", "visits"),
        ("outbox", "outbox"),
        ("sync-log", "sync_log"),
    ] {
        let n = made.rows[table].to_string();
        assert_eq!(checks[check][0], n.as_str(), "{check}: {checks}");
        assert_eq!(checks[check][1], n.as_str(), "{check}: {checks}");
        assert_eq!(checks[check][2], true, "{check}: {checks}");
    }
    for check in ["realm", "sync-endpoint"] {
        assert_eq!(checks[check][2], true, "{check}: {checks}");
    }
    assert!(b.text("restored-label").await.contains("Tablet 7 weekly"));
    assert_eq!(
        b.testid("restore-report")
            .await
            .attr("data-all-ok")
            .await
            .unwrap()
            .as_deref(),
        Some("true"),
        "{checks}"
    );
    b.screenshots("first-run-report").await;

    // The restored users can log in now.
    b.click("continue-login").await;
    b.wait_testid("login-form").await;
    b.login("manager").await;
    b.wait_testid("backups-table").await;

    b.close().await;
    server.stop().await;
}

/// Visits the demo writer recorded (its notes end in "[demo writer]").
fn writer_visits(home: &std::path::Path) -> u64 {
    let db = home.join("data/clinical.db");
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        &db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return 0;
    };
    // While a restore swaps the data folder, the database may be away for
    // a moment: that reads as none yet.
    conn.query_row(
        "SELECT COUNT(*) FROM visits WHERE notes LIKE '%[demo writer]'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map_or(0, |n| n.max(0) as u64)
}

/// Waits until the clinic's current data holds `n` of the writer's visits.
/// The count only grows while the same data is in place, so this polls it,
/// with [`WAIT`] as a hang guard.
async fn writer_visits_at_least(home: &std::path::Path, n: u64) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let home = home.to_path_buf();
        let seen = tokio::task::spawn_blocking(move || writer_visits(&home))
            .await
            .unwrap();
        if seen >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the writer committed {seen} of {n} visits"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_from_the_explorer_while_the_app_writes() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let made = clinic.backup("manager", Medium::Private, "Morning");
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (home, stop) = (clinic.home.clone(), stop.clone());
        std::thread::spawn(move || {
            let opts = WriterOptions {
                rate_per_sec: Some(40),
                ..WriterOptions::default()
            };
            run_writer(&home, &opts, &stop)
        })
    };
    // Let the writer commit a few changes that the restore will undo.
    writer_visits_at_least(&clinic.home, 3).await;

    b.login("manager").await;
    b.open("#/sync").await;
    b.wait_testid("sync-state").await;
    b.screenshots("sync").await;

    // A wrong passphrase first: the restore fails and changes nothing.
    b.open("#/backups").await;
    let sel = row("Morning");
    b.wait_js(
        &format!("document.querySelector('{sel}')"),
        "the backup's row",
    )
    .await;
    b.js(&format!(
        "document.querySelector('{sel} [data-testid=\"action-restore\"]').click(); return true;"
    ))
    .await;
    b.wait_testid("restore-dialog").await;
    // This backup has no recovery key slot: no recovery key is offered.
    assert_eq!(
        b.js("return document.querySelector('#dialog [data-testid=\"use-recovery-key\"]').getClientRects().length")
            .await,
        0
    );
    b.type_into("restore-passphrase", "not the passphrase")
        .await;
    b.click("dialog-confirm").await;
    let error = b.wait_testid("dialog-error").await.text().await.unwrap();
    assert!(error.contains("nothing was changed"), "{error}");
    let field_error = b
        .js("return document.getElementById('restore-passphrase-error').textContent")
        .await;
    assert!(
        field_error
            .as_str()
            .unwrap()
            .contains("does not open this backup"),
        "{field_error}"
    );
    assert!(
        b.js("return document.getElementById('dialog').open").await == Value::Bool(true),
        "the dialog stays on the passphrase step"
    );
    assert_eq!(
        b.testid("restore-passphrase")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("")
    );
    assert!(!b.exists("[data-testid=\"restore-error\"]").await);
    assert!(!b.exists("[data-testid=\"restore-report\"]").await);
    b.screenshots("restore-wrong-passphrase").await;
    b.click("dialog-cancel").await;
    b.wait_js(
        "!document.getElementById('dialog').open",
        "the dialog to close",
    )
    .await;

    b.js(&format!(
        "document.querySelector('{sel} [data-testid=\"action-restore\"]').click(); return true;"
    ))
    .await;
    b.wait_testid("restore-dialog").await;
    assert_eq!(
        b.text("restore-question").await,
        "Are you sure you want to restore the backup Morning? \
         Any changes made since this backup was taken will be lost."
    );
    assert!(b.text("safety-copy-note").await.contains("safety copy"));
    b.type_into("restore-passphrase", PASSPHRASE).await;
    b.screenshots("restore-dialog").await;

    // Step 2: what the restore replaces.
    b.click("dialog-confirm").await;
    b.wait_js(
        "document.getElementById('dialog').dataset.testid === 'restore-confirm' \
         && document.querySelector('[data-testid=\"restore-facts\"]')",
        "the restore's facts",
    )
    .await;
    assert!(b.text("fact-taken").await.starts_with(&today_local()));
    assert_eq!(b.text("fact-made-by").await, "manager");
    let in_backup: u64 = b
        .text("fact-patients-backup")
        .await
        .replace(',', "")
        .parse()
        .unwrap();
    let now: u64 = b
        .text("fact-patients-now")
        .await
        .replace(',', "")
        .parse()
        .unwrap();
    assert_eq!(in_backup, made.rows["patients"]);
    assert!(
        now >= in_backup,
        "the writer adds patients: {now} < {in_backup}"
    );
    let unsynced = b.text("fact-unsynced").await;
    assert!(unsynced.contains("outbox record"), "{unsynced}");
    let lost: u64 = unsynced
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert_eq!(
        b.exists("[data-testid=\"unsynced-warning\"]").await,
        lost > 0,
        "{unsynced}"
    );
    b.screenshots("restore-confirm").await;

    watch_progress(&b, "restore-progress").await;
    b.click("dialog-confirm").await;
    b.wait_testid("restore-report").await;
    assert_progress(&progress_seen(&b).await, "restore");
    let checks = report_checks(&b).await;
    let all = checks.as_object().expect("checks");
    assert!(all.len() >= 6, "{checks}");
    for (name, c) in all {
        assert_eq!(c[2], true, "check {name} failed: {checks}");
    }
    for (check, table) in [("patients", "patients"), ("sync-log", "sync_log")] {
        assert_eq!(checks[check][0], made.rows[table].to_string().as_str());
    }
    assert!(b.text("restored-label").await.contains("Morning"));
    assert!(b.exists("[data-testid=\"safety-copy\"]").await);
    b.screenshots("restore-report").await;

    // The safety copy is listed, with its space; a manager cannot put it
    // back or remove it.
    b.click("safety-copies-link").await;
    b.wait_testid("safety-table").await;
    b.settle().await;
    assert_eq!(
        b.js("return document.querySelectorAll('[data-testid=\"safety-row\"]').length")
            .await,
        1
    );
    assert!(b
        .text("safety-total")
        .await
        .starts_with("1 safety copy, using "));
    assert!(b.exists("[data-testid=\"safety-admin-only\"]").await);
    assert!(!b.exists("[data-testid=\"safety-put-back\"]").await);
    assert!(!b.exists("[data-testid=\"safety-remove\"]").await);

    // The restored data has none of the writer's changes: one there means
    // the writer followed the swap and committed into it.
    writer_visits_at_least(&clinic.home, 1).await;
    stop.store(true, Ordering::Relaxed);
    let stats = writer.join().expect("writer thread").expect("writer");
    assert!(
        stats.reopened >= 1,
        "the writer must have followed the swap: {stats:?}"
    );
    let consistency = check_consistency(&clinic.home.join("data")).expect("consistency check");
    assert!(consistency.is_consistent(), "{consistency:?}");

    b.close().await;
    server.stop().await;
}
