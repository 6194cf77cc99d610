//! Facility keys: a minisign key pair the facility keeps offline (with its
//! recovery keys, at the office) that countersigns the device keys of its
//! tablets. A tablet that trusts the facility key trusts the backups of
//! every tablet whose device key it certified, without adding each one.
//!
//! The certificate is a standard minisign signature, by the facility key,
//! of the device's public key (its base64 line), with the trusted comment
//! `carevault device key <key ID>`. It lives in `private/device-key.cert`
//! and goes into every origin record the device signs, so it is covered by
//! the device's own signature.

use crate::audit::{self, Event, Outcome};
use crate::auth::{ManageTrust, Permit};
use crate::error::{Error, Kind, Result};
use crate::fsutil;
use crate::i18n::t;
use std::path::{Path, PathBuf};

/// File name of the certificate inside `private/`.
pub const CERT_FILE: &str = "device-key.cert";
/// Largest certificate accepted.
pub const MAX_CERT_BYTES: u64 = 2048;

/// Where this device's certificate lives.
pub fn cert_path(home: &Path) -> PathBuf {
    crate::layout::private_dir(home).join(CERT_FILE)
}

/// A new facility key pair: (the secret key file's text, the public key).
pub fn generate() -> Result<(String, String)> {
    let minisign::KeyPair { pk, sk } =
        minisign::KeyPair::generate_unencrypted_keypair().map_err(|e| {
            Error::internal(t!("ops-internal-making-facility-key", err = e.to_string()))
        })?;
    let secret = sk
        .to_box(Some("carevault facility signing key"))
        .map_err(|e| {
            Error::internal(t!(
                "ops-internal-encoding-facility-key",
                err = e.to_string()
            ))
        })?
        .into_string();
    Ok((secret, pk.to_base64()))
}

fn trusted_comment(device_key_id: &str) -> String {
    format!("carevault device key {device_key_id}")
}

/// This device's certificate, if one was made.
pub fn certificate(home: &Path) -> Result<Option<String>> {
    let path = cert_path(home);
    match fsutil::read_small(&path, MAX_CERT_BYTES) {
        Ok(b) => Ok(b.map(|b| String::from_utf8_lossy(&b).into_owned())),
        Err(e) => Err(Error::io(t!("ops-doing-reading-key-certificate"), &path, e)),
    }
}

/// Certifies this device's key with the facility's secret key (the text
/// of its key file); audited. Replaces an earlier certificate.
pub fn certify(permit: &Permit<ManageTrust>, facility_secret: &str) -> Result<String> {
    let home = permit.home();
    let result = certify_inner(home, facility_secret);
    let event = match &result {
        Ok(id) => Event::new(permit.user(), "trust certify", Outcome::Success)
            .reason(&format!("device key certified by facility key {id}")),
        Err(e) => Event::new(permit.user(), "trust certify", Outcome::Failure)
            .reason(&e.message_in(crate::i18n::Lang::En)),
    };
    audit::append(home, &event)?;
    result
}

fn certify_inner(home: &Path, facility_secret: &str) -> Result<String> {
    let sk = minisign::SecretKeyBox::from_string(facility_secret)
        .and_then(|b| b.into_unencrypted_secret_key())
        .map_err(|_| {
            Error::new(
                Kind::Usage,
                t!("ops-facility-key-bad"),
                t!("ops-facility-key-bad-advice"),
            )
        })?;
    let pk = minisign::PublicKey::from_secret_key(&sk).map_err(|e| {
        Error::internal(t!("ops-internal-reading-facility-key", err = e.to_string()))
    })?;
    let device = super::device_key::load_or_create(home)?;
    let sig = minisign::sign(
        Some(&pk),
        &sk,
        std::io::Cursor::new(device.public_key().into_bytes()),
        Some(&trusted_comment(&device.key_id())),
        Some(&format!(
            "certificate of carevault device key {} by facility key {}",
            device.key_id(),
            super::key_id(pk.keynum())
        )),
    )
    .map_err(|e| Error::internal(t!("ops-internal-certifying", err = e.to_string())))?;
    fsutil::write_private(&cert_path(home), sig.into_string().as_bytes())?;
    Ok(super::key_id(pk.keynum()))
}

/// Whether `certificate` is the facility key `facility_pk`'s signature of
/// the device key `device_pk` (both base64 lines).
pub fn certifies(certificate: &str, device_pk: &str, facility_pk: &str) -> bool {
    if !super::signature_shape_ok(certificate) {
        return false;
    }
    let (Ok(sig), Ok(fpk), Ok(dpk)) = (
        minisign::SignatureBox::from_string(certificate),
        minisign::PublicKey::from_base64(facility_pk),
        minisign::PublicKey::from_base64(device_pk),
    ) else {
        return false;
    };
    minisign::verify(
        &fpk,
        &sig,
        std::io::Cursor::new(device_pk.as_bytes().to_vec()),
        true,
        false,
        false,
    )
    .is_ok()
        && sig.trusted_comment().ok() == Some(trusted_comment(&super::key_id(dpk.keynum())))
}
