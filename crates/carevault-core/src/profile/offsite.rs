//! The `[offsite]` section of the profile: where offsite copies go. Plain
//! data, checked when the profile is loaded; the HTTP client that uses it
//! lives in the `carevault-offsite` crate. Credentials are never here.

use crate::error::{Error, Kind, Result};
use crate::i18n::{t, Text};
use serde::Deserialize;

/// The default key prefix: one folder per facility and device.
pub const DEFAULT_PREFIX: &str = "tablets/{facility}/{device}/";

/// Offsite copies to S3-compatible object storage.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsiteSettings {
    /// The service's URL (`https://...`; `http://` only for a loopback
    /// address, as in tests).
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The region the requests are signed for.
    #[serde(default = "default_region")]
    pub region: String,
    /// Key prefix of this tablet's objects; `{facility}` and `{device}` are
    /// replaced by the app's facility name and the device key's ID.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Path-style URLs (`endpoint/bucket/key`) rather than virtual hosts.
    #[serde(default = "default_true")]
    pub path_style: bool,
    /// Size of one part of a multipart upload, in MiB (5 to 512); files up
    /// to this size go in one request.
    #[serde(default = "default_part_size")]
    pub part_size_mib: u64,
    /// Upload bandwidth limit in KiB/s; 0 = unlimited.
    #[serde(default)]
    pub bandwidth_kib_per_s: u64,
}

fn default_region() -> String {
    "us-east-1".into()
}
fn default_prefix() -> String {
    DEFAULT_PREFIX.into()
}
fn default_true() -> bool {
    true
}
fn default_part_size() -> u64 {
    8
}

fn bad(what: Text) -> Error {
    Error::new(
        Kind::Usage,
        t!("ops-offsite-profile-bad", what = what),
        t!("ops-offsite-profile-bad-advice"),
    )
}

/// True for a part of an object key made only of letters, digits, `.`,
/// `_` and `-`, 1 to 64 characters, and not `.` or `..`.
pub fn is_safe_key_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl OffsiteSettings {
    /// Checks every field (called by `Profile::load`).
    pub fn validate(&self) -> Result<()> {
        let e = &self.endpoint;
        let rest = e
            .strip_prefix("https://")
            .or_else(|| e.strip_prefix("http://"))
            .ok_or_else(|| bad(t!("ops-offsite-profile-endpoint-scheme")))?;
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty()
            || rest.contains(['@', '?', '#'])
            || e.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad(t!("ops-offsite-profile-endpoint-plain")));
        }
        if e.starts_with("http://") {
            let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
            // Only a loopback address as written (not a name such as
            // 127.example.org, which could resolve anywhere).
            let loopback = name == "localhost"
                || name == "[::1]"
                || name
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok_and(|a| a.is_loopback());
            if !loopback {
                return Err(bad(t!("ops-offsite-profile-endpoint-http")));
            }
        }
        let b = &self.bucket;
        if !(3..=63).contains(&b.len())
            || !b
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
            || b.starts_with(['-', '.'])
            || b.ends_with(['-', '.'])
        {
            return Err(bad(t!("ops-offsite-profile-bucket")));
        }
        if self.region.is_empty()
            || self.region.len() > 64
            || !self
                .region
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            return Err(bad(t!("ops-offsite-profile-region")));
        }
        if !(5..=512).contains(&self.part_size_mib) {
            return Err(bad(t!("ops-offsite-profile-part-size")));
        }
        // The prefix must be a safe key prefix with any placeholders filled.
        expand_prefix(&self.prefix, "facility", "device").map(|_| ())
    }

    /// The part size in bytes.
    pub fn part_size(&self) -> u64 {
        self.part_size_mib << 20
    }

    /// The key prefix of this tablet, with `{facility}` and `{device}`
    /// replaced; each must be a safe key part ([`is_safe_key_part`]).
    pub fn prefix_for(&self, facility: &str, device: &str) -> Result<String> {
        expand_prefix(&self.prefix, facility, device)
    }
}

/// Replaces `{facility}` and `{device}` in `prefix` and checks the result:
/// empty, or parts made of safe characters each ending in `/`.
pub fn expand_prefix(prefix: &str, facility: &str, device: &str) -> Result<String> {
    for (name, value) in [("{facility}", facility), ("{device}", device)] {
        if prefix.contains(name) && !is_safe_key_part(value) {
            return Err(Error::new(
                Kind::Usage,
                t!(
                    "ops-offsite-prefix-unsafe-value",
                    name = name,
                    value = format!("{:?}", crate::audit::printable(value))
                ),
                t!("ops-offsite-prefix-unsafe-value-advice"),
            ));
        }
    }
    let out = prefix
        .replace("{facility}", facility)
        .replace("{device}", device);
    let ok = out.is_empty()
        || (out.ends_with('/')
            && out.len() <= 256
            && out.trim_end_matches('/').split('/').all(is_safe_key_part));
    if ok {
        Ok(out)
    } else {
        Err(bad(t!(
            "ops-offsite-profile-prefix",
            prefix = format!("{:?}", crate::audit::printable(prefix))
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml_text: &str) -> Result<OffsiteSettings> {
        let s: OffsiteSettings = toml::from_str(toml_text).map_err(|e| {
            Error::new(
                Kind::Usage,
                t!("ops-profile-unreadable", err = e.to_string()),
                t!("ops-profile-fix-advice"),
            )
        })?;
        s.validate().map(|_| s)
    }

    #[test]
    fn defaults_and_prefix_expansion() {
        let s = settings("endpoint = \"https://s3.example.org\"\nbucket = \"clinic-backups\"\n")
            .unwrap();
        assert_eq!(s.part_size(), 8 << 20);
        assert!(s.path_style);
        assert_eq!(
            s.prefix_for("Kibera-HC", "0123abcd").unwrap(),
            "tablets/Kibera-HC/0123abcd/"
        );
    }

    #[test]
    fn unsafe_facility_name_is_refused_with_advice() {
        let s = settings("endpoint = \"https://s3.example.org\"\nbucket = \"b-1\"\n").unwrap();
        let e = s.prefix_for("../other", "dev").unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
        assert!(e.advice().contains("prefix"));
        assert!(s.prefix_for("Kibera Health Centre", "dev").is_err());
    }

    #[test]
    fn bad_settings_are_refused() {
        for bad_toml in [
            "endpoint = \"ftp://x\"\nbucket = \"bbb\"\n",
            "endpoint = \"http://s3.example.org\"\nbucket = \"bbb\"\n",
            // A name that merely starts like a loopback address.
            "endpoint = \"http://127.evil.example:9000\"\nbucket = \"bbb\"\n",
            "endpoint = \"https://u:p@s3.example.org\"\nbucket = \"bbb\"\n",
            "endpoint = \"https://s3.example.org\"\nbucket = \"Bad_Bucket\"\n",
            "endpoint = \"https://s3.example.org\"\nbucket = \"bbb\"\npart_size_mib = 4\n",
            "endpoint = \"https://s3.example.org\"\nbucket = \"bbb\"\nprefix = \"a/../b/\"\n",
            "endpoint = \"https://s3.example.org\"\nbucket = \"bbb\"\nprefix = \"a/{user}/\"\n",
            "endpoint = \"https://s3.example.org\"\nbucket = \"bbb\"\nsecret_key = \"x\"\n",
        ] {
            assert!(settings(bad_toml).is_err(), "{bad_toml}");
        }
        assert!(settings(
            "endpoint = \"http://127.0.0.1:9000\"\nbucket = \"bbb\"\nprefix = \"\"\n"
        )
        .is_ok());
    }
}
