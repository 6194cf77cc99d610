//! Faults on the way to the store: a kill mid-upload, cut connections,
//! 5xx answers, bodies damaged in transit, a wrong clock.

use crate::fixture::*;
use crate::proxy::{Fault, Proxy, Rule};
use crate::servers::{self, Server, AK, BUCKET, SK};
use crate::support::*;
use carevault_offsite::Clock;

#[test]
fn rerun_after_a_kill_mid_upload_sends_only_the_missing_parts() {
    // s3s-fs has no ListParts: the rerun goes by the journal.
    let Some(s) = servers::s3s_fs("kill mid-upload") else {
        return;
    };
    kill_then_resume(&s, false);
}

#[test]
fn rerun_after_a_kill_mid_upload_sends_only_the_missing_parts_on_moto() {
    // moto lists the parts: the rerun checks the journal against ListParts.
    let Some(s) = servers::moto("kill mid-upload on moto", None) else {
        return;
    };
    servers::boto(&s, &format!("s3.create_bucket(Bucket='{BUCKET}')\n"));
    kill_then_resume(&s, false);
}

#[test]
fn an_upload_the_store_forgot_starts_again_from_the_first_part() {
    // Between the kill and the rerun the bucket's lifecycle (here: an
    // administrator) aborts the upload: the journal's upload ID is gone.
    let Some(s) = servers::moto("forgotten upload", None) else {
        return;
    };
    servers::boto(&s, &format!("s3.create_bucket(Bucket='{BUCKET}')\n"));
    kill_then_resume(&s, true);
}

/// Kills a push while part 3 is on its way, then reruns it; with `abort`,
/// every unfinished upload in the bucket is aborted in between.
fn kill_then_resume(s: &Server, abort: bool) {
    kill_then_resume_with(s, abort, (AK, SK));
}

/// A push killed while part 3 of its upload was on its way: parts 1 and
/// 2 are in the store and in the journal.
pub struct Killed {
    pub p: Proxy,
    pub c: Clinic,
    pub made: std::path::PathBuf,
    pub journal: std::path::PathBuf,
    pub parts: u32,
}

/// Starts a push through a proxy in front of `s` with the tablet's key
/// `keys`, and kills it while part 3 hangs.
pub fn kill_mid_upload(s: &Server, keys: (&str, &str)) -> Killed {
    let p = Proxy::start(s.port);
    // Part 3 never reaches the server: the kill comes while it hangs.
    p.add(Rule {
        method: "PUT",
        target: "partNumber=3&",
        times: 1,
        fault: Fault::Stall,
    });
    let c = clinic(130, &p.endpoint(), keys, "");
    let made = c.backup();
    let size = std::fs::metadata(&made).unwrap().len();
    let parts = size.div_ceil(5 << 20) as u32;
    assert!(parts >= 4, "{size} bytes make {parts} parts");
    let mut child = bin()
        .args(["--json", "offsite", "push", "--all", "--home", c.h()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // When part 3 is asked for, parts 1 and 2 are journalled: kill then.
    loop {
        let e = p.events.recv().expect("proxy events");
        if e.method == "PUT" && e.target.contains("partNumber=3&") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        marked(&c).as_object().unwrap().is_empty(),
        "nothing marked after the kill"
    );
    let journal = c
        .home
        .join("private/offsite/journal")
        .join(format!("{}.json", backup_id(&made)));
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&journal).unwrap()).unwrap();
    assert_eq!(
        j["parts"].as_object().unwrap().len(),
        2,
        "parts 1 and 2 journalled: {j}"
    );
    Killed {
        p,
        c,
        made,
        journal,
        parts,
    }
}

/// [`kill_then_resume`] with the tablet's key `keys`.
pub fn kill_then_resume_with(s: &Server, abort: bool, keys: (&str, &str)) {
    let Killed {
        p,
        c,
        made,
        journal,
        parts,
    } = kill_mid_upload(s, keys);
    if abort {
        let n = servers::boto(
            s,
            &format!(
                "n = 0\nfor u in s3.list_multipart_uploads(Bucket='{BUCKET}').get('Uploads', []):\n    s3.abort_multipart_upload(Bucket='{BUCKET}', Key=u['Key'], UploadId=u['UploadId']); n += 1\nprint(n)\n"
            ),
        );
        assert_eq!(n.trim(), "1", "one unfinished upload was aborted");
    }
    p.drain();
    ok(&push(&c));
    let sent: Vec<u32> = p
        .drain()
        .iter()
        .filter(|e| e.method == "PUT" && e.target.contains("partNumber="))
        .map(|e| {
            e.target
                .split("partNumber=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(
        sent,
        (if abort { 1 } else { 3 }..=parts).collect::<Vec<_>>(),
        "only the missing parts are sent"
    );
    let store = store_at_with(&s.endpoint(), &c.root().join("j"), Clock::system(), 3, keys);
    let name = made.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        download(&store, name, c.root()),
        std::fs::read(&made).unwrap()
    );
    assert!(
        !journal.exists(),
        "the journal is removed once the object is checked"
    );
}

#[test]
fn connection_cut_mid_part_and_at_a_part_boundary_is_retried_to_a_whole_object() {
    let Some(s) = servers::s3s_fs("cut connections") else {
        return;
    };
    let p = Proxy::start(s.port);
    let t = tempfile::tempdir().unwrap();
    let file = random_file(t.path(), "Backup-cut.bin", (12 << 20) + 12345);
    p.add(Rule {
        method: "PUT",
        target: "partNumber=1&",
        times: 1,
        fault: Fault::CutMidBody(1 << 20),
    });
    p.add(Rule {
        method: "PUT",
        target: "partNumber=2&",
        times: 1,
        fault: Fault::CutAfterBody,
    });
    let store = store_at(&p.endpoint(), &t.path().join("journal"), Clock::system(), 4);
    let info = store
        .put_checked("Backup-cut.bin", &file, &carevault_core::NoProgress)
        .unwrap();
    assert_eq!(info.size, std::fs::metadata(&file).unwrap().len());
    let seen = p.drain();
    assert!(
        seen.iter().filter(|e| e.fault.is_some()).count() == 2,
        "both cuts happened: {seen:?}"
    );
    assert_eq!(
        download(&store, "Backup-cut.bin", t.path()),
        std::fs::read(&file).unwrap()
    );
}

#[test]
fn server_answering_500_then_503_slow_down_then_success_is_retried() {
    let Some(s) = servers::s3s_fs("5xx retries") else {
        return;
    };
    let p = Proxy::start(s.port);
    let t = tempfile::tempdir().unwrap();
    let file = random_file(t.path(), "Backup-5xx.bin", 300_000);
    p.add(Rule {
        method: "PUT",
        target: "Backup-5xx.bin",
        times: 1,
        fault: Fault::Respond(500, "InternalError"),
    });
    p.add(Rule {
        method: "PUT",
        target: "Backup-5xx.bin",
        times: 1,
        fault: Fault::Respond(503, "SlowDown"),
    });
    let store = store_at(&p.endpoint(), &t.path().join("journal"), Clock::system(), 4);
    store
        .put_checked("Backup-5xx.bin", &file, &carevault_core::NoProgress)
        .unwrap();
    let puts = p.drain().into_iter().filter(|e| e.method == "PUT").count();
    assert_eq!(puts, 3, "two refused tries, then the one that worked");
    assert_eq!(
        download(&store, "Backup-5xx.bin", t.path()),
        std::fs::read(&file).unwrap()
    );
    // A store that keeps failing: Unreachable after the bounded tries.
    p.add(Rule {
        method: "PUT",
        target: "Backup-503.bin",
        times: 100,
        fault: Fault::Respond(503, "SlowDown"),
    });
    let file2 = random_file(t.path(), "Backup-503.bin", 1000);
    let e = store
        .put_checked("Backup-503.bin", &file2, &carevault_core::NoProgress)
        .unwrap_err();
    assert_eq!(
        e.kind(),
        carevault_core::Kind::Unreachable,
        "{}",
        e.message()
    );
    assert!(store.head("backups/Backup-503.bin").unwrap().is_none());
}

#[test]
fn a_wrong_content_md5_is_refused_by_s3s_fs_and_the_backup_is_not_marked_offsite() {
    let Some(s) = servers::s3s_fs("wrong Content-MD5") else {
        return;
    };
    let p = Proxy::start(s.port);
    let c = clinic(2, &p.endpoint(), (AK, SK), "");
    let made = c.backup();
    // Every upload of the backup arrives with a flipped byte.
    p.add(Rule {
        method: "PUT",
        target: "/backups/Backup-",
        times: 1000,
        fault: Fault::Corrupt,
    });
    let out = push_text(&c);
    assert_fails(&out, 6, "BadDigest");
    assert!(marked(&c).get(backup_id(&made)).is_none());
    // s3s-fs keeps the refused body under the key: whatever it holds is
    // not taken for the backup.
    let store = store_at(&s.endpoint(), &c.root().join("j"), Clock::system(), 3);
    let name = made.file_name().unwrap().to_str().unwrap();
    if store.head(&format!("backups/{name}")).unwrap().is_some() {
        assert_ne!(
            download(&store, name, c.root()),
            std::fs::read(&made).unwrap()
        );
    }
    let st = json(&run(&["--json", "offsite", "status", "--home", c.h()]));
    assert_eq!(st["pending"][0]["id"], backup_id(&made).as_str(), "{st}");
}

#[test]
fn part_md5s_handed_to_the_upload_that_are_not_the_file_s_are_refused_and_nothing_is_stored() {
    // A push hands the upload the part MD5s of its own read of the file;
    // the upload sends them as Content-MD5 without reading the file again.
    let Some(s) = servers::s3s_fs("part MD5s handed to the upload") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let name = "Backup-20260101-000000-0badd5e5.bin";
    let file = random_file(t.path(), name, (5 << 20) * 2 + 100);
    let store = store_at(&s.endpoint(), &t.path().join("journal"), Clock::system(), 1);
    // One MD5 per part (three), none the file's: s3s-fs 0.14 does not
    // check Content-MD5 on UploadPart, so the part's ETag (the MD5 of
    // what arrived) is compared with the MD5 handed over, found different,
    // and the upload fails; no object is made.
    let wrong = [[0u8; 16]; 3];
    let e = store
        .put_checked_with(name, &file, Some(&wrong), &carevault_core::NoProgress)
        .unwrap_err();
    assert_eq!(e.kind(), carevault_core::Kind::Corrupted, "{}", e.message());
    assert!(
        e.message().contains("not the MD5 of the data sent"),
        "{}",
        e.message()
    );
    assert!(store.head(&format!("backups/{name}")).unwrap().is_none());
    // A list that does not have one MD5 per part is not used: the upload
    // reads the file for them, and the object is the file (a fresh upload
    // under another name).
    let name = "Backup-20260101-000000-0badd5e6.bin";
    let file = random_file(t.path(), name, (5 << 20) * 2 + 100);
    let short = [[0u8; 16]; 2];
    let info = store
        .put_checked_with(name, &file, Some(&short), &carevault_core::NoProgress)
        .unwrap();
    assert_eq!(info.size, std::fs::metadata(&file).unwrap().len());
    assert_eq!(
        download(&store, name, t.path()),
        std::fs::read(&file).unwrap()
    );
}

#[test]
fn a_body_damaged_in_transit_that_moto_accepts_is_caught_by_the_etag_check() {
    // moto does not check Content-MD5: the ETag comparison must.
    let Some(s) = servers::moto("damaged body on moto", None) else {
        return;
    };
    servers::boto(&s, &format!("s3.create_bucket(Bucket='{BUCKET}')\n"));
    let p = Proxy::start(s.port);
    let c = clinic(2, &p.endpoint(), (AK, SK), "");
    let made = c.backup();
    p.add(Rule {
        method: "PUT",
        target: "/backups/Backup-",
        times: 1000,
        fault: Fault::Corrupt,
    });
    let out = push_text(&c);
    assert_fails(&out, 6, "not the MD5 of the data sent");
    assert!(
        marked(&c).get(backup_id(&made)).is_none(),
        "not marked offsite"
    );
    // The next push meets the damaged object: refused, never overwritten.
    let out = push_text(&c);
    assert_fails(&out, 17, "left as it is");
    assert!(marked(&c).get(backup_id(&made)).is_none());
}

#[test]
fn clock_skew_of_two_hours_is_corrected_from_the_server_date() {
    let Some(s) = servers::s3s_fs("clock skew") else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    for skew in [2 * 3600, -2 * 3600] {
        let name = format!("Backup-skew{skew}.bin");
        let file = random_file(t.path(), &name, 50_000);
        // One try only: s3s-fs refuses the skewed signature; the offset is
        // learnt from that answer's Date all the same.
        let once = store_at(
            &s.endpoint(),
            &t.path().join("journal"),
            Clock::skewed(skew),
            1,
        );
        let e = once
            .put_checked(&name, &file, &carevault_core::NoProgress)
            .unwrap_err();
        assert_eq!(
            e.kind(),
            carevault_core::Kind::Unreachable,
            "{}",
            e.message()
        );
        // With retries, the next try is signed with the corrected time.
        let store = store_at(
            &s.endpoint(),
            &t.path().join("journal"),
            Clock::skewed(skew),
            3,
        );
        store
            .put_checked(&name, &file, &carevault_core::NoProgress)
            .unwrap();
        let off = store.clock_offset();
        assert!(
            (-skew - 60..=-skew + 60).contains(&off),
            "skew {skew}: offset {off}"
        );
        assert_eq!(
            download(&store, &name, t.path()),
            std::fs::read(&file).unwrap()
        );
    }
}
