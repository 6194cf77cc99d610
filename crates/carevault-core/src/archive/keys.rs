//! The key envelope. The payload is encrypted once, with age, to a fresh
//! X25519 key made for this backup (the *backup key*). The backup key is
//! then stored in key slots, each an ordinary age file: one encrypted with
//! the passphrase (age's scrypt recipient), one encrypted to the recovery
//! public keys (age's X25519 recipients). Changing the passphrase rewrites a
//! slot, never the payload. No cryptography is implemented here: all of it
//! is the `age` crate (the age-encryption.org/v1 format).

use crate::error::{Error, Kind, Result};
use crate::format::container::{PASSPHRASE_SLOT_NAME, RECOVERY_SLOT_NAME};
use crate::i18n::t;
use age::secrecy::{ExposeSecret, SecretString};
use std::io::{Read, Write};
use std::str::FromStr;

/// Work factor (log2 N) for scrypt when a passphrase slot is written: 2^18
/// needs 256 MiB of memory, the age CLI's default.
pub const DEFAULT_SCRYPT_LOG_N: u8 = 18;
/// Highest work factor accepted when a passphrase slot is read, so a
/// hostile file cannot demand gigabytes of memory or minutes of work.
pub const DEFAULT_MAX_SCRYPT_LOG_N: u8 = 18;

/// The per-backup key.
pub struct BackupKey(age::x25519::Identity);

impl BackupKey {
    /// A new random key.
    pub fn generate() -> BackupKey {
        BackupKey(age::x25519::Identity::generate())
    }

    /// The public half the payload is encrypted to.
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.0.to_public()
    }

    /// The identity that decrypts the payload.
    pub fn identity(&self) -> &age::x25519::Identity {
        &self.0
    }

    /// The slot plaintext: an age identity file (readable by `age -i`).
    fn identity_file(&self) -> SecretString {
        SecretString::from(format!(
            "# carevault backup key\n{}\n",
            self.0.to_string().expose_secret()
        ))
    }

    fn from_identity_file(text: &str) -> Result<BackupKey> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        age::x25519::Identity::from_str(line)
            .map(BackupKey)
            .map_err(|_| crate::error::corrupted(t!("core-key-slot-invalid")))
    }
}

/// How a user unlocks an encrypted backup.
pub enum Unlock {
    /// The backup's passphrase.
    Passphrase(SecretString),
    /// A recovery identity (the secret half of a recovery key).
    RecoveryKey(age::x25519::Identity),
}

/// Parses a recovery public key (`age1...`).
pub fn parse_recipient(text: &str) -> Result<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|e| {
        Error::new(
            Kind::Usage,
            t!(
                "core-recipient-invalid",
                key = format!("{:?}", text.trim()),
                err = e.to_string()
            ),
            t!("core-recipient-invalid-advice"),
        )
    })
}

/// Reads a recovery identity file (as written by `carevault keygen` or `age-keygen`).
pub fn parse_identity_file(text: &str) -> Result<age::x25519::Identity> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or_else(|| {
            Error::new(
                Kind::Usage,
                t!("core-identity-file-invalid"),
                t!("core-identity-file-invalid-advice"),
            )
        })
}

/// Makes a recovery key pair: (identity file text, public key).
pub fn generate_recovery_key() -> (SecretString, String) {
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let created = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
    let text = format!(
        "# carevault recovery key, created {created}\n# public key: {public}\n{}\n",
        id.to_string().expose_secret()
    );
    (SecretString::from(text), public)
}

/// Encrypts `plaintext` to `recipients` as one age file.
pub fn seal(recipients: &[&dyn age::Recipient], plaintext: &[u8]) -> Result<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::internal(t!("core-age-encrypt-failed", err = e.to_string()))
    };
    let enc =
        age::Encryptor::with_recipients(recipients.iter().copied()).map_err(|e| failed(&e))?;
    let mut out = Vec::with_capacity(plaintext.len() + 256);
    let mut w = enc.wrap_output(&mut out).map_err(|e| failed(&e))?;
    w.write_all(plaintext)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| failed(&e))?;
    Ok(out)
}

/// The passphrase slot for `key`.
pub fn passphrase_slot(key: &BackupKey, passphrase: &SecretString, log_n: u8) -> Result<Vec<u8>> {
    let mut r = age::scrypt::Recipient::new(passphrase.clone());
    r.set_work_factor(log_n);
    seal(&[&r], key.identity_file().expose_secret().as_bytes())
}

/// The length [`passphrase_slot`] will have for `key` at work factor
/// `log_n`, found by sealing the same plaintext with a cheap work factor of
/// as many digits (the age header names the work factor in decimal; every
/// other part of the slot has a fixed length). Lets a backup write the
/// payload while scrypt runs on another core.
pub fn passphrase_slot_len(key: &BackupKey, log_n: u8) -> Result<usize> {
    let probe = match log_n {
        0..=9 => 1,
        10..=99 => 10,
        _ => 100,
    };
    let pass = SecretString::from("length probe".to_string());
    passphrase_slot(key, &pass, probe).map(|v| v.len())
}

/// The recovery slot for `key`, readable by any of `recipients`.
pub fn recovery_slot(key: &BackupKey, recipients: &[age::x25519::Recipient]) -> Result<Vec<u8>> {
    let dyns: Vec<&dyn age::Recipient> = recipients.iter().map(|r| r as _).collect();
    seal(&dyns, key.identity_file().expose_secret().as_bytes())
}

/// Opens an age file with `identity`, reading at most `limit` plaintext bytes.
pub fn open_sealed(bytes: &[u8], identity: &dyn age::Identity, limit: u64) -> Result<Vec<u8>> {
    let dec = age::Decryptor::new_buffered(bytes).map_err(map_decrypt_error)?;
    let mut r = dec
        .decrypt(std::iter::once(identity))
        .map_err(map_decrypt_error)?;
    let mut out = Vec::new();
    (&mut r)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            crate::error::corrupted(t!(
                "core-sealed-auth-failed",
                err = crate::error::io_words(&e)
            ))
        })?;
    if out.len() as u64 > limit {
        return Err(crate::error::unsafe_archive(t!("core-sealed-too-large")));
    }
    Ok(out)
}

/// Tries the slots in turn with what the user gave.
pub fn unlock(slots: &[(String, Vec<u8>)], how: &Unlock, max_log_n: u8) -> Result<BackupKey> {
    let (want, identity): (&str, Box<dyn age::Identity>) = match how {
        Unlock::Passphrase(p) => {
            let mut id = age::scrypt::Identity::new(p.clone());
            id.set_max_work_factor(max_log_n);
            (PASSPHRASE_SLOT_NAME, Box::new(id))
        }
        Unlock::RecoveryKey(id) => (RECOVERY_SLOT_NAME, Box::new(id.clone())),
    };
    let has_recovery = slots.iter().any(|(n, _)| n == RECOVERY_SLOT_NAME);
    let Some((_, bytes)) = slots.iter().find(|(n, _)| n == want) else {
        return Err(match how {
            Unlock::Passphrase(_) => Error::new(
                Kind::WrongKey,
                t!("core-no-passphrase-slot"),
                t!("core-advice-recovery-key-only"),
            ),
            Unlock::RecoveryKey(_) => Error::new(
                Kind::WrongKey,
                t!("core-no-recovery-slot"),
                t!("core-no-recovery-slot-advice"),
            ),
        });
    };
    let text = open_sealed(bytes, identity.as_ref(), 4096).map_err(|e| {
        // Recovery keys are offered only for a backup made with one.
        if e.kind() == Kind::WrongKey && !has_recovery {
            e.with_advice(t!("core-advice-wrong-passphrase-only"))
        } else {
            e
        }
    })?;
    let text = String::from_utf8(text)
        .map_err(|_| crate::error::corrupted(t!("core-key-slot-not-text")))?;
    BackupKey::from_identity_file(&text)
}

/// Maps age's decryption errors onto carevault's kinds.
pub fn map_decrypt_error(e: age::DecryptError) -> Error {
    use age::DecryptError as D;
    match e {
        D::NoMatchingKeys | D::DecryptionFailed | D::KeyDecryptionFailed => Error::new(
            Kind::WrongKey,
            t!("core-wrong-key"),
            t!("core-advice-wrong-passphrase"),
        ),
        D::ExcessiveWork { required, .. } => Error::new(
            Kind::UnsafeArchive,
            t!("core-work-factor-too-high", required = required),
            t!("core-work-factor-too-high-advice"),
        ),
        D::InvalidMac => crate::error::corrupted(t!("core-age-header-mac")),
        D::InvalidHeader => crate::error::corrupted(t!("core-age-header-invalid")),
        D::UnknownFormat => Error::new(
            Kind::UnsupportedVersion,
            t!("core-age-unknown-format"),
            t!("core-update-carevault-advice"),
        ),
        D::Io(err) => crate::error::corrupted(t!(
            "core-age-read-failed",
            err = crate::error::io_words(&err)
        )),
        other => crate::error::corrupted(t!("core-age-open-failed", err = other.to_string())),
    }
}

#[cfg(test)]
mod slot_length {
    use super::*;

    #[test]
    fn the_predicted_passphrase_slot_length_is_the_real_one() {
        let key = BackupKey::generate();
        for log_n in [1u8, 5, 9, 10, 12, 14] {
            let pass = SecretString::from(format!("a passphrase of some length {log_n}"));
            let real = passphrase_slot(&key, &pass, log_n).unwrap();
            assert_eq!(
                passphrase_slot_len(&key, log_n).unwrap(),
                real.len(),
                "work factor {log_n}"
            );
        }
    }
}
