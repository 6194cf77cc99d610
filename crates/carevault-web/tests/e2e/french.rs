//! The Backup Explorer in French: a browser whose language is French (its
//! `Accept-Language`), and the facility's `[ui] language = "fr"` with an
//! English browser. The page takes every word from `GET /api/strings`;
//! these tests assert the French words of the catalogue on the login
//! screen, the Backup Explorer, a backup's details and both restore
//! steps, that none of those screens' English words is left, and take
//! their screenshots (docs/SCREENS.md, "French"). And a page that cannot
//! load its messages says so instead of drawing message IDs.

use crate::e2e_support;

use carevault_core::media::Medium;
use e2e_support::{tools, Browser, Clinic, Server, PASSPHRASE};

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

/// The URL type fantoccini's commands use (reqwest re-exports the same
/// `url` crate), and its parse error.
type Url = reqwest::Url;
type UrlError = <Url as std::str::FromStr>::Err;

/// One Chrome DevTools command through chromedriver's
/// `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, UrlError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.expect("a WebDriver session")
        ))
    }

    fn method_and_body(&self, _: &Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Makes the browser's language French: every request it sends (the page,
/// its `fetch` calls, the job event streams) says `Accept-Language: fr-FR`,
/// as a tablet set to French does.
pub(crate) async fn browser_in_french(b: &Browser) {
    let ua = b.js("return navigator.userAgent").await;
    b.c.issue_cmd(Cdp {
        cmd: "Emulation.setUserAgentOverride",
        params: json!({
            "userAgent": ua.as_str().expect("a user agent"),
            "acceptLanguage": "fr-FR,fr;q=0.9",
        }),
    })
    .await
    .expect("set the browser's language");
}

/// What the person sees on the screen now (hidden elements and a closed
/// dialog excluded).
async fn seen(b: &Browser) -> String {
    b.js("return document.body.innerText")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The screen shows none of `english`, no message ID and no unfilled
/// `{name}` placeholder.
async fn assert_no_english(b: &Browser, screen: &str, english: &[&str]) {
    let text = seen(b).await;
    let left: Vec<_> = english.iter().filter(|w| text.contains(*w)).collect();
    assert!(
        left.is_empty(),
        "the French {screen} still shows {left:?}:\n{text}"
    );
    assert!(
        !text.contains("ui-"),
        "a message ID shows on the {screen}:\n{text}"
    );
    assert!(
        !text.contains('{') && !text.contains('}'),
        "an unfilled placeholder shows on the {screen}:\n{text}"
    );
}

async fn html_lang(b: &Browser) -> Value {
    b.js("return document.documentElement.lang").await
}

/// Texts of the elements `css` selects, in order.
async fn texts(b: &Browser, css: &str) -> Value {
    b.js(&format!(
        "return [...document.querySelectorAll('{css}')].map(e => e.textContent.trim())"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn french_browser_gets_login_explorer_details_and_restore_confirmation_in_french() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    clinic.backup("manager", Medium::Private, "Morning");
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    browser_in_french(&b).await;

    // Log in.
    b.open("").await;
    b.wait_testid("login-form").await;
    b.settle().await;
    assert_eq!(html_lang(&b).await, "fr");
    assert_eq!(
        b.js("return document.title").await,
        "Explorateur de sauvegardes · carevault"
    );
    assert_eq!(
        b.js("return document.querySelector('h1').textContent")
            .await,
        "Se connecter"
    );
    assert_eq!(b.text("login-submit").await, "Se connecter");
    assert_eq!(
        texts(&b, "#login-form label").await,
        json!(["Nom d’utilisateur", "Mot de passe"])
    );
    assert!(seen(&b)
        .await
        .contains("Explorateur de sauvegardes de cette tablette. Utilisez votre compte de l’application de la clinique."));
    assert_no_english(
        &b,
        "login screen",
        &[
            "Log in",
            "Username",
            "Password",
            "Backup Explorer",
            "clinic app account",
        ],
    )
    .await;
    // An empty form is refused in French, by the page itself.
    b.click("login-submit").await;
    b.wait_js(
        "!document.querySelector('[data-testid=\"login-error\"]').hidden",
        "the login form's complaint",
    )
    .await;
    assert_eq!(
        b.text("login-error").await,
        "Saisissez votre nom d’utilisateur et votre mot de passe."
    );
    b.js("document.querySelector('[data-testid=\"login-error\"]').hidden = true; return true;")
        .await;
    b.screenshots("fr-login").await;

    // The Backup Explorer list.
    b.login("manager").await;
    b.open("#/backups").await;
    b.wait_testid("backups-table").await;
    b.settle().await;
    assert_eq!(html_lang(&b).await, "fr");
    assert_eq!(
        b.js("return document.querySelector('#view h1').textContent")
            .await,
        "Explorateur de sauvegardes"
    );
    assert_eq!(b.text("backup-now").await, "Sauvegarder maintenant");
    assert_eq!(
        texts(&b, "#backups-table thead th").await,
        json!([
            "Libellé/identifiant",
            "Date et heure",
            "Taille",
            "Chiffrée",
            "Créée par",
            "Emplacement",
            "Actions"
        ])
    );
    assert_eq!(
        texts(&b, "#backups-table caption").await,
        json!(["1 sauvegarde sur cette tablette, la plus récente en premier. Heures locales."])
    );
    // The labels the narrow layout shows beside each cell, the role, the
    // encrypted tag, the action words and their aria-labels.
    assert_eq!(
        b.js("return document.querySelector('[data-testid=\"cell-encrypted\"]').dataset.label")
            .await,
        "Chiffrée"
    );
    assert_eq!(b.text("cell-encrypted").await, "Oui");
    assert_eq!(
        b.js("return document.querySelector('[data-testid=\"who\"] small').textContent")
            .await,
        "Responsable clinique"
    );
    assert_eq!(
        texts(&b, "[data-testid=\"cell-actions\"] .action-text").await,
        json!(["Détails", "Restaurer"])
    );
    assert_eq!(
        b.js("return document.querySelector('[data-testid=\"action-restore\"]').getAttribute('aria-label')")
            .await,
        "Restaurer Morning"
    );
    assert_eq!(
        texts(&b, "#sidenav a").await,
        json!([
            "Synchronisation",
            "Explorateur de sauvegardes",
            "Copies de sécurité"
        ])
    );
    assert_eq!(
        b.js("return document.getElementById('sidenav').getAttribute('aria-label')")
            .await,
        "Menu latéral"
    );
    assert_no_english(
        &b,
        "Backup Explorer",
        &[
            "Backup Now",
            "Backup Explorer",
            "Label/ID",
            "Timestamp",
            "Size",
            "Encrypted",
            "Created By",
            "Location",
            "Details",
            "Restore",
            "Log out",
            "Synchronization",
            "Safety copies",
            "System",
            "Clinical Manager",
            "newest first",
            "Times are local",
            "Yes",
        ],
    )
    .await;
    b.screenshots("fr-explorer").await;

    // A backup's details, and its verification (a job: the progress and
    // the result in French too).
    b.click("action-details").await;
    b.wait_testid("details").await;
    b.settle().await;
    assert_eq!(
        b.js("return document.querySelector('#view h1').textContent")
            .await,
        "Sauvegarde Morning"
    );
    let terms = texts(&b, "[data-testid=\"details\"] dt").await;
    for t in [
        "Libellé/identifiant",
        "Date et heure",
        "Créée par",
        "Emplacement",
        "Chiffrée",
        "Taille",
        "S’ouvre avec",
    ] {
        assert!(
            terms.as_array().unwrap().iter().any(|v| v == t),
            "{t} is not a detail: {terms}"
        );
    }
    assert_eq!(b.text("verify-now").await, "Vérifier maintenant");
    assert_eq!(b.text("show-contents").await, "Afficher le contenu");
    assert_eq!(b.text("last-verification").await, "Jamais vérifiée.");
    assert_eq!(b.text("details-restore").await, "Restaurer");
    b.type_into("check-passphrase", PASSPHRASE).await;
    b.click("verify-now").await;
    b.wait_testid("verify-result").await;
    let verified = b.text("verify-result").await;
    assert!(verified.contains("Vérifiée : OK."), "{verified}");
    assert!(
        verified.contains("Chaque octet a été lu et vérifié"),
        "{verified}"
    );
    b.wait_js(
        "document.querySelector('[data-testid=\"last-verification\"]').textContent\
           .startsWith('Dernière vérification réussie le ')",
        "the new verification record",
    )
    .await;
    assert_no_english(
        &b,
        "details",
        &[
            "Details",
            "Check this backup",
            "Verify now",
            "Show contents",
            "Opens with",
            "File name",
            "Passphrase",
            "Verified",
            "Every byte",
            "Last verified",
            "Restore",
            "Backup Explorer",
        ],
    )
    .await;
    b.screenshots("fr-details").await;

    // Restore, step 1: the question and the passphrase.
    b.click("details-restore").await;
    b.wait_testid("restore-dialog").await;
    assert_eq!(b.text("dialog-title").await, "Restaurer la sauvegarde");
    assert_eq!(
        b.text("restore-question").await,
        "Voulez-vous vraiment restaurer la sauvegarde Morning ? \
         Toutes les modifications faites depuis cette sauvegarde seront perdues."
    );
    assert_eq!(b.text("dialog-confirm").await, "Continuer");
    assert_eq!(b.text("dialog-cancel").await, "Annuler");
    assert_eq!(
        texts(&b, "#dialog-extra label").await.as_array().unwrap()[0],
        "Phrase secrète"
    );
    // A forgotten passphrase is asked for in French, by the page.
    b.click("dialog-confirm").await;
    b.wait_js(
        "!document.getElementById('dialog-error').hidden",
        "the dialog's complaint",
    )
    .await;
    assert_eq!(
        b.text("dialog-error").await,
        "Saisissez la phrase secrète de cette sauvegarde."
    );
    b.type_into("restore-passphrase", PASSPHRASE).await;
    assert_no_english(
        &b,
        "restore question",
        &[
            "Restore backup",
            "Are you sure",
            "safety copy",
            "Cancel",
            "Passphrase",
        ],
    )
    .await;
    b.screenshots("fr-restore-dialog").await;

    // Step 2: the restore confirmation, what it replaces.
    b.click("dialog-confirm").await;
    b.wait_js(
        "document.getElementById('dialog').dataset.testid === 'restore-confirm' \
         && document.querySelector('[data-testid=\"restore-facts\"]')",
        "the restore's facts",
    )
    .await;
    assert_eq!(
        b.text("dialog-title").await,
        "Restaurer à la place des données actuelles ?"
    );
    assert_eq!(
        texts(&b, "[data-testid=\"restore-facts\"] dt").await,
        json!([
            "Sauvegarde",
            "Faite le",
            "Faite par",
            "Patients actuellement",
            "Patients dans la sauvegarde",
            "Pas encore synchronisés"
        ])
    );
    let unsynced = b.text("fact-unsynced").await;
    assert!(
        unsynced == "1 enregistrement de la file d’envoi"
            || unsynced.starts_with("Enregistrements de la file d’envoi : "),
        "{unsynced}"
    );
    assert!(seen(&b)
        .await
        .contains("Les données de la clinique sur cette tablette seront remplacées par la sauvegarde Morning."));
    assert_eq!(b.text("dialog-confirm").await, "Restaurer");
    assert_no_english(
        &b,
        "restore confirmation",
        &[
            "Restore over",
            "Taken",
            "Made by",
            "Patients now",
            "Patients in the backup",
            "Not yet synchronized",
            "outbox record",
            "will be replaced",
            "safety copy",
            "Cancel",
            "Restore",
        ],
    )
    .await;
    b.screenshots("fr-restore-confirm").await;
    b.click("dialog-cancel").await;
    b.wait_js(
        "!document.getElementById('dialog').open",
        "the dialog to close",
    )
    .await;
    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facility_language_french_wins_over_an_english_browser() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;

    // No language in the profile: the English browser gets English.
    b.open("").await;
    b.wait_testid("login-form").await;
    assert_eq!(html_lang(&b).await, "en");
    assert_eq!(b.text("login-submit").await, "Log in");

    // The facility chooses French: the same browser now gets French.
    let profile = clinic.home.join("carevault.toml");
    let mut text = std::fs::read_to_string(&profile).unwrap();
    text.push_str("[ui]\nlanguage = \"fr\"\n");
    std::fs::write(&profile, text).unwrap();
    b.open("").await;
    b.wait_js(
        "document.documentElement.lang === 'fr' && document.querySelector('[data-testid=\"login-submit\"]')",
        "the French login screen",
    )
    .await;
    b.settle().await;
    assert_eq!(b.text("login-submit").await, "Se connecter");
    assert_no_english(
        &b,
        "login screen",
        &["Log in", "Username", "Password", "Backup Explorer"],
    )
    .await;
    // A refused login is told in French too.
    b.type_into("login-username", "nurse").await;
    b.type_into("login-password", "not-the-password").await;
    b.click("login-submit").await;
    b.wait_js(
        "!document.querySelector('[data-testid=\"login-error\"]').hidden",
        "the login error",
    )
    .await;
    assert_eq!(
        b.text("login-error").await,
        "Le nom d’utilisateur ou le mot de passe est incorrect."
    );
    b.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_whose_messages_cannot_be_loaded_says_it_could_not_start_and_reloads() {
    let Some(tools) = tools() else { return };
    let clinic = Clinic::demo();
    let server = Server::start(&clinic.home).await;
    let b = Browser::start(&tools, &server.url).await;
    let block = |urls: Value| Cdp {
        cmd: "Network.setBlockedURLs",
        params: json!({ "urls": urls }),
    };
    b.c.issue_cmd(Cdp {
        cmd: "Network.enable",
        params: json!({}),
    })
    .await
    .expect("network domain");
    b.c.issue_cmd(block(json!(["*/api/strings*"])))
        .await
        .expect("block the messages");

    // Without its messages the page draws no screen it cannot word: it
    // says it could not start, in index.html's own words, never IDs.
    b.open("").await;
    b.wait_testid("reload").await;
    b.wait_testid("banner-error").await;
    assert_eq!(html_lang(&b).await, "en");
    let text = seen(&b).await;
    for want in [
        "The Backup Explorer could not start.",
        "The Backup Explorer could not reach its server.",
        "The Backup Explorer cannot reach its server.",
        "Check that carevault serve is still running, then reload this page.",
    ] {
        assert!(text.contains(want), "{want:?} is not shown:\n{text}");
    }
    assert!(!text.contains("ui-"), "a message ID shows:\n{text}");
    assert!(!b.exists("[data-testid=\"login-form\"]").await);
    assert_eq!(b.text("reload").await, "Reload");

    // Once the server answers again, "Reload" brings the login screen.
    b.c.issue_cmd(block(json!([])))
        .await
        .expect("unblock the messages");
    b.click("reload").await;
    b.wait_testid("login-form").await;
    assert_eq!(b.text("login-submit").await, "Log in");
    b.close().await;
    server.stop().await;
}
