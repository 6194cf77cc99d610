//! What a store needs: endpoint, bucket, this tablet's prefix, the
//! credentials, and where the upload journals live.
//!
//! Credentials come from `private/offsite-credentials` or, when that file
//! does not exist, from `CAREVAULT_S3_ACCESS_KEY` and
//! `CAREVAULT_S3_SECRET_KEY`. The file is either two lines (the access key,
//! then the secret key) or `key = value` lines with `access_key` and
//! `secret_key`; `#` starts a comment line. It must be a regular file that
//! only its owner may read (0600 or 0400).

use crate::http::{Clock, RetryPolicy};
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::{t, Text};
use carevault_core::profile::OffsiteSettings;
use std::path::{Path, PathBuf};

/// Name of the credentials file inside `private/`.
pub const CREDENTIALS_FILE: &str = "offsite-credentials";

/// An access key and its secret.
#[derive(Clone)]
pub struct Credentials {
    /// The access key ID.
    pub access_key: String,
    /// The secret (never printed).
    pub secret_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, <secret>)", self.access_key)
    }
}

fn cred_error(msg: Text, path: &Path) -> Error {
    Error::new(Kind::Usage, msg, t!("offsite-credentials-advice")).at(path)
}

fn plausible(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && s.bytes().all(|b| b.is_ascii_graphic())
}

impl Credentials {
    /// Parses the credentials file's text (two lines, or `key = value`).
    pub fn parse(text: &str, path: &Path) -> Result<Credentials> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let (access, secret) = if lines.iter().any(|l| l.contains('=')) {
            let mut a = None;
            let mut s = None;
            for l in &lines {
                let Some((k, v)) = l.split_once('=') else {
                    return Err(cred_error(t!("offsite-credentials-bad-line"), path));
                };
                let v = v.trim().trim_matches('"').to_string();
                match k.trim() {
                    "access_key" => a = Some(v),
                    "secret_key" => s = Some(v),
                    other => {
                        return Err(cred_error(
                            t!(
                                "offsite-credentials-unknown-key",
                                key = format!("{:?}", carevault_core::audit::printable(other))
                            ),
                            path,
                        ))
                    }
                }
            }
            (a, s)
        } else if lines.len() == 2 {
            (Some(lines[0].to_string()), Some(lines[1].to_string()))
        } else {
            (None, None)
        };
        match (access, secret) {
            (Some(a), Some(s)) if plausible(&a) && plausible(&s) => Ok(Credentials {
                access_key: a,
                secret_key: s,
            }),
            _ => Err(cred_error(t!("offsite-credentials-incomplete"), path)),
        }
    }

    /// Reads the credentials of `home` (the file, else the environment).
    pub fn load(home: &Path) -> Result<Credentials> {
        use std::os::unix::fs::PermissionsExt;
        let path = carevault_core::layout::private_dir(home).join(CREDENTIALS_FILE);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) => {
                if !meta.file_type().is_file() {
                    return Err(cred_error(t!("offsite-credentials-not-a-file"), &path));
                }
                if meta.permissions().mode() & 0o077 != 0 {
                    return Err(Error::new(
                        Kind::PermissionDenied,
                        t!("offsite-credentials-readable"),
                        t!("offsite-credentials-readable-advice"),
                    )
                    .at(&path));
                }
                let bytes = carevault_core::fsutil::read_small(&path, 4096)
                    .map_err(|e| {
                        crate::fail::io(t!("offsite-doing-reading-credentials"), &path, e)
                    })?
                    .unwrap_or_default();
                let text = String::from_utf8(bytes)
                    .map_err(|_| cred_error(t!("offsite-credentials-not-text"), &path))?;
                Credentials::parse(&text, &path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let a = std::env::var("CAREVAULT_S3_ACCESS_KEY").unwrap_or_default();
                let s = std::env::var("CAREVAULT_S3_SECRET_KEY").unwrap_or_default();
                if plausible(&a) && plausible(&s) {
                    Ok(Credentials {
                        access_key: a,
                        secret_key: s,
                    })
                } else {
                    Err(cred_error(t!("offsite-credentials-none"), &path))
                }
            }
            Err(e) => Err(crate::fail::io(
                t!("offsite-doing-reading-credentials"),
                &path,
                e,
            )),
        }
    }
}

/// Everything an [`crate::S3Store`] needs.
#[derive(Clone)]
pub struct Config {
    /// The profile's settings.
    pub settings: OffsiteSettings,
    /// This tablet's key prefix, expanded (ends in `/` or is empty).
    pub prefix: String,
    /// The credentials.
    pub credentials: Credentials,
    /// Where upload journals are kept (`private/offsite/journal`).
    pub journal_dir: PathBuf,
    /// The clock requests are signed with (a seam for tests).
    pub clock: Clock,
    /// How often and how patiently requests are retried.
    pub retry: RetryPolicy,
}

impl Config {
    /// The configuration of `home`: its `[offsite]` section (a usage error
    /// when there is none), the prefix expanded from the app's facility
    /// and the device key's ID, and the credentials.
    pub fn for_home(home: &Path) -> Result<Config> {
        Config::for_home_device(home, None)
    }

    /// [`Config::for_home`], with `{device}` of the prefix set to `device`
    /// rather than this tablet's key ID: a replacement tablet reads the
    /// copies of the one it replaces.
    pub fn for_home_device(home: &Path, device: Option<&str>) -> Result<Config> {
        let profile = carevault_core::profile::Profile::load(home)?;
        let settings = profile.offsite.ok_or_else(|| {
            Error::new(
                Kind::Usage,
                t!("offsite-not-configured"),
                t!("offsite-not-configured-advice"),
            )
        })?;
        let app =
            carevault_core::appconfig::AppConfig::read(&carevault_core::layout::data_dir(home))?;
        let needs_device = settings.prefix.contains("{device}");
        let device = match device {
            Some(_) if !needs_device => {
                return Err(Error::new(
                    Kind::Usage,
                    t!("offsite-device-not-in-prefix"),
                    t!("offsite-device-not-in-prefix-advice"),
                ))
            }
            Some(d) => d.to_string(),
            None if needs_device => {
                carevault_core::provenance::device_key::load_or_create(home)?.key_id()
            }
            None => String::new(),
        };
        let prefix = settings.prefix_for(&app.facility, &device)?;
        Ok(Config {
            prefix,
            credentials: Credentials::load(home)?,
            journal_dir: carevault_core::offsite_state::dir(home).join("journal"),
            settings,
            clock: Clock::system(),
            retry: RetryPolicy::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_credential_forms_parse() {
        let p = Path::new("x");
        let c = Credentials::parse("AKIA1\nsecret/2\n", p).unwrap();
        assert_eq!(
            (c.access_key.as_str(), c.secret_key.as_str()),
            ("AKIA1", "secret/2")
        );
        let c =
            Credentials::parse("# tablet 7\naccess_key = AK\nsecret_key = \"SK\"\n", p).unwrap();
        assert_eq!((c.access_key.as_str(), c.secret_key.as_str()), ("AK", "SK"));
        assert!(Credentials::parse("only-one-line\n", p).is_err());
        assert!(Credentials::parse("access_key = a\npassword = b\n", p).is_err());
        assert!(!format!("{c:?}").contains("SK\""));
    }
}

#[cfg(test)]
mod french {
    use super::*;
    use carevault_core::i18n::Lang;
    use carevault_core::profile::OffsiteSettings;

    fn fr(id: &str) -> String {
        carevault_i18n::message(Lang::Fr, id).unwrap_or_else(|| panic!("{id} is not in French"))
    }

    fn config(endpoint: &str) -> Config {
        Config {
            settings: OffsiteSettings {
                endpoint: endpoint.into(),
                bucket: "clinic-backups".into(),
                region: "us-east-1".into(),
                prefix: String::new(),
                path_style: true,
                part_size_mib: 8,
                bandwidth_kib_per_s: 0,
            },
            prefix: String::new(),
            credentials: Credentials {
                access_key: "AK".into(),
                secret_key: "SK".into(),
            },
            journal_dir: std::env::temp_dir(),
            clock: Clock::system(),
            retry: RetryPolicy::default(),
        }
    }

    #[test]
    fn an_unusable_credentials_file_is_told_in_french_with_french_advice() {
        let e = Credentials::parse("only-one-line\n", Path::new("x")).unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
        assert_eq!(e.message_in(Lang::Fr), fr("offsite-credentials-incomplete"));
        assert_eq!(
            e.message_in(Lang::Fr),
            "le fichier d'identifiants hors site ne contient pas une clé d'accès et une clé secrète"
        );
        assert_eq!(e.advice_in(Lang::Fr), fr("offsite-credentials-advice"));
        assert_eq!(
            e.message_in(Lang::En),
            "the offsite credentials file does not hold an access key and a secret key"
        );
        assert_eq!(
            e.advice_in(Lang::En),
            "write the access key and secret key to private/offsite-credentials (two lines, mode 0600) or set CAREVAULT_S3_ACCESS_KEY and CAREVAULT_S3_SECRET_KEY (see docs/OFFSITE.md)"
        );
    }

    #[test]
    fn a_credentials_file_others_may_read_is_refused_in_french() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile_home();
        let private = carevault_core::layout::private_dir(&home);
        std::fs::create_dir_all(&private).unwrap();
        let file = private.join(CREDENTIALS_FILE);
        std::fs::write(&file, "AK\nSK\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Credentials::load(&home).unwrap_err();
        let _ = std::fs::remove_dir_all(&home);
        assert_eq!(e.kind(), Kind::PermissionDenied);
        assert_eq!(e.message_in(Lang::Fr), fr("offsite-credentials-readable"));
        assert_eq!(
            e.advice_in(Lang::Fr),
            fr("offsite-credentials-readable-advice")
        );
        assert_eq!(
            e.message_in(Lang::En),
            "the offsite credentials file may be read by other users; it was not used"
        );
    }

    fn tempfile_home() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "carevault-offsite-fr-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_endpoint_that_is_not_a_url_is_told_in_french() {
        let e = match crate::http::Client::new(&config("not a url")) {
            Ok(_) => panic!("a client was made for a bad endpoint"),
            Err(e) => e,
        };
        assert_eq!(e.kind(), Kind::Usage);
        let fr_msg = e.message_in(Lang::Fr);
        assert!(
            fr_msg.starts_with("l'endpoint hors site n'est pas une URL : "),
            "{fr_msg}"
        );
        assert_eq!(e.advice_in(Lang::Fr), fr("offsite-endpoint-not-url-advice"));
        assert!(
            e.message_in(Lang::En)
                .starts_with("the offsite endpoint is not a URL: "),
            "{}",
            e.message_in(Lang::En)
        );
        assert_eq!(
            e.advice_in(Lang::En),
            "fix [offsite] endpoint in carevault.toml"
        );
    }

    #[test]
    fn a_store_answer_names_the_store_and_the_request_in_french() {
        let client = crate::http::Client::new(&config("http://127.0.0.1:9")).unwrap();
        let reply = crate::http::Reply {
            status: 404,
            headers: Default::default(),
            body: b"<Error><Code>NoSuchKey</Code></Error>".to_vec(),
            bad_digest_before: false,
        };
        let e = reply.error(
            &client.location,
            &carevault_core::i18n::t!("offsite-what-download"),
            "t/backups/Backup-1.bin",
        );
        assert_eq!(e.kind(), Kind::NotFound);
        assert_eq!(
            e.message_in(Lang::Fr),
            "le stockage hors site http://127.0.0.1:9 (bucket clinic-backups) n'a pas \
             t/backups/Backup-1.bin (HTTP 404 NoSuchKey)"
        );
        assert_eq!(e.advice_in(Lang::Fr), fr("offsite-no-object-advice"));
        assert_eq!(
            e.message_in(Lang::En),
            "the offsite store http://127.0.0.1:9 (bucket clinic-backups) has no \
             t/backups/Backup-1.bin (HTTP 404 NoSuchKey)"
        );
    }
}
