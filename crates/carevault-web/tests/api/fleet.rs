//! The fleet page of `carevault fleet serve` (docs/API.md, "The fleet
//! page") against a real S3 server (s3s-fs) holding a small fleet.

use crate::fleet_fixture::*;
use crate::{relay, servers};
use reqwest::{Method, StatusCode};
use serde_json::Value;

async fn call(
    base: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut rb = reqwest::Client::new().request(method, format!("{base}{path}"));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().await.unwrap();
    let st = r.status();
    let text = r.text().await.unwrap();
    (st, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str) -> (StatusCode, Value) {
    call(base, Method::GET, path, &[]).await
}

/// `POST /api/fleet/refresh` as the page sends it (its own Origin).
async fn refresh(base: &str) -> (StatusCode, Value) {
    call(
        base,
        Method::POST,
        "/api/fleet/refresh",
        &[("Origin", base)],
    )
    .await
}

fn at_risk(doc: &Value) -> Vec<String> {
    doc["at_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["facility"].as_str().unwrap(),
                d["device"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_page_answers_the_cli_report_with_the_at_risk_device_and_its_reasons_in_french() {
    let Some(srv) = servers::s3s_fs("fleet page report") else {
        return;
    };
    fill(&writer(&srv.endpoint()));
    let page = FleetServer::start(&srv.endpoint(), None).await;

    let (st, doc) = get(&page.url, "/api/fleet").await;
    assert_eq!(st, StatusCode::OK, "{doc}");
    assert_eq!(doc["store"], format!("s3://{}/{PREFIX}", servers::BUCKET));
    assert_eq!(doc["policy_days"], 7);
    assert_eq!(doc["generation"], 1);
    assert_eq!(doc["refreshing"], 0);
    assert_eq!(
        doc["refresh"]["read"], 6,
        "three sidecars and three events: {doc}"
    );
    assert_eq!(doc["devices"].as_array().unwrap().len(), 2, "{doc}");
    assert_eq!(at_risk(&doc), ["mathare/dev2"], "{doc}");
    let reason = doc["at_risk"][0]["reasons"][0].as_str().unwrap();
    assert!(reason.contains("days old"), "{reason}");
    let dev1 = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == "dev1")
        .unwrap();
    assert_eq!(dev1["newest_backup"]["id"], "k2");
    assert_eq!(dev1["audit_anchor"]["status"], "ok");
    assert_eq!(dev1["at_risk"].as_array().unwrap().len(), 0);

    // French: the same report, its sentences in French.
    let (st, fr) = call(
        &page.url,
        Method::GET,
        "/api/fleet",
        &[("Accept-Language", "fr-FR,fr;q=0.9")],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(at_risk(&fr), ["mathare/dev2"]);
    let reason_fr = fr["at_risk"][0]["reasons"][0].as_str().unwrap();
    assert_ne!(reason_fr, reason, "the French reason is French");
    assert!(reason_fr.contains("jours"), "{reason_fr}");
    let (_, strings) = call(
        &page.url,
        Method::GET,
        "/api/fleet/strings",
        &[("Accept-Language", "fr")],
    )
    .await;
    assert_eq!(strings["lang"], "fr");
    assert_eq!(
        strings["strings"]["ui-fleet-refresh"],
        "Actualiser depuis le compartiment"
    );
    assert!(
        strings["strings"].get("ui-backups").is_none(),
        "only the fleet page's strings"
    );

    // The page itself, under the Backup Explorer's headers.
    let r = reqwest::get(format!("{}/", page.url)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(r.text().await.unwrap().contains("/fleet.js"));
    // No tablet route here.
    assert_eq!(
        get(&page.url, "/api/session").await.0,
        StatusCode::NOT_FOUND
    );
    // A DNS name (rebinding) is refused, as on the Backup Explorer.
    let (st, _) = call(
        &page.url,
        Method::GET,
        "/api/fleet",
        &[("Host", "fleet.example:80")],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_reads_only_the_new_backup_and_the_device_is_no_longer_at_risk() {
    let Some(srv) = servers::s3s_fs("fleet page refresh") else {
        return;
    };
    let s = writer(&srv.endpoint());
    fill(&s);
    let page = FleetServer::start(&srv.endpoint(), None).await;
    new_backup_of_dev2(&s);
    // Not from the page's own origin: refused (CSRF), nothing refreshed.
    let (st, _) = call(&page.url, Method::POST, "/api/fleet/refresh", &[]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(get(&page.url, "/api/fleet").await.1["generation"], 1);

    let (st, doc) = refresh(&page.url).await;
    assert_eq!(st, StatusCode::OK, "{doc}");
    assert_eq!(doc["generation"], 2);
    assert_eq!(
        doc["refresh"]["read"], 2,
        "only the new sidecar and event: {doc}"
    );
    assert_eq!(doc["refresh"]["unchanged"], 6, "{doc}");
    assert!(at_risk(&doc).is_empty(), "{doc}");
    let (_, again) = get(&page.url, "/api/fleet").await;
    assert_eq!(again["generation"], 2);
    assert!(at_risk(&again).is_empty());
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_asked_while_one_runs_join_it_and_the_bucket_is_listed_once() {
    let Some(srv) = servers::s3s_fs("fleet page joined refresh") else {
        return;
    };
    let s = writer(&srv.endpoint());
    fill(&s);
    let relay = relay::Relay::start(srv.port, u64::MAX).await;
    let page = FleetServer::start(&relay.endpoint(), None).await;
    new_backup_of_dev2(&s);
    // The first refresh's listing stops in the relay, for as long as the
    // test needs.
    relay.hold_now();
    let base = page.url.clone();
    let first = tokio::spawn(async move { refresh(&base).await });
    relay.held().await;
    let base = page.url.clone();
    let second = tokio::spawn(async move { refresh(&base).await });
    // Both requests are in: one runs the refresh, one waits for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (_, doc) = get(&page.url, "/api/fleet").await;
        if doc["refreshing"] == 2 {
            assert_eq!(doc["generation"], 1, "no refresh ended yet");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second refresh never arrived: {doc}"
        );
        tokio::task::yield_now().await;
    }
    relay.release();
    let (st1, a) = first.await.unwrap();
    let (st2, b) = second.await.unwrap();
    assert_eq!((st1, st2), (StatusCode::OK, StatusCode::OK), "{a}\n{b}");
    assert_eq!(a["generation"], 2, "{a}");
    assert_eq!(b["generation"], 2, "the second joined the first: {b}");
    assert!(at_risk(&b).is_empty(), "{b}");
    let (_, doc) = get(&page.url, "/api/fleet").await;
    assert_eq!(
        (doc["generation"].clone(), doc["refreshing"].clone()),
        (2.into(), 0.into())
    );
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_every_fleet_route_needs_it_and_the_page_asks_for_it() {
    let Some(srv) = servers::s3s_fs("fleet page token") else {
        return;
    };
    fill(&writer(&srv.endpoint()));
    let token = "0123456789abcdef0123456789abcdef";
    let page = FleetServer::start(&srv.endpoint(), Some(token)).await;
    let (st, body) = get(&page.url, "/api/fleet").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["kind"], "permission_denied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("access token"),
        "{body}"
    );
    let wrong = format!("Bearer {token}x");
    assert_eq!(
        call(
            &page.url,
            Method::GET,
            "/api/fleet",
            &[("Authorization", &wrong)]
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let base = page.url.clone();
    assert_eq!(
        call(
            &page.url,
            Method::POST,
            "/api/fleet/refresh",
            &[("Origin", &base)]
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let right = format!("Bearer {token}");
    let (st, doc) = call(
        &page.url,
        Method::GET,
        "/api/fleet",
        &[("Authorization", &right)],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(at_risk(&doc), ["mathare/dev2"]);
    let (st, doc) = call(
        &page.url,
        Method::POST,
        "/api/fleet/refresh",
        &[("Authorization", &right), ("Origin", &base)],
    )
    .await;
    assert_eq!((st, doc["generation"].clone()), (StatusCode::OK, 2.into()));
    // The page and its strings hold no fleet data: no token needed.
    assert_eq!(get(&page.url, "/").await.0, StatusCode::OK);
    assert_eq!(get(&page.url, "/api/fleet/strings").await.0, StatusCode::OK);
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_that_cannot_reach_the_store_fails_and_the_last_report_stays() {
    let Some(srv) = servers::s3s_fs("fleet page store gone") else {
        return;
    };
    fill(&writer(&srv.endpoint()));
    let page = FleetServer::start(&srv.endpoint(), None).await;
    // The store goes away (its process ends).
    drop(srv);
    let (st, body) = refresh(&page.url).await;
    assert_eq!(st, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(body["error"]["kind"], "unreachable", "{body}");
    let (st, doc) = get(&page.url, "/api/fleet").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (doc["generation"].clone(), doc["refreshing"].clone()),
        (1.into(), 0.into())
    );
    assert_eq!(
        at_risk(&doc),
        ["mathare/dev2"],
        "the last report stays: {doc}"
    );
    page.stop().await;
}

/// Waits until `n` refresh requests are in (running or waiting).
async fn until_refreshing(base: &str, n: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (_, doc) = get(base, "/api/fleet").await;
        if doc["refreshing"] == n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{n} refresh requests never arrived: {doc}"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_waiting_behind_a_failed_refresh_share_its_error_and_start_none() {
    let Some(srv) = servers::s3s_fs("fleet page failed joined refresh") else {
        return;
    };
    fill(&writer(&srv.endpoint()));
    let relay = relay::Relay::start(srv.port, u64::MAX).await;
    let page = FleetServer::start(&relay.endpoint(), None).await;
    // What one failing refresh costs: every try of its requests cut.
    relay.cut();
    let (st, body) = refresh(&page.url).await;
    assert_eq!(st, StatusCode::BAD_GATEWAY, "{body}");
    let one = relay.cuts();
    assert!(one > 0, "the failing refresh tried the store");
    // Now one refresh held in the relay, a second waiting behind it.
    relay.hold_now();
    let base = page.url.clone();
    let first = tokio::spawn(async move { refresh(&base).await });
    relay.held().await;
    let base = page.url.clone();
    let second = tokio::spawn(async move { refresh(&base).await });
    until_refreshing(&page.url, 2).await;
    // The store cannot be reached any more: the held refresh fails.
    relay.release();
    let (st1, a) = first.await.unwrap();
    let (st2, b) = second.await.unwrap();
    assert_eq!(st1, StatusCode::BAD_GATEWAY, "{a}");
    assert_eq!(
        st2,
        StatusCode::BAD_GATEWAY,
        "the waiter answers the failure: {b}"
    );
    assert_eq!(a["error"]["kind"], b["error"]["kind"]);
    assert_eq!(
        relay.cuts(),
        2 * one,
        "the waiter started no refresh of its own: one more failing refresh's tries only"
    );
    let (_, doc) = get(&page.url, "/api/fleet").await;
    assert_eq!(
        (doc["generation"].clone(), doc["refreshing"].clone()),
        (1.into(), 0.into()),
        "the first report stays"
    );
    page.stop().await;
}
