//! The origin record of a backup (format 1.1): `origin.json`, which names
//! the sealed metadata and the SHA-256 of the manifest copy and of the
//! payload as stored, and `origin.json.minisig`, a standard minisign
//! signature of it by the device that wrote the backup. Both are container
//! parts after `payload.sha256`. This module holds the rules as data (no
//! I/O); signing and checking are in `crate::provenance`.

use crate::container::Extent;
use crate::error::{Error, Result};
use crate::metadata::Sealed;
use carevault_i18n::{t, Text};
use serde::{Deserialize, Serialize};

/// Entry name of the origin record.
pub const ORIGIN_NAME: &str = "origin.json";
/// Entry name of its minisign signature.
pub const ORIGIN_SIG_NAME: &str = "origin.json.minisig";
/// Value of the record's `origin` field.
pub const ORIGIN_FORMAT: &str = "carevault-origin";
/// Largest origin record accepted (carevault writes about 1 KiB).
pub const MAX_ORIGIN_BYTES: u64 = 16 * 1024;
/// Largest signature file accepted (minisign writes about 300 bytes).
pub const MAX_SIG_BYTES: u64 = 2 * 1024;
/// The minor format version this build writes: 1 = with origin parts.
pub const FORMAT_MINOR: u32 = 1;

/// A container part named by its entry name and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartHash {
    /// Entry name in the container.
    pub name: String,
    /// SHA-256 of the entry's bytes as stored, 64 lowercase hex digits.
    pub sha256: String,
}

/// Who signed the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// The signer's minisign public key (the base64 line of a `.pub` file).
    pub public_key: String,
    /// Its key ID, 16 uppercase hex digits, as `minisign` prints it.
    pub key_id: String,
    /// A facility key's certificate of the signer's key (a minisign
    /// signature file), when the device has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// The origin record (`origin.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Always `carevault-origin`.
    pub origin: String,
    /// The sealed metadata of the backup (readable metadata minus key slots).
    pub sealed: Sealed,
    /// The manifest copy at the end of the container.
    pub manifest: PartHash,
    /// The payload as stored (the hash `payload.sha256` holds).
    pub payload: PartHash,
    /// The signing key.
    pub signer: Signer,
}

impl Origin {
    /// Serialises as pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("origin serialises");
        v.push(b'\n');
        v
    }

    /// Parses and checks the shape of an origin record.
    pub fn parse(bytes: &[u8]) -> Result<Origin> {
        if bytes.len() as u64 > MAX_ORIGIN_BYTES {
            return Err(Error::Corrupted(t!("core-origin-too-large")));
        }
        let o: Origin = serde_json::from_slice(bytes)
            .map_err(|e| Error::Corrupted(t!("core-origin-damaged")).because(e))?;
        let hex64 = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let ok = o.origin == ORIGIN_FORMAT
            && hex64(&o.manifest.sha256)
            && hex64(&o.payload.sha256)
            && o.signer.key_id.len() == 16
            && o.signer.key_id.bytes().all(|b| b.is_ascii_hexdigit())
            && o.signer.public_key.len() < 200
            && o.signer.certificate.as_ref().is_none_or(|c| c.len() < 2048);
        if !ok {
            return Err(Error::Corrupted(t!("core-origin-damaged")));
        }
        Ok(o)
    }

    /// The minisign trusted comment carevault signs along with the record.
    pub fn trusted_comment(&self) -> String {
        format!(
            "carevault backup {} of {} / {}",
            self.sealed.id,
            clean(&self.sealed.facility),
            clean(&self.sealed.device)
        )
    }
}

/// A trusted comment is one line of text, with no space at either end
/// (minisign's reader trims them, which would break the signature); an
/// empty name (an app without a facility setting) reads `-`.
fn clean(s: &str) -> String {
    let c: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(60)
        .collect();
    match c.trim() {
        "" => "-".into(),
        t => t.to_string(),
    }
}

/// Refuses a minor version newer than this build reads.
pub fn check_minor(minor: u32) -> Result<()> {
    if minor > FORMAT_MINOR {
        return Err(Error::Newer(t!(
            "core-newer-minor",
            minor = minor,
            newest = FORMAT_MINOR
        )));
    }
    Ok(())
}

/// Damage that a signature check finds: the record does not describe the
/// file it is in, or the signature does not match the record.
pub fn mismatch(what: Text) -> Error {
    Error::Tampered {
        message: t!("core-origin-mismatch", what = what),
        advice: t!("core-origin-mismatch-advice"),
    }
}

/// Takes the origin parts (format 1.1) off the end of the container's
/// parts, checking their sizes; no other part may carry their names.
pub fn split_origin_parts(parts: &mut Vec<(String, Extent)>) -> Result<Option<(Extent, Extent)>> {
    let n = parts.len();
    let named = |i: usize, name: &str| parts.get(i).is_some_and(|(n, _)| n == name);
    let origin = if n >= 2 && named(n - 2, ORIGIN_NAME) && named(n - 1, ORIGIN_SIG_NAME) {
        let sig = parts.pop().expect("two parts").1;
        let rec = parts.pop().expect("two parts").1;
        if rec.len > MAX_ORIGIN_BYTES || sig.len > MAX_SIG_BYTES {
            return Err(Error::Unsafe(t!("ops-damaged-origin-parts-too-large")));
        }
        Some((rec, sig))
    } else {
        None
    };
    if parts
        .iter()
        .any(|(n, _)| n == ORIGIN_NAME || n == ORIGIN_SIG_NAME)
    {
        return Err(Error::Corrupted(t!("ops-damaged-parts-out-of-order")));
    }
    Ok(origin)
}
