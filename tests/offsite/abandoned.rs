//! `offsite status` and the incomplete multipart uploads under the
//! tablet's prefix: the one its journal resumes, the abandoned ones.

use crate::faults::{kill_mid_upload, Killed};
use crate::fixture::*;
use crate::servers::{self, AK, BUCKET, SK};
use crate::support::*;

fn uploads(c: &Clinic) -> serde_json::Value {
    let out = run(&["--json", "offsite", "status", "--home", c.h()]);
    ok(&out);
    json(&out)["incomplete_uploads"].clone()
}

fn status_text(c: &Clinic) -> String {
    let out = run(&["offsite", "status", "--home", c.h()]);
    ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

fn journal_upload_id(journal: &std::path::Path) -> String {
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(journal).unwrap()).unwrap();
    j["upload_id"].as_str().unwrap().to_string()
}

#[test]
fn an_upload_left_by_a_killed_push_is_listed_as_resumable_then_as_abandoned_once_its_journal_is_gone_on_moto(
) {
    let Some(s) = servers::moto("abandoned uploads on moto", None) else {
        return;
    };
    servers::boto(&s, &format!("s3.create_bucket(Bucket='{BUCKET}')\n"));

    // Killed, journal kept: the upload is the journal's, push resumes it.
    let Killed { c, journal, .. } = kill_mid_upload(&s, (AK, SK));
    let u = uploads(&c);
    assert_eq!(u["state"], "listed", "{u}");
    assert_eq!(u["abandoned"].as_array().unwrap().len(), 0, "{u}");
    assert_eq!(
        u["resuming"][0]["upload_id"],
        journal_upload_id(&journal).as_str(),
        "{u}"
    );
    let text = status_text(&c);
    assert!(
        text.contains("1 upload(s) that carevault offsite push resumes"),
        "{text}"
    );
    assert!(!text.contains("Abandoned"), "{text}");
    ok(&push(&c));
    let u = uploads(&c);
    assert_eq!(u["state"], "listed", "{u}");
    assert_eq!(
        u["resuming"].as_array().unwrap().len(),
        0,
        "resumed and completed: {u}"
    );
    assert_eq!(u["abandoned"].as_array().unwrap().len(), 0, "{u}");

    // Killed, journal lost (a wiped tablet): the upload is abandoned.
    let Killed {
        c, journal, made, ..
    } = kill_mid_upload(&s, (AK, SK));
    let lost = journal_upload_id(&journal);
    std::fs::remove_file(&journal).unwrap();
    let u = uploads(&c);
    assert_eq!(u["resuming"].as_array().unwrap().len(), 0, "{u}");
    let abandoned = u["abandoned"].as_array().unwrap();
    assert_eq!(abandoned.len(), 1, "{u}");
    let name = made.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        abandoned[0]["key"],
        format!("{PREFIX}backups/{name}").as_str()
    );
    assert_eq!(abandoned[0]["upload_id"], lost.as_str());
    // moto 5.2.5 dates every upload 2010-11-10T20:48:33Z: the age is
    // checked against the date it gives (uploads.rs tests the arithmetic).
    assert!(abandoned[0]["initiated"].is_string(), "{u}");
    assert!(abandoned[0]["age_days"].as_i64().unwrap() >= 0, "{u}");
    let text = status_text(&c);
    assert!(
        text.contains("1 incomplete upload(s) under this tablet's prefix"),
        "{text}"
    );
    assert!(text.contains(&format!("{PREFIX}backups/{name}")), "{text}");
    assert!(
        text.contains("abort-incomplete-uploads"),
        "says what to do: {text}"
    );
    // A push starts a new upload and completes it; the lost one stays
    // abandoned, as it is in the store.
    ok(&push(&c));
    let u = uploads(&c);
    assert_eq!(u["abandoned"][0]["upload_id"], lost.as_str(), "{u}");
    assert_eq!(u["abandoned"].as_array().unwrap().len(), 1, "{u}");
    // The bucket's lifecycle rule (here: an administrator) aborts it.
    servers::boto(
        &s,
        &format!("s3.abort_multipart_upload(Bucket='{BUCKET}', Key='{PREFIX}backups/{name}', UploadId='{lost}')\n"),
    );
    let u = uploads(&c);
    assert_eq!(u["abandoned"].as_array().unwrap().len(), 0, "{u}");
    assert_eq!(u["resuming"].as_array().unwrap().len(), 0, "{u}");
}

#[test]
fn status_says_so_when_the_store_cannot_list_incomplete_uploads_on_s3s_fs() {
    // s3s-fs 0.14.1 has no ListMultipartUploads: status says so and still
    // succeeds with the rest.
    let Some(s) = servers::s3s_fs("abandoned uploads on s3s-fs") else {
        return;
    };
    let Killed { c, .. } = kill_mid_upload(&s, (AK, SK));
    let out = run(&["--json", "offsite", "status", "--home", c.h()]);
    ok(&out);
    let j = json(&out);
    assert_eq!(j["incomplete_uploads"]["state"], "unsupported", "{j}");
    assert_eq!(j["pending"].as_array().unwrap().len(), 1, "{j}");
    let text = status_text(&c);
    assert!(text.contains("this store cannot list them"), "{text}");
}
