//! `offsite check-bucket`: whether the bucket has what docs/OFFSITE.md
//! recommends: versioning, object lock with a default retention, and the
//! lifecycle rules that abort incomplete multipart uploads and expire
//! noncurrent versions. A store that does not have a setting at all (it
//! answers NotImplemented) is reported as such.

use crate::http::xml_field;
use crate::S3Store;
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::{t, Text};
use serde::Serialize;

/// The state of one bucket setting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Turned on.
    Enabled,
    /// Present but off (e.g. versioning suspended).
    Off,
    /// Never set on this bucket.
    NotSet,
    /// The store does not have this setting at all.
    NotSupported,
}

/// A default object lock retention.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Retention {
    pub mode: String,
    pub days: Option<u64>,
    pub years: Option<u64>,
}

/// What the bucket has.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BucketCheck {
    pub versioning: State,
    pub object_lock: State,
    pub default_retention: Option<Retention>,
    pub lifecycle: State,
    /// Days after which incomplete multipart uploads are aborted.
    pub abort_incomplete_uploads_days: Option<u64>,
    /// Days after which noncurrent versions expire.
    pub expire_noncurrent_days: Option<u64>,
    /// What is missing, in words (empty: all there). In JSON, rendered in
    /// the process's language.
    #[serde(serialize_with = "texts_in_current")]
    pub missing: Vec<Text>,
}

/// Each text rendered in the process's language.
fn texts_in_current<S: serde::Serializer>(texts: &[Text], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(texts.iter().map(Text::text))
}

fn unsupported(status: u16, body: &[u8]) -> bool {
    let code = xml_field(&String::from_utf8_lossy(body), "Code").unwrap_or_default();
    status == 501 || status == 405 || code == "NotImplemented" || code == "MethodNotAllowed"
}

/// One setting: `Ok(None)` when not set, `Err(State)` when not supported.
fn read(
    store: &S3Store,
    sub: &str,
    not_set: &[&str],
) -> Result<std::result::Result<Option<String>, State>> {
    let (status, body) = store.bucket_setting(sub)?;
    let text = String::from_utf8_lossy(&body).into_owned();
    let code = xml_field(&text, "Code").unwrap_or_default();
    if status == 200 {
        return Ok(Ok(Some(text)));
    }
    if unsupported(status, &body) {
        return Ok(Err(State::NotSupported));
    }
    if status == 404 && not_set.contains(&code.as_str()) {
        return Ok(Ok(None));
    }
    let detail = if code.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status} {code}")
    };
    Err(match status {
        403 => Error::new(
            Kind::PermissionDenied,
            t!("offsite-setting-refused", setting = sub, detail = detail),
            t!("offsite-setting-refused-advice"),
        ),
        404 if code == "NoSuchBucket" => Error::new(
            Kind::NotFound,
            t!("offsite-bucket-missing"),
            t!("offsite-bucket-missing-advice"),
        ),
        _ => Error::new(
            Kind::Unreachable,
            t!("offsite-setting-answered", setting = sub, detail = detail),
            t!("offsite-setting-answered-advice"),
        ),
    })
}

fn days(xml: &str, field: &str) -> Option<u64> {
    xml_field(xml, field).and_then(|d| d.trim().parse().ok())
}

/// Reads the bucket's settings.
pub fn check(store: &S3Store) -> Result<BucketCheck> {
    let mut missing = Vec::new();
    let versioning = match read(store, "versioning", &[])? {
        Ok(Some(x)) => match xml_field(&x, "Status").as_deref() {
            Some("Enabled") => State::Enabled,
            Some(_) => State::Off,
            None => State::NotSet,
        },
        Ok(None) => State::NotSet,
        Err(s) => s,
    };
    if versioning != State::Enabled {
        missing.push(match versioning {
            State::NotSupported => t!("offsite-missing-versioning-unsupported"),
            _ => t!("offsite-missing-versioning"),
        });
    }
    let (object_lock, default_retention) = match read(
        store,
        "object-lock",
        &[
            "ObjectLockConfigurationNotFoundError",
            "ObjectLockConfigurationNotFound",
        ],
    )? {
        Ok(Some(x)) => {
            let on = xml_field(&x, "ObjectLockEnabled").as_deref() == Some("Enabled");
            let ret = xml_field(&x, "DefaultRetention").map(|r| Retention {
                mode: xml_field(&r, "Mode").unwrap_or_default(),
                days: days(&r, "Days"),
                years: days(&r, "Years"),
            });
            (if on { State::Enabled } else { State::Off }, ret)
        }
        Ok(None) => (State::NotSet, None),
        Err(s) => (s, None),
    };
    match (&object_lock, &default_retention) {
        (State::NotSupported, _) => missing.push(t!("offsite-missing-lock-unsupported")),
        (State::Enabled, Some(r)) if r.mode == "COMPLIANCE" => {}
        (State::Enabled, Some(r)) => missing.push(t!(
            "offsite-missing-lock-mode",
            mode = carevault_core::audit::printable(&r.mode)
        )),
        (State::Enabled, None) => missing.push(t!("offsite-missing-lock-retention")),
        _ => missing.push(t!("offsite-missing-lock")),
    }
    let (lifecycle, abort, expire) =
        match read(store, "lifecycle", &["NoSuchLifecycleConfiguration"])? {
            Ok(Some(x)) => {
                let mut abort = None;
                let mut expire = None;
                for rule in x.split("<Rule>").skip(1) {
                    let rule = rule.split("</Rule>").next().unwrap_or("");
                    if xml_field(rule, "Status").as_deref() != Some("Enabled") {
                        continue;
                    }
                    if let Some(a) = xml_field(rule, "AbortIncompleteMultipartUpload") {
                        abort = abort.or(days(&a, "DaysAfterInitiation"));
                    }
                    if let Some(n) = xml_field(rule, "NoncurrentVersionExpiration") {
                        expire = expire.or(days(&n, "NoncurrentDays"));
                    }
                }
                (State::Enabled, abort, expire)
            }
            Ok(None) => (State::NotSet, None, None),
            Err(s) => (s, None, None),
        };
    if lifecycle == State::NotSupported {
        missing.push(t!("offsite-missing-lifecycle-unsupported"));
    } else {
        if abort.is_none() {
            missing.push(t!("offsite-missing-abort-rule"));
        }
        if expire.is_none() {
            missing.push(t!("offsite-missing-expire-rule"));
        }
    }
    Ok(BucketCheck {
        versioning,
        object_lock,
        default_retention,
        lifecycle,
        abort_incomplete_uploads_days: abort,
        expire_noncurrent_days: expire,
        missing,
    })
}
