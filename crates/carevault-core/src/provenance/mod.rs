//! Provenance: where a backup comes from, and whether this tablet trusts it.
//!
//! - [`device_key`]: this installation's Ed25519 signing key (minisign format).
//! - This module: signing a finished container (the `origin.json` and
//!   `origin.json.minisig` parts, see `format::origin`) and checking them
//!   whenever a backup is opened.
//! - [`facility`]: a facility key that countersigns device keys.
//! - [`trust`]: the facility trust keys (`private/trusted-keys.json`),
//!   managed by `carevault trust` (System Administrator, audited).
//! - [`policy`]: who may restore what over existing clinic data.
//!
//! The signatures are minisign's (the `minisign` crate, by minisign's
//! author), so `minisign -Vm origin.json -P KEY` checks one with the
//! standard tool; nothing here is home-made cryptography.

pub mod device_key;
pub mod facility;
pub mod policy;
pub mod trust;

use crate::archive::reader::{read_extent, read_layout};
use crate::archive::writer::write_entry;
use crate::error::{corrupted, Error, Result};
use crate::format::container::{payload_sum_line, Extent};
use crate::format::metadata::Metadata;
use crate::format::origin::{
    Origin, PartHash, Signer, ORIGIN_FORMAT, ORIGIN_NAME, ORIGIN_SIG_NAME,
};
use crate::i18n::t;
use serde::Serialize;
use sha2::Digest;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

pub use trust::{Trust, TrustLevel};

/// A backup's checked signature: the record verified against the key it
/// names, and the record tied to the file's metadata and payload checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signed {
    /// The signer's key ID (16 hex digits, as `minisign` prints it).
    pub key_id: String,
    /// The signer's minisign public key.
    pub public_key: String,
    /// A facility key's certificate of the signer's key, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// SHA-256 the manifest copy must have (checked when it is read).
    #[serde(skip)]
    manifest_sha256: String,
}

impl Signed {
    /// Checks the manifest copy's bytes as stored against the signed hash.
    pub fn check_manifest(&self, stored: &[u8]) -> Result<()> {
        if hex::encode(sha2::Sha256::digest(stored)) != self.manifest_sha256 {
            return Err(mismatch(t!("ops-damaged-manifest-copy-differs")));
        }
        Ok(())
    }
}

/// The untrusted comment carevault writes in a signature file.
pub fn untrusted_comment(key_id: &str) -> String {
    format!("signature from carevault device key {key_id}")
}

/// The minisign key ID of a key number, as `minisign` prints it.
pub fn key_id(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    b.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// The record does not describe the file it is in, or the signature does
/// not match the record (`format::origin::mismatch`, as the library's error).
fn mismatch(what: crate::i18n::Text) -> Error {
    crate::format::origin::mismatch(what).into()
}

/// Takes the origin parts off the end of a container's part list, if they
/// are there; refuses them anywhere else or one without the other (the
/// rule is the format crate's).
pub fn split_origin_parts(parts: &mut Vec<(String, Extent)>) -> Result<Option<(Extent, Extent)>> {
    Ok(crate::format::origin::split_origin_parts(parts)?)
}

/// Whether `text` has the shape of a minisign signature file: its second
/// line the base64 of exactly 74 bytes (100 characters) and its fourth the
/// base64 of 64 (88). The minisign crate asserts that length in debug
/// builds instead of returning an error, so it is checked here first.
pub fn signature_shape_ok(text: &str) -> bool {
    // Canonical base64 of `len` characters ending in `pad` `=`: it decodes
    // to exactly the length minisign expects, or fails to decode.
    let b64 = |l: &str, len: usize, pad: usize| {
        l.len() == len
            && l.bytes().skip(len - pad).all(|b| b == b'=')
            && l.bytes()
                .take(len - pad)
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    };
    let lines: Vec<&str> = text.lines().collect();
    lines.len() == 4 && b64(lines[1], 100, 1) && b64(lines[3], 88, 2)
}

/// Checks a record's signature; returns the record.
pub fn verify_record(record: &[u8], signature: &[u8]) -> Result<Origin> {
    let origin = Origin::parse(record)?;
    let sig_text = std::str::from_utf8(signature)
        .map_err(|_| corrupted(t!("ops-damaged-signature-not-text")))?;
    if !signature_shape_ok(sig_text) {
        return Err(corrupted(t!("ops-damaged-signature-file")));
    }
    let sig = minisign::SignatureBox::from_string(sig_text)
        .map_err(|e| corrupted(t!("ops-damaged-signature-unreadable", err = e.to_string())))?;
    let pk = minisign::PublicKey::from_base64(&origin.signer.public_key)
        .map_err(|e| corrupted(t!("ops-damaged-signer-key-unreadable", err = e.to_string())))?;
    if key_id(pk.keynum()) != origin.signer.key_id {
        return Err(mismatch(t!("ops-damaged-key-id")));
    }
    minisign::verify(&pk, &sig, std::io::Cursor::new(record), true, false, false)
        .map_err(|_| mismatch(t!("ops-damaged-signature-invalid")))?;
    if sig.trusted_comment().ok().as_deref() != Some(origin.trusted_comment().as_str()) {
        return Err(mismatch(t!("ops-damaged-signed-comment")));
    }
    // The untrusted comment is not signed, and base64 has spare bits: the
    // file must be exactly what carevault writes, so no changed byte in a
    // backup goes unseen.
    if sig.untrusted_comment().ok() != Some(untrusted_comment(&origin.signer.key_id))
        || sig.to_string() != sig_text
    {
        return Err(corrupted(t!("ops-damaged-signature-file")));
    }
    Ok(origin)
}

/// Reads and checks the origin parts of an opened container: `Ok(None)`
/// for a format 1.0 file (unsigned). A damaged or mismatched signature is
/// damage (exit 6 or 7), never "unsigned".
pub fn read_origin(
    file: &mut File,
    layout: &crate::format::container::Layout,
    metadata: &Metadata,
) -> Result<Option<Signed>> {
    let minor = metadata.sealed.format_minor;
    let Some((rec_ext, sig_ext)) = layout.origin else {
        if minor >= 1 {
            return Err(corrupted(t!("ops-damaged-origin-parts-missing")));
        }
        return Ok(None);
    };
    if minor == 0 {
        return Err(corrupted(t!("ops-damaged-origin-parts-in-1-0")));
    }
    let record = read_extent(file, rec_ext)?;
    let signature = read_extent(file, sig_ext)?;
    let origin = verify_record(&record, &signature)?;
    if origin.sealed != metadata.sealed {
        return Err(mismatch(t!("ops-damaged-details-differ")));
    }
    if origin.payload.name != layout.payload.0 || origin.manifest.name != layout.manifest.0 {
        return Err(mismatch(t!("ops-damaged-part-names-differ")));
    }
    let sums = read_extent(file, layout.payload_sum)?;
    if payload_sum_line(&origin.payload.sha256, &origin.payload.name).as_bytes() != sums {
        return Err(mismatch(t!("ops-damaged-payload-checksum-differs")));
    }
    Ok(Some(Signed {
        key_id: origin.signer.key_id,
        public_key: origin.signer.public_key,
        certificate: origin.signer.certificate,
        manifest_sha256: origin.manifest.sha256,
    }))
}

/// Signs a finished container in place: reads its parts back, appends
/// `origin.json` and `origin.json.minisig` before the end-of-archive
/// blocks. `file` must hold a complete format 1.1 container without them.
pub fn sign_container(home: &Path, file: &mut File, path: &Path, mtime: u64) -> Result<()> {
    let key = device_key::load_or_create(home)?;
    let io = |e| Error::io(t!("ops-doing-reading-backup-to-sign"), path, e);
    let len = file.metadata().map_err(io)?.len();
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let layout = read_layout(file, len)?;
    if layout.origin.is_some() {
        return Err(Error::internal(t!("ops-internal-signed-already")));
    }
    let md_bytes = read_extent(file, layout.metadata)?;
    let metadata = Metadata::parse_marked(&md_bytes, layout.version_mark)?;
    let manifest_sha256 = hash_extent(file, layout.manifest.1).map_err(io)?;
    let sums = read_extent(file, layout.payload_sum)?;
    let payload_sha256 = String::from_utf8_lossy(sums.get(..64).unwrap_or_default()).into_owned();
    let origin = Origin {
        origin: ORIGIN_FORMAT.into(),
        sealed: metadata.sealed,
        manifest: PartHash {
            name: layout.manifest.0.clone(),
            sha256: manifest_sha256,
        },
        payload: PartHash {
            name: layout.payload.0.clone(),
            sha256: payload_sha256,
        },
        signer: Signer {
            public_key: key.public_key(),
            key_id: key.key_id(),
            certificate: facility::certificate(home)?,
        },
    };
    let record = origin.to_bytes();
    let signature = key.sign(&record, &origin.trusted_comment())?;
    // Check what was made before it goes into the file.
    verify_record(&record, signature.as_bytes())?;
    file.seek(SeekFrom::Start(layout.file_len - 1024))
        .map_err(io)?;
    let mut out = crate::fault::Checked::new(&mut *file, path);
    write_entry(&mut out, ORIGIN_NAME, &record, mtime)?;
    write_entry(&mut out, ORIGIN_SIG_NAME, signature.as_bytes(), mtime)?;
    out.write_all(&[0u8; 1024])
        .map_err(|e| Error::io(t!("ops-doing-writing-backup-file"), path, e))?;
    Ok(())
}

fn hash_extent(file: &mut File, ext: Extent) -> std::io::Result<String> {
    file.seek(SeekFrom::Start(ext.offset))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = ext.len;
    let mut r = (&mut *file).take(ext.len);
    while left > 0 {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        h.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(hex::encode(h.finalize()))
}
