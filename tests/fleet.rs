//! The fleet view, the bucket check and the auditor against real S3
//! servers (s3s-fs and moto, started here on loopback).

#[path = "offsite/fixture.rs"]
mod fixture;
#[path = "fleet/objects.rs"]
mod objects;
#[allow(dead_code)]
#[path = "offsite/proxy.rs"]
mod proxy;
#[path = "offsite/servers.rs"]
mod servers;
mod support;

use objects::*;
use servers::BUCKET;
use support::*;

#[test]
fn index_lists_every_device_with_its_newest_backup_and_marks_the_at_risk_ones() {
    let Some(srv) = servers::s3s_fs("fleet index") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    // Healthy: three backups, each offsite a day ago or less.
    for (i, id) in ["a1", "a2", "a3"].iter().enumerate() {
        let made = n - (3 - i as i64) * DAY;
        put_backup(
            &s,
            "kibera-hc",
            "dev1",
            id,
            1000 + i as u64,
            made,
            Some(made + 60),
            Some((10 + i as u64, id)),
        );
    }
    // Stale: its newest offsite copy is 10 days old.
    for (i, id) in ["b1", "b2"].iter().enumerate() {
        let made = n - (11 - i as i64) * DAY;
        put_backup(
            &s,
            "kibera-hc",
            "dev2",
            id,
            500,
            made,
            Some(made + 60),
            None,
        );
    }
    // Shrinking, and its newest upload never finished (no status event).
    put_backup(
        &s,
        "mathare",
        "dev3",
        "c1",
        4000,
        n - 3 * DAY,
        Some(n - 3 * DAY + 60),
        None,
    );
    put_backup(
        &s,
        "mathare",
        "dev3",
        "c2",
        4100,
        n - 2 * DAY,
        Some(n - 2 * DAY + 60),
        None,
    );
    put_backup(&s, "mathare", "dev3", "c3", 1500, n - DAY, None, None);
    // No offsite copy at all: only a backup object.
    s.put_bytes("mathare/dev4/backups/Backup-d1.bin", b"not a real backup")
        .unwrap();
    // Not a carevault key: ignored.
    s.put_bytes("README.txt", b"hello").unwrap();

    let out = fleet(
        &srv.endpoint(),
        "tablets/",
        &t.path().join("idx.sqlite"),
        &[],
    );
    fixture::ok(&out);
    let r = json(&out);
    assert_eq!(r["devices"].as_array().unwrap().len(), 4, "{r}");
    let d1 = device(&r, "kibera-hc", "dev1");
    assert_eq!(d1["backups"], 3);
    assert_eq!(d1["newest_backup"]["id"], "a3");
    assert_eq!(d1["newest_backup"]["size"], 1002);
    assert_eq!(d1["newest_offsite"]["backup"], "a3");
    assert_eq!(d1["audit_anchor"]["status"], "ok");
    assert_eq!(d1["audit_anchor"]["seq"], 12);
    assert_eq!(d1["at_risk"].as_array().unwrap().len(), 0, "{d1}");
    assert_eq!(device(&r, "kibera-hc", "dev2")["newest_backup"]["id"], "b2");
    assert!(device(&r, "kibera-hc", "dev2")["at_risk"][0]
        .as_str()
        .unwrap()
        .contains("days old"));
    let d3 = device(&r, "mathare", "dev3");
    assert_eq!(d3["newest_backup"]["id"], "c3");
    let reasons = d3["at_risk"].to_string();
    assert!(reasons.contains("shrinking"), "{reasons}");
    assert!(
        reasons.contains("did not finish") && reasons.contains("c3"),
        "{reasons}"
    );
    let d4 = device(&r, "mathare", "dev4");
    assert!(
        d4["at_risk"].to_string().contains("no offsite copy"),
        "{d4}"
    );
    assert_eq!(
        at_risk(&r),
        ["kibera-hc/dev2", "mathare/dev3", "mathare/dev4"],
        "{r}"
    );
    assert_eq!(r["refresh"]["ignored"], 1);

    // The text view names the devices at risk.
    let text = bin()
        .args([
            "fleet",
            "--store",
            &format!("s3://{BUCKET}/tablets/"),
            "--index",
        ])
        .arg(t.path().join("idx.sqlite"))
        .env("CAREVAULT_S3_ENDPOINT", srv.endpoint())
        .env("CAREVAULT_S3_ACCESS_KEY", servers::AK)
        .env("CAREVAULT_S3_SECRET_KEY", servers::SK)
        .output()
        .unwrap();
    fixture::ok(&text);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("AT RISK (3 devices)"), "{text}");
    assert!(text.contains("mathare/dev3"), "{text}");
}

#[test]
fn a_second_run_reads_only_the_new_and_changed_objects() {
    let Some(srv) = servers::s3s_fs("fleet incremental") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    for dev in ["dev1", "dev2", "dev3"] {
        for i in 0..4 {
            let made = n - (5 - i) * DAY;
            put_backup(
                &s,
                "fac",
                dev,
                &format!("{dev}-{i}"),
                100,
                made,
                Some(made + 60),
                None,
            );
        }
    }
    let proxy = proxy::Proxy::start(srv.port);
    let idx = t.path().join("idx.sqlite");
    let first = fleet(&proxy.endpoint(), "tablets/", &idx, &[]);
    fixture::ok(&first);
    let r1 = json(&first);
    assert_eq!(r1["refresh"]["read"], 24, "{r1}");
    let reads = |seen: &[proxy::Seen]| {
        seen.iter()
            .filter(|s| s.method == "GET" && !s.target.contains("list-type=2"))
            .count()
    };
    assert_eq!(
        reads(&proxy.drain()),
        24,
        "the first run reads every sidecar and event"
    );

    // Nothing changed: nothing is read. The walk asks the prefix for its
    // facilities, the facility for its devices, and each device's
    // backups/ and events/ folders for the keys after its last indexed
    // one: 1 + 1 + 3 x 2 listing requests (docs/FLEET.md).
    let again = fleet(&proxy.endpoint(), "tablets/", &idx, &[]);
    fixture::ok(&again);
    let r2 = json(&again);
    assert_eq!(r2["refresh"]["read"], 0);
    assert_eq!(r2["refresh"]["full"], false);
    assert_eq!(
        r2["refresh"]["listed"], 0,
        "no key after the last indexed ones"
    );
    assert_eq!(r2["refresh"]["unchanged"], 24);
    let seen = proxy.drain();
    assert_eq!(reads(&seen), 0, "an unchanged bucket is only listed");
    let lists: Vec<&proxy::Seen> = seen
        .iter()
        .filter(|s| s.target.contains("list-type=2"))
        .collect();
    assert_eq!(lists.len(), 8, "{lists:?}");
    assert_eq!(r2["refresh"]["requests"], 8);
    assert!(lists.iter().all(|s| s.target.contains("delimiter=%2F")));
    let folder_lists: Vec<_> = lists
        .iter()
        .filter(|s| s.target.contains("backups%2F") || s.target.contains("events%2F"))
        .collect();
    assert_eq!(folder_lists.len(), 6, "{lists:?}");
    assert!(
        folder_lists
            .iter()
            .all(|s| s.target.contains("start-after=")),
        "{folder_lists:?}"
    );

    // One new backup on dev2 (sidecar and event): exactly two reads.
    put_backup(
        &s,
        "fac",
        "dev2",
        "dev2-new",
        100,
        n - 60,
        Some(n - 30),
        None,
    );
    let third = fleet(&proxy.endpoint(), "tablets/", &idx, &[]);
    fixture::ok(&third);
    let r3 = json(&third);
    let seen = proxy.drain();
    assert_eq!(reads(&seen), 2, "only the new objects are read: {seen:?}");
    assert!(seen
        .iter()
        .filter(|s| s.method == "GET" && !s.target.contains("list-type=2"))
        .all(|s| s.target.contains("dev2-new")));
    assert_eq!(r3["refresh"]["read"], 2);
    assert_eq!(r3["refresh"]["unchanged"], 24);
    assert_eq!(
        device(&r3, "fac", "dev2")["newest_backup"]["id"],
        "dev2-new"
    );
    assert_eq!(device(&r3, "fac", "dev2")["backups"], 5);
}

#[test]
fn an_older_backup_copied_late_is_found_through_its_status_event_without_a_full_listing() {
    let Some(srv) = servers::s3s_fs("fleet late sidecar") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    for i in 0..2 {
        let made = n - (3 - i) * DAY;
        let id = format!("20260110-00000{i}");
        put_backup(&s, "fac", "dev1", &id, 100, made, Some(made + 60), None);
    }
    let idx = t.path().join("idx.sqlite");
    let proxy = proxy::Proxy::start(srv.port);
    fixture::ok(&fleet(&proxy.endpoint(), "tablets/", &idx, &[]));
    proxy.drain();
    // A backup made before the others, uploaded now: its sidecar sorts
    // before the folder's last indexed key, its event (upload time) after.
    put_backup(
        &s,
        "fac",
        "dev1",
        "20260101-000000",
        100,
        n - 9 * DAY,
        Some(n - 30),
        None,
    );
    let r = json(&fleet(&proxy.endpoint(), "tablets/", &idx, &[]));
    assert_eq!(r["refresh"]["full"], false, "{r}");
    assert_eq!(r["refresh"]["read"], 2, "{r}");
    assert_eq!(r["refresh"]["unchanged"], 4, "{r}");
    let d = device(&r, "fac", "dev1");
    assert_eq!(d["backups"], 3, "{d}");
    assert_eq!(d["newest_offsite"]["backup"], "20260101-000000");
    assert_eq!(d["at_risk"].as_array().unwrap().len(), 0, "{d}");
    let seen = proxy.drain();
    assert!(
        seen.iter()
            .any(|s| s.method == "HEAD"
                && s.target.contains("backups/Backup-20260101-000000.bin.json")),
        "the sidecar is looked up by its key: {seen:?}"
    );
    // The next run has nothing more to read.
    let r = json(&fleet(&proxy.endpoint(), "tablets/", &idx, &[]));
    assert_eq!(r["refresh"]["read"], 0, "{r}");
    assert_eq!(device(&r, "fac", "dev1")["backups"], 3);
}

#[test]
fn a_key_written_before_the_last_indexed_one_is_found_by_the_next_full_listing() {
    let Some(srv) = servers::s3s_fs("fleet full listing") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    for i in 0..3 {
        let made = n - (5 - i) * DAY;
        let id = format!("20260110-00000{i}");
        put_backup(&s, "fac", "dev1", &id, 100, made, Some(made + 60), None);
    }
    let idx = t.path().join("idx.sqlite");
    let first = json(&fleet(&srv.endpoint(), "tablets/", &idx, &[]));
    assert_eq!(first["refresh"]["full"], true, "{first}");
    assert_eq!(device(&first, "fac", "dev1")["backups"], 3);

    // An older backup copied late: its sidecar and its event both sort
    // before the last keys indexed from their folders.
    let made = n - 9 * DAY;
    put_backup(
        &s,
        "fac",
        "dev1",
        "20260101-000000",
        100,
        made,
        Some(made + 60),
        None,
    );
    // Incremental runs ask each folder only for keys after its last one,
    // and miss it; the tenth run after the full one lists everything again.
    for run in 2..=10 {
        let r = json(&fleet(&srv.endpoint(), "tablets/", &idx, &[]));
        assert_eq!(r["refresh"]["full"], false, "run {run}: {r}");
        assert_eq!(r["refresh"]["read"], 0, "run {run}: {r}");
        assert_eq!(device(&r, "fac", "dev1")["backups"], 3, "run {run}");
    }
    let r = json(&fleet(&srv.endpoint(), "tablets/", &idx, &[]));
    assert_eq!(r["refresh"]["full"], true, "{r}");
    assert_eq!(r["refresh"]["read"], 2, "{r}");
    assert_eq!(r["refresh"]["unchanged"], 6, "{r}");
    assert_eq!(device(&r, "fac", "dev1")["backups"], 4);

    // `--full` asks for the same at once, and drops what is gone.
    let late = n - 8 * DAY;
    put_backup(&s, "fac", "dev1", "20260102-000000", 100, late, None, None);
    let dev = store(&srv.endpoint(), "tablets/fac/dev1/");
    carevault_core::store::Store::delete(&dev, "Backup-20260110-000000.bin.json").unwrap();
    let r = json(&fleet(&srv.endpoint(), "tablets/", &idx, &[]));
    assert_eq!(r["refresh"]["full"], false);
    assert_eq!(device(&r, "fac", "dev1")["backups"], 4, "{r}");
    let r = json(&fleet(&srv.endpoint(), "tablets/", &idx, &["--full"]));
    assert_eq!(r["refresh"]["full"], true, "{r}");
    assert_eq!(r["refresh"]["read"], 1, "{r}");
    assert_eq!(r["refresh"]["removed"], 1, "{r}");
    let d = device(&r, "fac", "dev1");
    assert_eq!(d["backups"], 4, "{d}");
    assert!(
        d["at_risk"].to_string().contains("20260102-000000"),
        "the late sidecar has no event: {d}"
    );
}

#[test]
fn hostile_sidecars_and_events_are_reported_per_object() {
    let Some(srv) = servers::s3s_fs("fleet hostile") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    put_backup(
        &s,
        "fac",
        "good",
        "g1",
        100,
        n - DAY,
        Some(n - DAY + 60),
        None,
    );
    let huge = vec![b' '; 200 * 1024];
    s.put_bytes("fac/bad/backups/Backup-huge.bin.json", &huge)
        .unwrap();
    s.put_bytes("fac/bad/backups/Backup-broken.bin.json", b"{\"file\": ")
        .unwrap();
    let mut wrong: serde_json::Value = serde_json::from_slice(&sidecar("wrong", 1, n)).unwrap();
    wrong["size"] = serde_json::json!("twelve");
    s.put_bytes(
        "fac/bad/backups/Backup-wrong.bin.json",
        &serde_json::to_vec(&wrong).unwrap(),
    )
    .unwrap();
    s.put_bytes(
        "fac/bad/events/20260101T000000Z-x.json",
        b"[\"offsite-copy\"]",
    )
    .unwrap();
    let mut ev: serde_json::Value =
        serde_json::from_slice(&event("y", 1, n, n, Some((3, "h")))).unwrap();
    ev["audit_head"] = serde_json::json!([3, "h"]);
    s.put_bytes(
        "fac/bad/events/20260101T000001Z-y.json",
        &serde_json::to_vec(&ev).unwrap(),
    )
    .unwrap();

    let out = fleet(
        &srv.endpoint(),
        "tablets/",
        &t.path().join("idx.sqlite"),
        &[],
    );
    fixture::ok(&out);
    let r = json(&out);
    let problems: Vec<(String, String)> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let msg = |key: &str| {
        problems
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("{key} not reported: {problems:?}"))
            .1
            .clone()
    };
    assert_eq!(problems.len(), 5, "{problems:?}");
    assert!(msg("fac/bad/backups/Backup-huge.bin.json").contains("larger than"));
    assert!(msg("fac/bad/backups/Backup-broken.bin.json").contains("not valid JSON"));
    assert!(msg("fac/bad/backups/Backup-wrong.bin.json").contains("`size`"));
    assert!(msg("fac/bad/events/20260101T000000Z-x.json").contains("not a JSON object"));
    assert!(msg("fac/bad/events/20260101T000001Z-y.json").contains("audit_head"));
    assert!(device(&r, "fac", "bad")["at_risk"]
        .to_string()
        .contains("5 object(s) could not be read"));
    let good = device(&r, "fac", "good");
    assert_eq!(good["newest_backup"]["id"], "g1");
    assert_eq!(good["at_risk"].as_array().unwrap().len(), 0, "{good}");
}

#[test]
fn an_audit_anchor_that_goes_backwards_is_flagged() {
    let Some(srv) = servers::s3s_fs("fleet anchor") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    let heads = [(10, "h10"), (12, "h12"), (11, "h11-rewritten")];
    for (i, head) in heads.iter().enumerate() {
        let made = n - (3 - i as i64) * DAY;
        put_backup(
            &s,
            "fac",
            "rewound",
            &format!("r{i}"),
            100,
            made,
            Some(made + 60),
            Some(*head),
        );
    }
    // Same sequence number, another hash: the trail was rewritten.
    put_backup(
        &s,
        "fac",
        "forked",
        "f0",
        100,
        n - 2 * DAY,
        Some(n - 2 * DAY + 60),
        Some((7, "aaa")),
    );
    put_backup(
        &s,
        "fac",
        "forked",
        "f1",
        100,
        n - DAY,
        Some(n - DAY + 60),
        Some((7, "bbb")),
    );
    put_backup(
        &s,
        "fac",
        "steady",
        "s0",
        100,
        n - 2 * DAY,
        Some(n - 2 * DAY + 60),
        Some((7, "aaa")),
    );
    put_backup(
        &s,
        "fac",
        "steady",
        "s1",
        100,
        n - DAY,
        Some(n - DAY + 60),
        Some((9, "ccc")),
    );

    let out = fleet(
        &srv.endpoint(),
        "tablets/",
        &t.path().join("idx.sqlite"),
        &[],
    );
    fixture::ok(&out);
    let r = json(&out);
    let rewound = device(&r, "fac", "rewound");
    assert_eq!(rewound["audit_anchor"]["status"], "backwards", "{rewound}");
    assert!(rewound["audit_anchor"]["detail"]
        .as_str()
        .unwrap()
        .contains("11 after"));
    assert!(rewound["at_risk"]
        .to_string()
        .contains("audit anchor went backwards"));
    assert_eq!(
        device(&r, "fac", "forked")["audit_anchor"]["status"],
        "backwards"
    );
    assert_eq!(device(&r, "fac", "steady")["audit_anchor"]["status"], "ok");
    assert_eq!(at_risk(&r), ["fac/forked", "fac/rewound"]);
}

fn check_bucket(
    endpoint: &str,
    bucket: &str,
    dir: &std::path::Path,
    keys: (&str, &str),
) -> std::process::Output {
    let conf = config_file(dir, endpoint, keys.0, keys.1);
    bin()
        .args([
            "--json",
            "offsite",
            "check-bucket",
            "--store",
            &format!("s3://{bucket}"),
            "--config",
        ])
        .arg(conf)
        .output()
        .unwrap()
}

#[test]
fn check_bucket_on_moto_reports_versioning_object_lock_and_lifecycle() {
    let Some(srv) = servers::moto("check-bucket on moto", None) else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    servers::boto(
        &srv,
        r#"
s3.create_bucket(Bucket='locked', ObjectLockEnabledForBucket=True)
s3.put_object_lock_configuration(Bucket='locked', ObjectLockConfiguration={'ObjectLockEnabled': 'Enabled', 'Rule': {'DefaultRetention': {'Mode': 'COMPLIANCE', 'Days': 90}}})
s3.put_bucket_lifecycle_configuration(Bucket='locked', LifecycleConfiguration={'Rules': [
  {'ID': 'abort', 'Status': 'Enabled', 'Filter': {'Prefix': ''}, 'AbortIncompleteMultipartUpload': {'DaysAfterInitiation': 7}},
  {'ID': 'expire', 'Status': 'Enabled', 'Filter': {'Prefix': ''}, 'NoncurrentVersionExpiration': {'NoncurrentDays': 120}}]})
s3.create_bucket(Bucket='plain')
s3.create_multipart_upload(Bucket='locked', Key='tablets/gone/backups/Backup-20260101-000000-00000000.bin')
"#,
    );
    let out = check_bucket(&srv.endpoint(), "locked", t.path(), ("testing", "testing"));
    fixture::ok(&out);
    let r = json(&out);
    // The abandoned upload is counted; moto dates every upload 2010, so it
    // is older than the rule's 7 days (moto runs no lifecycle rules).
    assert_eq!(r["incomplete_uploads"]["state"], "listed", "{r}");
    assert_eq!(r["incomplete_uploads"]["count"], 1, "{r}");
    assert_eq!(r["incomplete_uploads"]["older_than_abort_rule"], 1, "{r}");
    let conf = config_file(t.path(), &srv.endpoint(), "testing", "testing");
    let out = bin()
        .args([
            "offsite",
            "check-bucket",
            "--store",
            "s3://locked",
            "--config",
        ])
        .arg(conf)
        .output()
        .unwrap();
    fixture::ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("incomplete uploads: 1 in the bucket"),
        "{text}"
    );
    assert!(
        text.contains("1 of them older than the abort rule's 7 days"),
        "{text}"
    );
    assert_eq!(r["result"], "ok", "{r}");
    assert_eq!(r["check"]["versioning"], "enabled");
    assert_eq!(r["check"]["object_lock"], "enabled");
    assert_eq!(r["check"]["default_retention"]["mode"], "COMPLIANCE");
    assert_eq!(r["check"]["default_retention"]["days"], 90);
    assert_eq!(r["check"]["abort_incomplete_uploads_days"], 7);
    assert_eq!(r["check"]["expire_noncurrent_days"], 120);

    let out = check_bucket(&srv.endpoint(), "plain", t.path(), ("testing", "testing"));
    assert_eq!(
        out.status.code(),
        Some(14),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let r = json(&out);
    assert_eq!(r["result"], "incomplete");
    assert_eq!(r["incomplete_uploads"]["count"], 0, "{r}");
    assert_eq!(r["check"]["versioning"], "not-set");
    let missing = r["check"]["missing"].to_string();
    assert!(missing.contains("versioning is not enabled"), "{missing}");
    assert!(missing.contains("object lock is not enabled"), "{missing}");
    assert!(
        missing.contains("incomplete multipart uploads"),
        "{missing}"
    );
}

#[test]
fn check_bucket_on_s3s_fs_says_the_store_has_none_of_the_settings() {
    let Some(srv) = servers::s3s_fs("check-bucket on s3s-fs") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let out = check_bucket(
        &srv.endpoint(),
        BUCKET,
        t.path(),
        (servers::AK, servers::SK),
    );
    assert_eq!(
        out.status.code(),
        Some(14),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["check"]["versioning"], "not-supported", "{r}");
    assert_eq!(r["check"]["object_lock"], "not-supported");
    assert_eq!(r["check"]["lifecycle"], "not-supported");
    assert_eq!(r["incomplete_uploads"]["state"], "unsupported", "{r}");
    assert!(r["check"]["missing"]
        .to_string()
        .contains("this store does not support"));
    // In words, without --json: the same, and the advice on standard error.
    let conf = config_file(t.path(), &srv.endpoint(), servers::AK, servers::SK);
    let out = bin()
        .args([
            "offsite",
            "check-bucket",
            "--store",
            &format!("s3://{BUCKET}"),
            "--config",
        ])
        .arg(conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(14));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("versioning:   not supported by this store"),
        "{text}"
    );
    assert!(
        text.contains("incomplete uploads: this store cannot list them"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("docs/OFFSITE.md"));
}

#[test]
fn the_auditor_catches_a_damaged_object() {
    let Some(srv) = servers::s3s_fs("fleet audit") else {
        return;
    };
    let c = fixture::clinic(5, &srv.endpoint(), (servers::AK, servers::SK), "");
    let first = c.backup();
    let second = c.backup();
    fixture::ok(&fixture::push(&c));
    let audit = |extra: &[&str]| {
        bin()
            .args([
                "--json",
                "fleet",
                "audit",
                "--store",
                &format!("s3://{BUCKET}/"),
            ])
            .args(extra)
            .env("CAREVAULT_S3_ENDPOINT", srv.endpoint())
            .env("CAREVAULT_S3_ACCESS_KEY", servers::AK)
            .env("CAREVAULT_S3_SECRET_KEY", servers::SK)
            .output()
            .unwrap()
    };
    let out = audit(&[]);
    fixture::ok(&out);
    let r = json(&out);
    assert_eq!(
        (
            r["listed"].as_u64(),
            r["checked"].as_u64(),
            r["ok"].as_u64()
        ),
        (Some(2), Some(2), Some(2)),
        "{r}"
    );
    let out = audit(&["--sample", "1"]);
    fixture::ok(&out);
    assert_eq!(json(&out)["checked"], 1);

    // Bit rot in the bucket: one byte of the first backup's object flips.
    let name = first.file_name().unwrap().to_str().unwrap();
    let obj = srv
        .root()
        .unwrap()
        .join(BUCKET)
        .join(fixture::PREFIX)
        .join("backups")
        .join(name);
    let mut bytes = std::fs::read(&obj).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&obj, bytes).unwrap();
    let out = audit(&[]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let r = json(&out);
    let damaged = r["damaged"].as_array().unwrap();
    assert_eq!(damaged.len(), 1, "{r}");
    assert_eq!(
        damaged[0]["key"],
        format!("{}backups/{name}", fixture::PREFIX)
    );
    assert!(damaged[0]["message"].as_str().unwrap().contains("SHA-256"));
    assert_eq!(r["ok"], 1);
    let _ = second;
}

/// `carevault fleet serve` with `extra`, settings in the environment.
fn fleet_serve(endpoint: &str, index: &std::path::Path, extra: &[&str]) -> std::process::Command {
    let mut c = bin();
    c.args([
        "--json",
        "fleet",
        "serve",
        "--store",
        &format!("s3://{BUCKET}/tablets/"),
        "--index",
    ])
    .arg(index)
    .args(extra)
    .env("CAREVAULT_S3_ENDPOINT", endpoint)
    .env("CAREVAULT_S3_ACCESS_KEY", servers::AK)
    .env("CAREVAULT_S3_SECRET_KEY", servers::SK);
    c
}

#[test]
fn fleet_serve_refuses_a_missing_a_readable_and_a_short_token() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx.sqlite");
    // Nothing listens there: each refusal comes before the store is read.
    let out = fleet_serve("http://127.0.0.1:9", &idx, &["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no access token"),
        "{out:?}"
    );
    let token = t.path().join("token");
    std::fs::write(&token, "0123456789abcdef0123456789abcdef\n").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let tok = token.to_str().unwrap();
    let out = fleet_serve(
        "http://127.0.0.1:9",
        &idx,
        &["--listen", "0.0.0.0:0", "--token-file", tok],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(12), "{out:?}");
    // Refused requests are not throttled: a token shorter than 32
    // characters (here 31, and a short word) is refused.
    for short in ["0123456789abcdef0123456789abcde", "short"] {
        std::fs::write(&token, format!("{short}\n")).unwrap();
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        let out = fleet_serve(
            "http://127.0.0.1:9",
            &idx,
            &["--listen", "0.0.0.0:0", "--token-file", tok],
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(2), "{short}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("32 printable"),
            "{out:?}"
        );
    }
    assert!(!idx.exists(), "nothing was indexed");
}

/// Ends the server also when the test fails half-way (its output stays
/// open until then).
struct Running(
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `carevault fleet serve` on `127.0.0.1:0`, once it listens: the process
/// and the first JSON object it printed (where it listens).
fn serve_started(endpoint: &str, index: &std::path::Path) -> (Running, serde_json::Value) {
    use std::io::BufRead;
    let mut child = fleet_serve(endpoint, index, &["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut running = Running(child, out);
    let mut line = String::new();
    let out = &mut running.1;
    while !line.ends_with("}\n") || line.matches('{').count() != line.matches('}').count() {
        assert!(out.read_line(&mut line).unwrap() > 0, "it ended: {line:?}");
    }
    let started = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (running, started)
}

#[test]
fn fleet_serve_prints_its_address_serves_the_report_and_stops_on_ctrl_c() {
    use std::io::{Read, Write};
    let Some(srv) = servers::s3s_fs("fleet serve") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    put_backup(
        &s,
        "mathare",
        "dev9",
        "z1",
        700,
        n - 9 * DAY,
        Some(n - 9 * DAY + 60),
        None,
    );
    let (mut child, started) = serve_started(&srv.endpoint(), &t.path().join("idx.sqlite"));
    let addr = started["listen"].as_str().unwrap().to_string();
    assert_eq!(started["url"], format!("http://{addr}/"));
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        c,
        "GET /api/fleet HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(at_risk(&body), ["mathare/dev9"], "{body}");
    assert_eq!(body["generation"], 1);
    let st = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn an_object_the_fleet_key_cannot_read_is_a_problem_not_a_failed_refresh() {
    let Some(srv) = servers::s3s_fs("fleet refused object") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let s = store(&srv.endpoint(), "tablets/");
    let n = now();
    for (dev, id) in [
        ("dev1", "a1"),
        ("dev1", "a2"),
        ("dev2", "b1"),
        ("dev3", "c1"),
    ] {
        put_backup(&s, "fac", dev, id, 100, n - DAY, Some(n - DAY + 60), None);
    }
    let a1_event = format!(
        "fac/dev1/events/{}-a1.json",
        ts(n - DAY + 60).replace([':', '-'], "")
    );
    let proxy = proxy::Proxy::start(srv.port);
    let refuse = |target: &'static str, status, code| {
        proxy.add(proxy::Rule {
            method: "GET",
            target,
            times: usize::MAX,
            fault: proxy::Fault::Respond(status, code),
        })
    };
    // A GLACIER event (403 InvalidObjectState), an SSE-C sidecar (400),
    // and one device folder whose listing the store refuses.
    refuse(
        Box::leak(format!("/tablets/{a1_event}").into_boxed_str()),
        403,
        "InvalidObjectState",
    );
    refuse(
        "/tablets/fac/dev1/backups/Backup-a2.bin.json",
        400,
        "InvalidRequest",
    );
    refuse(
        "prefix=tablets%2Ffac%2Fdev2%2Fevents%2F",
        400,
        "InvalidArgument",
    );
    let out = fleet(
        &proxy.endpoint(),
        "tablets/",
        &t.path().join("idx.sqlite"),
        &[],
    );
    fixture::ok(&out);
    let r = json(&out);
    let mut keys: Vec<&str> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "fac/dev1/backups/Backup-a2.bin.json",
            a1_event.as_str(),
            "fac/dev2/events/"
        ],
        "{r}"
    );
    assert!(
        r["problems"].to_string().contains("InvalidObjectState"),
        "{r}"
    );
    assert!(
        r["problems"].to_string().contains("listing was refused"),
        "{r}"
    );
    assert_eq!(device(&r, "fac", "dev1")["problems"], 2, "{r}");
    assert_eq!(device(&r, "fac", "dev2")["problems"], 1, "{r}");
    assert_eq!(device(&r, "fac", "dev3")["problems"], 0, "{r}");
    assert_eq!(device(&r, "fac", "dev3")["newest_backup"]["id"], "c1");

    // `fleet serve` starts on the same bucket: its first refresh succeeds.
    let (child, started) = serve_started(&proxy.endpoint(), &t.path().join("serve.sqlite"));
    assert!(started["listen"].is_string(), "{started}");
    drop(child);

    // A refusal of the key itself still stops the run.
    refuse("/tablets/fac/dev3/backups/", 403, "SignatureDoesNotMatch");
    let out = fleet(
        &proxy.endpoint(),
        "tablets/",
        &t.path().join("other.sqlite"),
        &[],
    );
    assert_eq!(out.status.code(), Some(12), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("SignatureDoesNotMatch"),
        "{out:?}"
    );
}
