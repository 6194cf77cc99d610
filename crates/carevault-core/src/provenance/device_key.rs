//! This installation's signing key: an Ed25519 key pair in minisign's
//! format, made on first need. The secret key is `private/device-signing.key`
//! (a standard minisign secret key file, mode 0600 in a 0700 folder).
//!
//! The key file has no password: the tablet signs its automatic backups
//! unattended, so a password would have to be stored beside the key. It is
//! protected like the device secret (file mode, a folder a restore never
//! replaces); docs/SECURITY.md says what that does and does not hold against.

use crate::error::{Error, Kind, Result};
use crate::fsutil;
use crate::i18n::t;
use crate::layout;
use std::path::{Path, PathBuf};

/// File name of the secret key inside `private/`.
pub const KEY_FILE: &str = "device-signing.key";
/// Largest key file accepted.
const MAX_KEY_BYTES: u64 = 4096;

/// Where the secret key lives.
pub fn key_path(home: &Path) -> PathBuf {
    layout::private_dir(home).join(KEY_FILE)
}

/// The device's key pair.
pub struct DeviceKey {
    pk: minisign::PublicKey,
    sk: minisign::SecretKey,
}

impl DeviceKey {
    /// The public key, as the base64 line of a minisign `.pub` file.
    pub fn public_key(&self) -> String {
        self.pk.to_base64()
    }

    /// The key ID, as `minisign` prints it.
    pub fn key_id(&self) -> String {
        super::key_id(self.pk.keynum())
    }

    /// A minisign signature file (text) of `data`, with `trusted_comment`.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String> {
        let sig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            std::io::Cursor::new(data),
            Some(trusted_comment),
            Some(&super::untrusted_comment(&self.key_id())),
        )
        .map_err(|e| Error::internal(t!("ops-internal-signing", err = e.to_string())))?;
        Ok(sig.into_string())
    }
}

fn damaged(path: &Path) -> Error {
    Error::new(
        Kind::Io,
        t!("ops-device-key-damaged"),
        t!("ops-device-key-damaged-advice"),
    )
    .at(path)
}

fn parse(path: &Path, bytes: &[u8]) -> Result<DeviceKey> {
    let text = std::str::from_utf8(bytes).map_err(|_| damaged(path))?;
    let sk = minisign::SecretKeyBox::from_string(text)
        .and_then(|b| b.into_unencrypted_secret_key())
        .map_err(|_| damaged(path))?;
    let pk = minisign::PublicKey::from_secret_key(&sk).map_err(|_| damaged(path))?;
    Ok(DeviceKey { pk, sk })
}

/// The device key if it exists (never creates one).
pub fn load(home: &Path) -> Result<Option<DeviceKey>> {
    let path = key_path(home);
    match fsutil::read_small(&path, MAX_KEY_BYTES) {
        Ok(Some(bytes)) => parse(&path, &bytes).map(Some),
        Ok(None) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(damaged(&path)),
        Err(e) => Err(Error::io(t!("ops-doing-reading-device-key"), &path, e)),
    }
}

/// The device key, made on first need. Creation is race-free: the new key
/// is written to a private temporary file and linked to its name, which
/// fails if another process made the key meanwhile (then that key is used).
pub fn load_or_create(home: &Path) -> Result<DeviceKey> {
    if let Some(k) = load(home)? {
        return Ok(k);
    }
    let path = key_path(home);
    let minisign::KeyPair { sk, .. } = minisign::KeyPair::generate_unencrypted_keypair()
        .map_err(|e| Error::internal(t!("ops-internal-making-signing-key", err = e.to_string())))?;
    let text = sk
        .to_box(Some("carevault device signing key"))
        .map_err(|e| Error::internal(t!("ops-internal-encoding-signing-key", err = e.to_string())))?
        .into_string();
    // A key another process made meanwhile wins (create_once never replaces).
    fsutil::create_once(&path, text.as_bytes())?;
    load(home)?.ok_or_else(|| Error::internal(t!("ops-internal-signing-key-vanished")))
}
