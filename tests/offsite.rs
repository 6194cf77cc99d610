//! Offsite copies against real S3 servers (s3s-fs and moto, started here on
//! loopback), with a proxy that cuts connections and injects errors.

#[path = "offsite/abandoned.rs"]
mod abandoned;
#[path = "offsite/faults.rs"]
mod faults;
#[path = "offsite/fixture.rs"]
mod fixture;
#[path = "offsite/iam.rs"]
mod iam;
#[path = "offsite/proxy.rs"]
mod proxy;
#[path = "offsite/servers.rs"]
mod servers;
mod support;

use carevault_core::store::Store;
use carevault_offsite::Clock;
use fixture::*;
use proxy::{Fault, Proxy, Rule};
use servers::{Server, AK, BUCKET, SK};
use std::path::{Path, PathBuf};
use support::*;

fn round_trip(server: &Server) {
    let c = clinic(40, &server.endpoint(), (AK, SK), "");
    let made = c.backup();
    let id = backup_id(&made);
    let out = push(&c);
    ok(&out);
    let j = json(&out);
    assert_eq!(j["copied"][0]["id"], id.as_str(), "{j}");
    assert!(marked(&c).get(&id).is_some(), "recorded as offsite");
    // The sidecar and a status event are there too.
    let listed = json(&run(&["--json", "offsite", "list", "--home", c.h()]));
    assert_eq!(listed["backups"][0]["id"], id.as_str(), "{listed}");
    assert_eq!(listed["backups"][0]["sidecar"], true);
    let st = json(&run(&["--json", "offsite", "status", "--home", c.h()]));
    assert_eq!(st["pending"].as_array().unwrap().len(), 0, "{st}");
    assert!(st["last_success"].is_string());
    let dl = c.root().join("dl");
    let out = run(&[
        "--json",
        "offsite",
        "get",
        &id,
        "--to",
        dl.to_str().unwrap(),
        "--home",
        c.h(),
    ]);
    ok(&out);
    let got = PathBuf::from(json(&out)["path"].as_str().unwrap());
    assert_eq!(
        std::fs::read(&got).unwrap(),
        std::fs::read(&made).unwrap(),
        "byte-identical"
    );
    let before = data_files(&c.home);
    std::fs::remove_dir_all(c.home.join("data/config")).ok();
    let out = run(&[
        "--json",
        "restore",
        "--yes",
        got.to_str().unwrap(),
        "--home",
        c.h(),
        "--passphrase-file",
        c.p(),
    ]);
    ok(&out);
    assert_eq!(
        data_files(&c.home),
        before,
        "restored from the downloaded copy"
    );
}

#[test]
fn push_then_get_round_trip_is_byte_identical_and_restorable_on_s3s_fs() {
    let Some(s) = servers::s3s_fs("round trip on s3s-fs") else {
        return;
    };
    round_trip(&s);
}

#[test]
fn push_then_get_round_trip_is_byte_identical_and_restorable_on_moto() {
    let Some(s) = servers::moto("round trip on moto", None) else {
        return;
    };
    servers::boto(&s, &format!("s3.create_bucket(Bucket='{BUCKET}')\n"));
    round_trip(&s);
}

#[test]
fn an_existing_object_with_the_same_key_is_never_overwritten() {
    let Some(s) = servers::s3s_fs("existing object") else {
        return;
    };
    let c = clinic(2, &s.endpoint(), (AK, SK), "");
    let made = c.backup();
    let name = made.file_name().unwrap().to_str().unwrap().to_string();
    let store = store_at(&s.endpoint(), &c.root().join("j"), Clock::system(), 3);
    let planted = random_file(c.root(), "planted", 4000);
    store
        .put_checked(&name, &planted, &carevault_core::NoProgress)
        .unwrap();
    let out = push_text(&c);
    assert_fails(&out, 17, "left as it is");
    assert!(
        marked(&c).get(backup_id(&made)).is_none(),
        "not marked offsite"
    );
    assert_eq!(
        download(&store, &name, c.root()),
        std::fs::read(&planted).unwrap(),
        "the stored object is unchanged"
    );
    let st = json(&run(&["--json", "offsite", "status", "--home", c.h()]));
    assert_eq!(st["last_error"]["code"], "exists", "{st}");
}

#[test]
fn a_key_that_may_not_delete_pushes_and_retention_never_touches_the_store() {
    // The store refuses every DELETE as a put-only key's policy would
    // (AccessDenied), here through a proxy in front of s3s-fs; the same
    // with a real IAM policy on moto is tests/offsite/iam.rs.
    let Some(s) = servers::s3s_fs("put-only key") else {
        return;
    };
    let p = Proxy::start(s.port);
    p.add(Rule {
        method: "DELETE",
        target: "/",
        times: 1000,
        fault: Fault::Respond(403, "AccessDenied"),
    });
    let c = clinic(
        2,
        &p.endpoint(),
        (AK, SK),
        "[auto]\ninterval_hours = 0\nkeep = 1\n",
    );
    ok(&run(&["--json", "auto", "--home", c.h()]));
    ok(&run(&["--json", "auto", "--home", c.h()]));
    let autos = |c: &Clinic| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(c.home.join("private/backups"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".bin"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        autos(&c).len(),
        2,
        "retention kept the backup that is not offsite"
    );
    ok(&push(&c));
    let pushed: Vec<String> = marked(&c).as_object().unwrap().keys().cloned().collect();
    assert_eq!(pushed.len(), 2);
    // Both are offsite now: retention deletes the older local files only.
    ok(&run(&["--json", "auto", "--home", c.h()]));
    // (The three were made within a second or so, so which one sorts as
    // the newest may vary; the one not offsite is kept either way.)
    let left = autos(&c);
    let gone: Vec<&String> = pushed
        .iter()
        .filter(|id| !left.contains(&format!("Backup-{id}.bin")))
        .collect();
    assert!(
        !gone.is_empty(),
        "an offsite copy let retention delete: {left:?}"
    );
    assert!(
        left.iter()
            .any(|n| !pushed.iter().any(|id| n.contains(id.as_str()))),
        "the backup not offsite yet is kept: {left:?}"
    );
    let seen = p.drain();
    assert!(
        !seen.iter().any(|e| e.method == "DELETE"),
        "nothing asked the store to delete: {seen:?}"
    );
    let store = store_at(&p.endpoint(), &c.root().join("j"), Clock::system(), 2);
    for id in &pushed {
        let name = format!("Backup-{id}.bin");
        assert!(
            store.head(&format!("backups/{name}")).unwrap().is_some(),
            "{name} is still in the store"
        );
        let e = store.delete(&name).unwrap_err();
        assert_eq!(
            e.kind(),
            carevault_core::Kind::PermissionDenied,
            "{}",
            e.message()
        );
    }
}

#[test]
fn retention_keeps_a_backup_that_is_not_offsite() {
    // No server needed: the store is configured but never reached.
    let c = clinic(
        2,
        "http://127.0.0.1:9",
        (AK, SK),
        "[auto]\ninterval_hours = 0\nkeep = 1\n",
    );
    for _ in 0..3 {
        ok(&run(&["--json", "auto", "--home", c.h()]));
    }
    let n = std::fs::read_dir(c.home.join("private/backups"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bin"))
        .count();
    assert_eq!(
        n, 3,
        "no automatic backup left the tablet before it was offsite"
    );
    // An unreachable store: exit 16, nothing marked.
    let out = push_text(&c);
    assert_fails(&out, 16, "could not be reached");
    assert!(marked(&c).as_object().unwrap().is_empty());
}

#[test]
fn credentials_readable_by_others_are_refused() {
    let c = clinic(2, "http://127.0.0.1:9", (AK, SK), "");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        c.home.join("private/offsite-credentials"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = push_text(&c);
    assert_fails(&out, 12, "other users");
}

#[test]
fn get_resumes_a_partial_download_and_refuses_one_that_does_not_match_its_sidecar() {
    let Some(s) = servers::s3s_fs("get resume") else {
        return;
    };
    let p = Proxy::start(s.port);
    let c = clinic(40, &p.endpoint(), (AK, SK), "");
    let made = c.backup();
    let id = backup_id(&made);
    let name = made.file_name().unwrap().to_str().unwrap().to_string();
    ok(&push(&c));
    // A download that stopped after 1 MiB: only the rest is asked for.
    let dl = c.root().join("dl");
    std::fs::create_dir(&dl).unwrap();
    let bytes = std::fs::read(&made).unwrap();
    std::fs::write(
        dl.join(format!(".carevault-tmp-offsite-{name}")),
        &bytes[..1 << 20],
    )
    .unwrap();
    p.drain();
    ok(&run(&[
        "--json",
        "offsite",
        "get",
        &id,
        "--to",
        dl.to_str().unwrap(),
        "--home",
        c.h(),
    ]));
    let ranges: Vec<String> = p
        .drain()
        .into_iter()
        .filter(|e| e.method == "GET" && e.target.contains(&name) && !e.target.contains(".json"))
        .filter_map(|e| {
            e.head
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("range:"))
                .map(str::to_string)
        })
        .collect();
    assert!(
        ranges[0].contains(&format!("bytes={}-", 1 << 20)),
        "{ranges:?}"
    );
    assert_eq!(std::fs::read(dl.join(&name)).unwrap(), bytes);
    assert!(!dl.join(format!(".carevault-tmp-offsite-{name}")).exists());

    // An object whose bytes differ from what its sidecar says.
    let store = store_at(&s.endpoint(), &c.root().join("j"), Clock::system(), 3);
    let fake = random_file(c.root(), "Backup-20260101-000000-0badc0de.bin", bytes.len());
    store
        .put_checked(
            "Backup-20260101-000000-0badc0de.bin",
            &fake,
            &carevault_core::NoProgress,
        )
        .unwrap();
    let mut side: serde_json::Value = serde_json::from_slice(
        &store
            .get_small(&format!("backups/{name}.json"), 1 << 20)
            .unwrap(),
    )
    .unwrap();
    side["file"] = "Backup-20260101-000000-0badc0de.bin".into();
    store
        .put_bytes(
            "backups/Backup-20260101-000000-0badc0de.bin.json",
            &serde_json::to_vec(&side).unwrap(),
        )
        .unwrap();
    let dl2 = c.root().join("dl2");
    let out = run(&[
        "offsite",
        "get",
        "20260101-000000-0badc0de",
        "--to",
        dl2.to_str().unwrap(),
        "--home",
        c.h(),
    ]);
    assert_fails(&out, 6, "SHA-256");
    let left: Vec<_> = std::fs::read_dir(&dl2).unwrap().flatten().collect();
    assert!(left.is_empty(), "nothing is left in the folder: {left:?}");
}

#[test]
fn a_replacement_tablet_lists_gets_and_restores_the_lost_tablets_copy_by_device() {
    let Some(s) = servers::s3s_fs("replacement tablet") else {
        return;
    };
    let lost = clinic(2, &s.endpoint(), (AK, SK), "");
    let profile = std::fs::read_to_string(lost.home.join("carevault.toml")).unwrap();
    let profile = profile.replace(
        &format!("prefix = \"{PREFIX}\""),
        "prefix = \"tablets/{device}/\"",
    );
    std::fs::write(lost.home.join("carevault.toml"), &profile).unwrap();
    let made = lost.backup();
    ok(&push(&lost));
    let key_id = json(&run(&["--json", "trust", "list", "--home", lost.h()]))["device"]["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A new tablet: no clinic data, no users; the profile and the bucket's
    // credentials only. No login is asked for.
    let t = tempfile::tempdir().unwrap();
    let fresh = t.path().join("clinic");
    std::fs::create_dir_all(fresh.join("private")).unwrap();
    std::fs::write(fresh.join("carevault.toml"), &profile).unwrap();
    std::fs::copy(
        lost.home.join("private/offsite-credentials"),
        fresh.join("private/offsite-credentials"),
    )
    .unwrap();
    let h = fresh.to_str().unwrap();
    let nobody = |args: &[&str]| {
        bin()
            .env_remove("CAREVAULT_USER")
            .env_remove("CAREVAULT_PASSWORD")
            .args(args)
            .output()
            .unwrap()
    };
    let theirs = nobody(&[
        "--json", "offsite", "list", "--device", &key_id, "--home", h,
    ]);
    ok(&theirs);
    assert_eq!(json(&theirs)["backups"][0]["id"], backup_id(&made).as_str());
    let dl = t.path().join("dl");
    let out = nobody(&[
        "--json",
        "offsite",
        "get",
        &backup_id(&made),
        "--device",
        &key_id,
        "--to",
        dl.to_str().unwrap(),
        "--home",
        h,
    ]);
    ok(&out);
    let got = dl.join(made.file_name().unwrap());
    assert_eq!(std::fs::read(&got).unwrap(), std::fs::read(&made).unwrap());
    // ...and back in service: the first-run restore of the downloaded copy.
    ok(&nobody(&[
        "--json",
        "restore",
        "--yes",
        got.to_str().unwrap(),
        "--home",
        h,
        "--passphrase-file",
        lost.p(),
    ]));
    let rel = |home: &Path| -> Vec<(String, u64)> {
        data_files(home)
            .into_iter()
            .map(|(p, n)| (p.replacen(home.to_str().unwrap(), "", 1), n))
            .collect()
    };
    assert_eq!(
        rel(&fresh),
        rel(&lost.home),
        "the lost tablet's data is back"
    );
}

#[test]
fn clinic_staff_may_not_push_offsite_and_the_refusal_is_audited() {
    let c = clinic(2, "http://127.0.0.1:9", (AK, SK), "");
    c.backup();
    let out = bin()
        .env("CAREVAULT_USER", "staff")
        .env("CAREVAULT_PASSWORD", "staff-demo-pass")
        .args(["offsite", "push", "--all", "--home", c.h()])
        .output()
        .unwrap();
    assert_fails(&out, 12, "may not");
    let log = std::fs::read_to_string(c.home.join("private/audit.log")).unwrap();
    assert!(
        log.lines()
            .last()
            .unwrap()
            .contains("\"outcome\":\"refused\""),
        "{log}"
    );
    assert!(marked(&c).as_object().unwrap().is_empty());
}

#[test]
fn a_bandwidth_limit_paces_the_upload() {
    let Some(s) = servers::s3s_fs("bandwidth limit") else {
        return;
    };
    // 100 KiB/s: a backup of ~300 KB cannot go in much under 2.5 s (a
    // lower bound, which a loaded machine only makes longer).
    let c = clinic(2, &s.endpoint(), (AK, SK), "");
    let profile = std::fs::read_to_string(c.home.join("carevault.toml")).unwrap();
    std::fs::write(
        c.home.join("carevault.toml"),
        format!("{profile}bandwidth_kib_per_s = 100\n"),
    )
    .unwrap();
    let made = c.backup();
    let size = std::fs::metadata(&made).unwrap().len() as f64;
    let start = std::time::Instant::now();
    ok(&push(&c));
    let took = start.elapsed().as_secs_f64();
    let least = (size - 25.0 * 1024.0) / (100.0 * 1024.0);
    assert!(
        took >= least * 0.95,
        "{size} bytes in {took:.2} s (at least {least:.2} s)"
    );
}

#[test]
fn a_wrong_secret_key_and_a_missing_bucket_have_their_own_messages() {
    // s3s-fs checks signatures (moto without IAM does not)...
    let Some(s) = servers::s3s_fs("wrong secret") else {
        return;
    };
    let c = clinic(2, &s.endpoint(), (AK, "not-the-secret-key"), "");
    c.backup();
    assert_fails(&push_text(&c), 12, "offsite key");
    assert!(marked(&c).as_object().unwrap().is_empty());
    // ...and moto has no bucket it was not asked to make (s3s-fs makes one
    // on the first PUT).
    let Some(m) = servers::moto("missing bucket", None) else {
        return;
    };
    let c = clinic(2, &m.endpoint(), (AK, SK), "");
    c.backup();
    assert_fails(&push_text(&c), 3, "the bucket does not exist");
    assert!(marked(&c).as_object().unwrap().is_empty());
}
