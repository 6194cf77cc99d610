//! The fleet view of a ministry's bucket: every facility and device under
//! a prefix, built from object listings, sidecars and status events only
//! (no passphrase, no patient data), indexed incrementally in SQLite
//! ([`index`]), judged against the at-risk rules ([`report`]); and the
//! read-only auditor that downloads backups and checks them ([`audit`]).
//!
//! It lives in this crate because it reads the bucket through the same
//! signed, retrying client as the tablets' pushes.

pub mod audit;
pub mod index;
pub mod parse;
pub mod report;
pub mod walk;

use crate::{Config, Credentials, RetryPolicy};
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::{t, Text};
use carevault_core::profile::OffsiteSettings;
use std::path::Path;

/// `s3://bucket/prefix`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    pub bucket: String,
    /// Empty, or ends in `/`.
    pub prefix: String,
}

fn usage(msg: Text) -> Error {
    Error::new(Kind::Usage, msg, t!("offsite-fleet-store-advice"))
}

impl StoreUrl {
    /// Parses `s3://bucket[/prefix]`.
    pub fn parse(s: &str) -> Result<StoreUrl> {
        let rest = s
            .strip_prefix("s3://")
            .ok_or_else(|| usage(t!("offsite-fleet-not-s3-url")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let mut prefix = prefix.to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        if !prefix.is_empty()
            && !prefix
                .trim_end_matches('/')
                .split('/')
                .all(carevault_core::profile::is_safe_key_part)
        {
            return Err(usage(t!("offsite-fleet-bad-prefix")));
        }
        Ok(StoreUrl {
            bucket: bucket.to_string(),
            prefix,
        })
    }

    /// The URL again, normalised.
    pub fn to_url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

/// Settings of a fleet reader: from a `key = value` file (mode 0600:
/// `endpoint`, `region`, `access_key`, `secret_key`, `path_style`),
/// or else the environment (`CAREVAULT_S3_ENDPOINT`, `CAREVAULT_S3_REGION`,
/// `CAREVAULT_S3_ACCESS_KEY`, `CAREVAULT_S3_SECRET_KEY`).
pub fn config(url: &StoreUrl, file: Option<&Path>) -> Result<Config> {
    let mut endpoint = std::env::var("CAREVAULT_S3_ENDPOINT").ok();
    let mut region = std::env::var("CAREVAULT_S3_REGION").ok();
    let mut path_style = true;
    let credentials = match file {
        Some(path) => {
            let text = read_private(path)?;
            let mut access = None;
            let mut secret = None;
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let Some((k, v)) = line.split_once('=') else {
                    return Err(file_error(t!("offsite-fleet-bad-line"), path));
                };
                let v = v.trim().trim_matches('"').to_string();
                match k.trim() {
                    "endpoint" => endpoint = Some(v),
                    "region" => region = Some(v),
                    "access_key" => access = Some(v),
                    "secret_key" => secret = Some(v),
                    "path_style" => path_style = v != "false",
                    other => {
                        return Err(file_error(
                            t!(
                                "offsite-fleet-unknown-key",
                                key = format!("{:?}", carevault_core::audit::printable(other))
                            ),
                            path,
                        ))
                    }
                }
            }
            match (access, secret) {
                (Some(a), Some(s)) => Credentials::parse(&format!("{a}\n{s}\n"), path)?,
                _ => return Err(file_error(t!("offsite-fleet-no-keys"), path)),
            }
        }
        None => {
            let a = std::env::var("CAREVAULT_S3_ACCESS_KEY").unwrap_or_default();
            let s = std::env::var("CAREVAULT_S3_SECRET_KEY").unwrap_or_default();
            if a.is_empty() || s.is_empty() {
                return Err(Error::new(
                    Kind::Usage,
                    t!("offsite-fleet-no-credentials"),
                    t!("offsite-fleet-no-credentials-advice"),
                ));
            }
            Credentials::parse(&format!("{a}\n{s}\n"), Path::new("environment"))?
        }
    };
    let endpoint = endpoint.ok_or_else(|| {
        Error::new(
            Kind::Usage,
            t!("offsite-fleet-no-endpoint"),
            t!("offsite-fleet-no-endpoint-advice"),
        )
    })?;
    let settings = OffsiteSettings {
        endpoint,
        bucket: url.bucket.clone(),
        region: region.unwrap_or_else(|| "us-east-1".into()),
        prefix: String::new(),
        path_style,
        part_size_mib: 8,
        bandwidth_kib_per_s: 0,
    };
    settings.validate()?;
    Ok(Config {
        settings,
        prefix: url.prefix.clone(),
        credentials,
        // Never written: the fleet reader uploads nothing.
        journal_dir: std::env::temp_dir().join("carevault-fleet-unused"),
        clock: crate::Clock::system(),
        retry: RetryPolicy::default(),
    })
}

fn file_error(msg: Text, path: &Path) -> Error {
    Error::new(
        Kind::Usage,
        t!("offsite-fleet-settings-unusable", why = msg),
        t!("offsite-fleet-settings-unusable-advice"),
    )
    .at(path)
}

fn read_private(path: &Path) -> Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| crate::fail::io(t!("offsite-doing-reading-store-settings"), path, e))?;
    if !meta.is_file() {
        return Err(file_error(t!("offsite-fleet-not-a-file"), path));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(Error::new(
            Kind::PermissionDenied,
            t!("offsite-fleet-settings-readable"),
            t!("offsite-fleet-settings-readable-advice"),
        )
        .at(path));
    }
    let bytes = carevault_core::fsutil::read_small(path, 16 * 1024)
        .map_err(|e| crate::fail::io(t!("offsite-doing-reading-store-settings"), path, e))?
        .ok_or_else(|| file_error(t!("offsite-fleet-no-file"), path))?;
    String::from_utf8(bytes).map_err(|_| file_error(t!("offsite-fleet-not-text"), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_parse_and_bad_ones_are_refused() {
        let u = StoreUrl::parse("s3://moh-carevault/tablets").unwrap();
        assert_eq!(
            (u.bucket.as_str(), u.prefix.as_str()),
            ("moh-carevault", "tablets/")
        );
        assert_eq!(StoreUrl::parse("s3://b").unwrap().prefix, "");
        assert!(StoreUrl::parse("https://x/y").is_err());
        assert!(StoreUrl::parse("s3://b/../x").is_err());
        assert!(StoreUrl::parse("s3://b/a b/").is_err());
    }
}
