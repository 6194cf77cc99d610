//! Incomplete multipart uploads under this tablet's prefix
//! (ListMultipartUploads): the one a local journal resumes, and the
//! abandoned ones (a push killed and never resumed, a journal lost with a
//! wiped tablet), which take storage until the bucket's lifecycle rule
//! aborts them.

use crate::http::{sign, xml_field, Body};
use crate::S3Store;
use carevault_core::error::Error;
use carevault_core::i18n::t;
use rusty_s3::S3Action as _;
use serde::Serialize;
use ureq::http::Method;

/// One incomplete upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incomplete {
    /// The object's key.
    pub key: String,
    /// The store's upload ID.
    pub upload_id: String,
    /// When the store says it was started (as it says it), if it does.
    pub initiated: Option<String>,
    /// Whole days since then, by this tablet's clock.
    pub age_days: Option<i64>,
}

/// What the store said about the incomplete uploads under the prefix.
#[derive(Debug)]
pub enum Uploads {
    /// Listed: those a local journal resumes, and the others.
    Listed {
        resuming: Vec<Incomplete>,
        abandoned: Vec<Incomplete>,
    },
    /// The key may not list them (403).
    Refused,
    /// The store has no ListMultipartUploads.
    Unsupported,
    /// The store could not be asked, or answered with an error.
    Failed(Error),
}

/// The upload IDs the journals in the store's journal folder hold.
fn journalled(store: &S3Store) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(store.journal_dir()) else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .filter_map(|e| carevault_core::fsutil::read_small(&e.path(), 4 << 20).ok()?)
        .filter_map(|b| serde_json::from_slice::<crate::journal::Journal>(&b).ok())
        .map(|j| j.upload_id)
        .collect()
}

fn age_days(initiated: &str) -> Option<i64> {
    let t: jiff::Timestamp = initiated.parse().ok()?;
    Some((jiff::Timestamp::now().as_second() - t.as_second()).max(0) / 86_400)
}

/// One page of a ListMultipartUploads answer: the uploads under `prefix`
/// (a key outside it is not this tablet's and is left out), and the
/// markers of the next page when the answer is truncated.
fn parse_page(text: &str, prefix: &str) -> (Vec<Incomplete>, Option<(String, String)>) {
    let mut out = Vec::new();
    for chunk in text.split("<Upload>").skip(1) {
        let chunk = chunk.split("</Upload>").next().unwrap_or("");
        let (Some(key), Some(upload_id)) = (xml_field(chunk, "Key"), xml_field(chunk, "UploadId"))
        else {
            continue;
        };
        if !key.starts_with(prefix) {
            continue;
        }
        let initiated = xml_field(chunk, "Initiated");
        out.push(Incomplete {
            age_days: initiated.as_deref().and_then(age_days),
            key,
            upload_id,
            initiated,
        });
    }
    let truncated = xml_field(text, "IsTruncated").as_deref() == Some("true");
    let next = (
        xml_field(text, "NextKeyMarker").unwrap_or_default(),
        xml_field(text, "NextUploadIdMarker").unwrap_or_default(),
    );
    (out, (truncated && !next.0.is_empty()).then_some(next))
}

/// The incomplete uploads under the store's prefix (every page, up to
/// 100 pages of 1,000).
pub fn incomplete(store: &S3Store) -> Uploads {
    let client = store.client();
    let prefix = store.prefix().to_string();
    let mut all = Vec::new();
    let mut marker: Option<(String, String)> = None;
    for _page in 0..100 {
        let signer = |t: &jiff02::Timestamp| {
            let mut a = client.bucket.get_object(Some(&client.creds), "");
            let q = a.query_mut();
            q.insert("uploads", "");
            q.insert("prefix", prefix.clone());
            if let Some((k, u)) = &marker {
                q.insert("key-marker", k.clone());
                q.insert("upload-id-marker", u.clone());
            }
            sign(a, &[], t)
        };
        let what = t!("offsite-what-listing-uploads");
        let reply = match client.send(&what, &prefix, Method::GET, &signer, &[], &Body::Empty) {
            Ok(r) => r,
            Err(e) => return Uploads::Failed(e),
        };
        let code = reply.code().unwrap_or_default();
        match reply.status {
            200 => {}
            403 if code != "SignatureDoesNotMatch" && code != "InvalidAccessKeyId" => {
                return Uploads::Refused
            }
            501 | 405 => return Uploads::Unsupported,
            _ if code == "NotImplemented" => return Uploads::Unsupported,
            _ => return Uploads::Failed(reply.error(&client.location, &what, &prefix)),
        }
        let (page, next) = parse_page(&String::from_utf8_lossy(&reply.body), &prefix);
        all.extend(page);
        match next {
            Some(n) if marker.as_ref() != Some(&n) => marker = Some(n),
            _ => break,
        }
    }
    let ours = journalled(store);
    let (resuming, abandoned) = all.into_iter().partition(|u| ours.contains(&u.upload_id));
    Uploads::Listed {
        resuming,
        abandoned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_gives_the_uploads_under_the_prefix_and_the_next_markers() {
        let xml = "<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>\
            <NextKeyMarker>t/a/backups/y.bin</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>\
            <Upload><Key>t/a/backups/x.bin</Key><UploadId>u1</UploadId><Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>\
            <Upload><Key>t/b/backups/z.bin</Key><UploadId>u9</UploadId></Upload>\
            <Upload><Key>t/a/backups/y&amp;.bin</Key><UploadId>u2</UploadId></Upload>\
            </ListMultipartUploadsResult>";
        let (page, next) = parse_page(xml, "t/a/");
        assert_eq!(page.len(), 2, "{page:?}");
        assert_eq!(page[0].upload_id, "u1");
        assert!(page[0].age_days.unwrap() > 5_000);
        assert_eq!(page[1].key, "t/a/backups/y&.bin");
        assert_eq!(
            (page[1].initiated.as_deref(), page[1].age_days),
            (None, None)
        );
        assert_eq!(next, Some(("t/a/backups/y.bin".into(), "u2".into())));
        let (_, last) = parse_page("<IsTruncated>false</IsTruncated>", "t/a/");
        assert_eq!(last, None);
    }

    #[test]
    fn the_age_is_whole_days_since_the_store_says_it_started() {
        let three =
            jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() - 3 * 86_400 - 60)
                .unwrap()
                .to_string();
        assert_eq!(age_days(&three), Some(3));
        assert!(age_days("2010-11-10T20:48:33.000Z").unwrap() > 5_000);
        assert_eq!(age_days("not a date"), None);
    }
}
