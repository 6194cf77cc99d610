//! The language of the server's answers (docs/API.md, "Language"): the
//! profile's `[ui] language`, else the browser's `Accept-Language` (at most
//! 512 bytes of it), else English; `kind` and the other codes never change;
//! a job speaks the language of the request that started it.

use crate::api_common;

use api_common::*;
use carevault_core::i18n::{t, Lang};
use carevault_core::media::Medium;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT_LANGUAGE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;

/// A client of `server` whose every request says `Accept-Language: accept`.
fn speaking(server: &Server, accept: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .unwrap(),
        base: server.base.clone(),
    }
}

/// `speaking`, logged in as `user`.
async fn logged_in(server: &Server, user: &str, accept: &str) -> Client {
    let c = speaking(server, accept);
    let (st, v) = c.login(user, &password(user)).await;
    assert_eq!(st, StatusCode::OK, "login {user}: {v}");
    c
}

/// Sets the profile's `[ui] language` (the test profile has no `[ui]`).
fn set_profile_language(home: &Path, lang: &str) {
    let path = home.join("carevault.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = match text.find("[ui]") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    std::fs::write(&path, format!("{text}[ui]\nlanguage = \"{lang}\"\n")).unwrap();
}

const NOT_LOGGED_IN_FR: &str = "vous n'êtes pas connecté, ou votre session a expiré";
const NOT_LOGGED_IN_EN: &str = "you are not logged in, or your session expired";

/// The 401 of `GET /api/backups` without a session.
async fn not_logged_in(c: &Client) -> Value {
    let (st, v) = c.get("/api/backups").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["error"]["kind"], "permission_denied", "{v}");
    v["error"].clone()
}

async fn strings_lang(c: &Client) -> String {
    let (st, v) = c.get("/api/strings").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["lang"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_french_browser_gets_french_errors_with_the_same_kinds() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let server = Server::start(&clinic.home).await;
    let fr = speaking(&server, "fr-CM, fr;q=0.9, en;q=0.5");
    let en = speaking(&server, "en-GB");

    // 401: the web's own message and advice.
    let e = not_logged_in(&fr).await;
    assert_eq!(e["message"], NOT_LOGGED_IN_FR, "{e}");
    assert_eq!(e["advice"], "connectez-vous à nouveau", "{e}");
    let e = not_logged_in(&en).await;
    assert_eq!(e["message"], NOT_LOGGED_IN_EN, "{e}");
    assert_eq!(e["advice"], "log in again", "{e}");
    // No Accept-Language at all: English, as before.
    assert_eq!(
        not_logged_in(&server.client()).await["message"],
        NOT_LOGGED_IN_EN
    );

    // 400: a bad request body names the field in French.
    let (st, v) = fr.post("/api/login", json!({"username": "nurse"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["kind"], "usage", "{v}");
    assert_eq!(
        v["error"]["message"], "il manque le champ `password`",
        "{v}"
    );
    assert_eq!(
        v["error"]["advice"], "envoyez l'objet JSON que décrit docs/API.md",
        "{v}"
    );
    let (_, v) = en.post("/api/login", json!({"username": "nurse"})).await;
    assert_eq!(
        v["error"]["message"], "the field `password` is missing",
        "{v}"
    );

    // 401 of a wrong login: the core's words, rendered in the request's
    // language (the same failure, asked of the core directly).
    let Err(core) = carevault_core::auth::authenticate(&clinic.home, "nurse", "not the password")
    else {
        panic!("a wrong password is refused");
    };
    for (c, lang) in [(&fr, Lang::Fr), (&en, Lang::En)] {
        let (st, v) = c.login("nurse", "not the password").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(v["error"]["kind"], "permission_denied", "{v}");
        assert_eq!(v["error"]["message"], core.message_in(lang).as_str(), "{v}");
    }

    // 422 of a wrong passphrase: same kind, the web's advice in French.
    let nurse = logged_in(&server, "nurse", "fr").await;
    let (st, v) = nurse
        .post(
            &format!("/api/backups/{id}/restore-preview"),
            json!({"passphrase": "not the passphrase"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["kind"], "wrong_key", "{v}");
    let advice = v["error"]["advice"].as_str().unwrap();
    assert_eq!(advice, t!("web-advice-passphrase-only").render(Lang::Fr));
    assert!(advice.starts_with("vérifiez la phrase secrète"), "{advice}");
    server.stop().await;
}

#[tokio::test]
async fn the_profiles_language_wins_over_the_browsers() {
    let clinic = Clinic::empty();
    let server = Server::start(&clinic.home).await;
    let en = speaking(&server, "en");
    let fr = speaking(&server, "fr");
    // No language in the profile: the browser's.
    assert_eq!(strings_lang(&fr).await, "fr");
    assert_eq!(strings_lang(&en).await, "en");
    assert_eq!(not_logged_in(&fr).await["message"], NOT_LOGGED_IN_FR);

    // The facility chose French: an English browser gets French. The
    // profile is read for each request: no restart.
    set_profile_language(&clinic.home, "fr");
    assert_eq!(strings_lang(&en).await, "fr");
    assert_eq!(not_logged_in(&en).await["message"], NOT_LOGGED_IN_FR);
    assert_eq!(
        strings_lang(&server.client()).await,
        "fr",
        "no Accept-Language"
    );
    // The Host guard's refusal is in the request's language too.
    let r = en
        .http
        .get(en.url("/api/session"))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["error"]["message"],
        t!("web-bad-host").render(Lang::Fr).as_str(),
        "{v}"
    );

    // English chosen: a French browser gets English.
    set_profile_language(&clinic.home, "en");
    assert_eq!(strings_lang(&fr).await, "en");
    assert_eq!(not_logged_in(&fr).await["message"], NOT_LOGGED_IN_EN);

    // Empty again: the browser's once more.
    set_profile_language(&clinic.home, "");
    assert_eq!(strings_lang(&fr).await, "fr");
    server.stop().await;
}

#[tokio::test]
async fn an_accept_language_over_512_bytes_is_ignored() {
    let clinic = Clinic::empty();
    let server = Server::start(&clinic.home).await;
    let header = |len: usize| {
        let mut h = String::from("fr");
        while h.len() < len {
            h.push_str(", de;q=0.1");
        }
        h.truncate(len);
        h
    };
    let fits = header(512);
    assert_eq!(fits.len(), 512);
    let c = speaking(&server, &fits);
    assert_eq!(strings_lang(&c).await, "fr", "512 bytes are read");
    assert_eq!(not_logged_in(&c).await["message"], NOT_LOGGED_IN_FR);
    let over = header(513);
    let c = speaking(&server, &over);
    assert_eq!(strings_lang(&c).await, "en", "513 bytes are not");
    assert_eq!(not_logged_in(&c).await["message"], NOT_LOGGED_IN_EN);
    server.stop().await;
}

#[tokio::test]
async fn a_jobs_events_are_in_the_language_of_the_request_that_started_it() {
    let clinic = Clinic::demo();
    let file = clinic.backup(Medium::Private, Some(PASS));
    let id = carevault_core::catalog::id_of(&file).unwrap();
    let server = Server::start(&clinic.home).await;
    let fr = logged_in(&server, "nurse", "fr").await;
    let en = logged_in(&server, "nurse", "en").await;
    let french = t!("web-advice-passphrase-only").render(Lang::Fr);
    let english = t!("web-advice-passphrase-only").render(Lang::En);
    assert_ne!(french, english);
    for (starter, other, advice) in [(&fr, &en, &french), (&en, &fr, &english)] {
        let (st, v) = starter
            .post(
                &format!("/api/backups/{id}/verify"),
                json!({"passphrase": "not the passphrase"}),
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED, "{v}");
        let job = v["job_id"].as_str().unwrap().to_string();
        // Read by the other session, in the other language: the events
        // and the job's state are still in the starter's.
        let events = other.events(&job).await;
        let last = events.last().expect("a last event");
        assert_eq!(last["state"], "failed", "{last}");
        assert_eq!(last["error"]["kind"], "wrong_key", "{last}");
        assert_eq!(last["error"]["advice"], advice.as_str(), "{last}");
        let (_, v) = other.get(&format!("/api/jobs/{job}")).await;
        assert_eq!(v["error"]["advice"], advice.as_str(), "{v}");
        assert_eq!(v["phase"], "failed", "{v}");
    }
    server.stop().await;
}
