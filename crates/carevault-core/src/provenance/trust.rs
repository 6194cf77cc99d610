//! The facility trust keys: the minisign public keys of the facility's
//! other tablets whose backups this tablet's nurses and managers may
//! restore. Kept in `private/trusted-keys.json` (mode 0600, 0700 folder),
//! not in the profile: the profile is a hand-edited file in the app home,
//! while trust changes only through `carevault trust` (System
//! Administrator, audited), and `private/` is never replaced by a restore,
//! so a restored backup cannot bring trust with it.

use super::Signed;
use crate::audit::{self, Event, Outcome};
use crate::auth::{ManageTrust, Permit};
use crate::error::{Error, Kind, Result};
use crate::fsutil;
use crate::i18n::{t, Text};
use crate::layout;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File name inside `private/`.
pub const TRUST_FILE: &str = "trusted-keys.json";
/// Most keys kept (a facility has a handful of tablets).
pub const MAX_KEYS: usize = 256;
/// Longest name of a key.
pub const MAX_NAME_CHARS: usize = 64;

/// Where the trust keys live.
pub fn trust_path(home: &Path) -> PathBuf {
    layout::private_dir(home).join(TRUST_FILE)
}

/// One trusted key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// Key ID (16 hex digits, as `minisign` prints it).
    pub key_id: String,
    /// The minisign public key (base64 line).
    pub public_key: String,
    /// A name for people ("tablet-04, maternity ward").
    pub name: String,
    /// Who added it.
    pub added_by: String,
    /// When (UTC, RFC 3339).
    pub added_at: String,
    /// `device`: another tablet's key; `facility`: a facility key that
    /// countersigns device keys (every device key it certified is trusted).
    #[serde(default)]
    pub kind: KeyKind,
}

/// What a trusted key is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A tablet's device key.
    #[default]
    Device,
    /// A facility key.
    Facility,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TrustFile {
    keys: Vec<TrustedKey>,
}

/// How far this tablet trusts a backup's signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustLevel {
    /// Signed by this device's own key.
    ThisDevice,
    /// Signed by a key in the trust list.
    Trusted,
    /// Signed, by a key this tablet does not trust.
    NotTrusted,
    /// Not signed (format 1.0).
    Unsigned,
}

impl TrustLevel {
    /// Words for people, in the person's language.
    pub fn title(self) -> Text {
        match self {
            TrustLevel::ThisDevice => t!("ops-trust-level-this-device"),
            TrustLevel::Trusted => t!("ops-trust-level-trusted"),
            TrustLevel::NotTrusted => t!("ops-trust-level-not-trusted"),
            TrustLevel::Unsigned => t!("ops-trust-level-unsigned"),
        }
    }

    /// Words for people, in English (logs and JSON).
    pub fn describe(self) -> &'static str {
        match self {
            TrustLevel::ThisDevice => "this device",
            TrustLevel::Trusted => "trusted",
            TrustLevel::NotTrusted => "not trusted",
            TrustLevel::Unsigned => "unsigned",
        }
    }

    /// Signed by this device or a trusted key.
    pub fn is_trusted(self) -> bool {
        matches!(self, TrustLevel::ThisDevice | TrustLevel::Trusted)
    }
}

/// Who signed a backup and whether this tablet trusts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trust {
    /// The verdict.
    pub level: TrustLevel,
    /// The signer's key ID (absent when unsigned).
    pub key_id: Option<String>,
    /// The trusted key's name (when trusted).
    pub key_name: Option<String>,
}

fn bad_file(path: &Path) -> Error {
    Error::new(
        Kind::Io,
        t!("ops-trust-file-damaged"),
        t!("ops-trust-file-damaged-advice"),
    )
    .at(path)
}

fn load(home: &Path) -> Result<TrustFile> {
    let path = trust_path(home);
    match fsutil::read_small(&path, 1024 * 1024) {
        Ok(None) => Ok(TrustFile::default()),
        Ok(Some(b)) => serde_json::from_slice(&b).map_err(|_| bad_file(&path)),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(bad_file(&path)),
        Err(e) => Err(Error::io(t!("ops-doing-reading-trusted-keys"), &path, e)),
    }
}

fn save(home: &Path, f: &TrustFile) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(f).expect("trust file serialises");
    bytes.push(b'\n');
    fsutil::write_private(&trust_path(home), &bytes)
}

/// The trusted keys.
pub fn list(home: &Path) -> Result<Vec<TrustedKey>> {
    Ok(load(home)?.keys)
}

/// Parses a minisign public key given as its base64 line or as a whole
/// `.pub` file (an `untrusted comment:` line, then the key).
pub fn parse_public_key(text: &str) -> Result<(String, String)> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .unwrap_or_default();
    let pk = minisign::PublicKey::from_base64(line).map_err(|_| {
        Error::new(
            Kind::Usage,
            t!("ops-trust-not-a-key"),
            t!("ops-trust-not-a-key-advice"),
        )
    })?;
    Ok((super::key_id(pk.keynum()), pk.to_base64()))
}

/// Adds a trusted device key; audited.
pub fn add(permit: &Permit<ManageTrust>, public_key: &str, name: &str) -> Result<TrustedKey> {
    add_kind(permit, public_key, name, KeyKind::Device)
}

/// Adds a trusted key of `kind`; audited.
pub fn add_kind(
    permit: &Permit<ManageTrust>,
    public_key: &str,
    name: &str,
    kind: KeyKind,
) -> Result<TrustedKey> {
    let home = permit.home();
    let result = add_inner(home, permit.user(), public_key, name, kind);
    let event = match &result {
        Ok(k) => Event::new(permit.user(), "trust add", Outcome::Success)
            .reason(&format!("key {} ({})", k.key_id, k.name)),
        Err(e) => Event::new(permit.user(), "trust add", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    audit::append(home, &event)?;
    result
}

fn add_inner(
    home: &Path,
    user: &str,
    public_key: &str,
    name: &str,
    kind: KeyKind,
) -> Result<TrustedKey> {
    let (key_id, public_key) = parse_public_key(public_key)?;
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-trust-bad-name", max = MAX_NAME_CHARS),
            t!("ops-trust-bad-name-advice"),
        ));
    }
    if super::device_key::load(home)?.is_some_and(|k| k.key_id() == key_id) {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-trust-own-key"),
            t!("ops-trust-own-key-advice"),
        ));
    }
    let mut f = load(home)?;
    if f.keys.iter().any(|k| k.key_id == key_id) {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-trust-already", key = &key_id),
            t!("ops-trust-see-list"),
        ));
    }
    if f.keys.len() >= MAX_KEYS {
        return Err(Error::new(
            Kind::Usage,
            t!("ops-trust-too-many", max = MAX_KEYS),
            t!("ops-trust-too-many-advice"),
        ));
    }
    let k = TrustedKey {
        key_id,
        public_key,
        name: name.to_string(),
        added_by: user.to_string(),
        added_at: jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        kind,
    };
    f.keys.push(k.clone());
    save(home, &f)?;
    Ok(k)
}

/// Removes a trusted key by key ID or name; audited.
pub fn remove(permit: &Permit<ManageTrust>, which: &str) -> Result<TrustedKey> {
    let home = permit.home();
    let result = remove_inner(home, which);
    let event = match &result {
        Ok(k) => Event::new(permit.user(), "trust remove", Outcome::Success)
            .reason(&format!("key {} ({})", k.key_id, k.name)),
        Err(e) => Event::new(permit.user(), "trust remove", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    audit::append(home, &event)?;
    result
}

fn remove_inner(home: &Path, which: &str) -> Result<TrustedKey> {
    let mut f = load(home)?;
    let hits: Vec<usize> = (0..f.keys.len())
        .filter(|&i| f.keys[i].key_id.eq_ignore_ascii_case(which) || f.keys[i].name == which)
        .collect();
    match hits.as_slice() {
        [i] => {
            let k = f.keys.remove(*i);
            save(home, &f)?;
            Ok(k)
        }
        [] => Err(Error::new(
            Kind::NotFound,
            t!("ops-trust-no-such-key", which = format!("{which:?}")),
            t!("ops-trust-see-list"),
        )),
        _ => Err(Error::new(
            Kind::Usage,
            t!("ops-trust-ambiguous", which = format!("{which:?}")),
            t!("ops-trust-ambiguous-advice"),
        )),
    }
}

/// Whether this tablet trusts the signer of a backup.
pub fn assess(home: &Path, signed: Option<&Signed>) -> Result<Trust> {
    Ok(TrustStore::load(home)?.assess(signed))
}

/// This device's public key and the trusted keys, read once (a listing
/// assesses every file against them).
pub struct TrustStore {
    device: Option<String>,
    keys: Vec<TrustedKey>,
}

impl TrustStore {
    /// Reads the device key's public half and the trust list.
    pub fn load(home: &Path) -> Result<TrustStore> {
        Ok(TrustStore {
            device: super::device_key::load(home)?.map(|k| k.public_key()),
            keys: load(home)?.keys,
        })
    }

    /// Whether this tablet trusts the signer of a backup.
    pub fn assess(&self, signed: Option<&Signed>) -> Trust {
        let Some(s) = signed else {
            return Trust {
                level: TrustLevel::Unsigned,
                key_id: None,
                key_name: None,
            };
        };
        let key_id = Some(s.key_id.clone());
        if self.device.as_deref() == Some(s.public_key.as_str()) {
            return Trust {
                level: TrustLevel::ThisDevice,
                key_id,
                key_name: None,
            };
        }
        let device = self
            .keys
            .iter()
            .find(|k| k.kind == KeyKind::Device && k.public_key == s.public_key);
        // Or a device key certified by a trusted facility key.
        let certified = || {
            let cert = s.certificate.as_deref()?;
            self.keys.iter().find(|k| {
                k.kind == KeyKind::Facility
                    && super::facility::certifies(cert, &s.public_key, &k.public_key)
            })
        };
        match device.or_else(certified) {
            Some(k) => Trust {
                level: TrustLevel::Trusted,
                key_id,
                key_name: Some(match k.kind {
                    KeyKind::Device => k.name.clone(),
                    KeyKind::Facility => format!("certified by {}", k.name),
                }),
            },
            None => Trust {
                level: TrustLevel::NotTrusted,
                key_id,
                key_name: None,
            },
        }
    }
}
