//! The readable metadata (`carevault.json`): what the Backup Explorer shows
//! without the passphrase. It holds no patient data.

use crate::container::{payload_name, PASSPHRASE_SLOT_NAME, RECOVERY_SLOT_NAME};
use crate::error::{Error, Result};
pub use crate::kinds::{CreatedAt, Location, SlotKind};
use crate::{FORMAT_NAME, NEWEST_READABLE};
use carevault_i18n::{t, Text};
use serde::{Deserialize, Serialize};

pub use crate::limits::{MAX_LABEL_CHARS, MAX_METADATA_BYTES};

/// The part of the metadata that is sealed: repeated inside the encrypted
/// manifest and compared on every verify and restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// Always `carevault-backup`.
    pub format: String,
    /// Format version of this file.
    pub format_version: u32,
    /// Minor format version: 0 (absent) for files without origin parts, 1
    /// for files with a signed origin (`format::origin`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub format_minor: u32,
    /// Unique backup ID.
    pub id: String,
    /// Human label (defaults to one made from the timestamp).
    pub label: String,
    /// UTC creation time, RFC 3339 (parsed when read; see [`CreatedAt`]).
    pub created_at: CreatedAt,
    /// User name of the person (or `auto`) who made it.
    pub created_by: String,
    /// Medium the backup was written to: Private, Public, External or Folder.
    pub location: Location,
    /// Whether the payload is encrypted.
    pub encrypted: bool,
    /// Made by the automatic schedule (retention may delete it) rather than
    /// by a person. Required, like every sealed field, so damage to its name
    /// cannot pass for a default.
    pub automatic: bool,
    /// carevault version that wrote it.
    pub app_version: String,
    /// Facility name from the app configuration.
    pub facility: String,
    /// Device name from the app configuration.
    pub device: String,
    /// Name of the payload entry in the container.
    pub payload: String,
    /// The age public keys (`age1...`) the recovery slot is encrypted to.
    /// Sealed, so that a changed byte in them is noticed; absent when the
    /// backup has no recovery slot (and in files written before it was
    /// sealed, which listed them in the key slot instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_recipients: Vec<String>,
}

/// One key slot: an age file that holds the per-backup key. Unknown
/// fields are ignored, as everywhere in the readable metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySlot {
    /// Entry name in the container (`key-passphrase.age`, `key-recovery.age`).
    pub name: String,
    /// `passphrase` or `recovery` (any other kind is refused as damage).
    pub kind: SlotKind,
    /// SHA-256 of the slot's bytes, hex, so damage is told apart from a wrong passphrase.
    pub sha256: String,
}

/// The whole readable metadata entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Sealed fields (also inside the manifest).
    #[serde(flatten)]
    pub sealed: Sealed,
    /// Key slots; not sealed, since a passphrase change rewrites them.
    /// Required (even when empty) so that damage to its name is noticed.
    pub key_slots: Vec<KeySlot>,
}

impl Metadata {
    /// Serialises as pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("metadata serialises");
        v.push(b'\n');
        v
    }

    /// Parses and validates a metadata entry of a file whose container
    /// header carries no version mark (see [`Metadata::parse_marked`]).
    pub fn parse(bytes: &[u8]) -> Result<Metadata> {
        Metadata::parse_marked(bytes, None)
    }

    /// Parses and validates a metadata entry. `mark` is the format version
    /// that the entry's container header carries (covered by the header's
    /// checksum): a newer version is said only when the header says so,
    /// and a `format_version` that disagrees with it is damage. Without a
    /// mark (files written before it existed, or repacked by another tar
    /// program) the version can only be 1.
    pub fn parse_marked(bytes: &[u8], mark: Option<(u32, u32)>) -> Result<Metadata> {
        if let Some((v, minor)) = mark {
            if v > NEWEST_READABLE {
                return Err(newer_version(v));
            }
            crate::origin::check_minor(minor)?;
        }
        if bytes.len() as u64 > MAX_METADATA_BYTES {
            return Err(Error::Corrupted(t!("core-details-too-large")));
        }
        // The container header said `carevault.json`: from here on,
        // anything that does not parse is damage, not another program's file.
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| damaged().because(e))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(damaged());
        }
        let version = value.get("format_version").and_then(|v| v.as_u64());
        let minor = match value.get("format_minor") {
            None => Some(0),
            Some(m) => m.as_u64(),
        };
        // Without a mark (a file from before the mark, or repacked by
        // another tar program) only version 1 exists; its minor is checked
        // with the rest of the details.
        let (want, want_minor) = mark.unwrap_or((1, minor.unwrap_or(0) as u32));
        if version != Some(want as u64) || minor != Some(want_minor as u64) || want < 1 {
            return Err(Error::Tampered {
                message: t!("core-details-version-mismatch"),
                advice: t!("core-tampered-advice"),
            });
        }
        // A creation time that does not parse is damage named as such, in
        // the order of the checks (after the ID and the label).
        if let Some(e) = unparsed_time(&value) {
            return Err(e);
        }
        let md: Metadata = serde_json::from_value(value).map_err(|e| damaged().because(e))?;
        md.validate()?;
        Ok(md)
    }

    /// The checks of the ID and the label, which come before the time's.
    fn validate_names(&self) -> Result<()> {
        let s = &self.sealed;
        crate::origin::check_minor(s.format_minor)?;
        if !valid_id(&s.id) {
            return Err(invalid(t!("core-field-backup-id")));
        }
        if s.label.chars().count() > MAX_LABEL_CHARS || s.label.chars().any(char::is_control) {
            return Err(invalid(t!("core-field-label")));
        }
        Ok(())
    }

    fn validate(&self) -> Result<()> {
        self.validate_names()?;
        let s = &self.sealed;
        let bad = |what: Text| Err(invalid(what));
        let expected_payload = payload_name(s.encrypted);
        if s.payload != expected_payload {
            return bad(t!("core-field-payload-name"));
        }
        if s.encrypted == self.key_slots.is_empty() {
            return bad(t!("core-field-key-slots"));
        }
        for slot in &self.key_slots {
            // An unknown kind is damage: no reader could open it.
            let name_ok = matches!(
                (&slot.kind, slot.name.as_str()),
                (SlotKind::Passphrase, PASSPHRASE_SLOT_NAME)
                    | (SlotKind::Recovery, RECOVERY_SLOT_NAME)
            );
            // Lowercase only: this checksum is the slot's only guard, so
            // a flipped case bit must not pass.
            let hex_ok = slot.sha256.len() == 64
                && slot
                    .sha256
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            if !name_ok || !hex_ok {
                return bad(t!("core-field-key-slot"));
            }
        }
        let has_recovery = self.key_slots.iter().any(|k| k.kind == SlotKind::Recovery);
        if !has_recovery && !s.recovery_recipients.is_empty() {
            return bad(t!("core-field-recovery-without-slot"));
        }
        Ok(())
    }
}

/// The error for metadata whose `created_at` is a string that does not
/// parse as a time: what it was when the time was checked after parsing
/// the rest (the damage of a field, else a bad ID or label, else the time).
fn unparsed_time(value: &serde_json::Value) -> Option<Error> {
    let text = value.get("created_at")?.as_str()?;
    if text.parse::<CreatedAt>().is_ok() {
        return None;
    }
    let mut v = value.clone();
    v["created_at"] = "1970-01-01T00:00:00Z".into();
    Some(match serde_json::from_value::<Metadata>(v) {
        Err(e) => damaged().because(e),
        Ok(md) => md
            .validate_names()
            .err()
            .unwrap_or_else(|| invalid(t!("core-field-timestamp"))),
    })
}

fn invalid(what: Text) -> Error {
    Error::Tampered {
        message: t!("core-details-invalid", what = what),
        advice: t!("core-tampered-advice"),
    }
}

fn damaged() -> Error {
    Error::Tampered {
        message: t!("core-details-damaged"),
        advice: t!("core-tampered-advice"),
    }
}

fn newer_version(v: u32) -> Error {
    Error::Newer(t!(
        "core-newer-version",
        version = v,
        newest = NEWEST_READABLE
    ))
}

/// Backup IDs: 1 to 64 characters of `[A-Za-z0-9-]`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn readable() -> Value {
        json!({
            "format": "carevault-backup", "format_version": 1, "id": "t-1", "label": "l",
            "created_at": "2026-11-27T08:00:00Z", "created_by": "nurse", "location": "Public",
            "encrypted": true, "automatic": false, "app_version": "0.1.0", "facility": "X",
            "device": "Y", "payload": "payload.tar.zst.age",
            "key_slots": [{"name": "key-passphrase.age", "kind": "passphrase", "sha256": "a".repeat(64)}]
        })
    }

    fn parse(v: &Value) -> Result<Metadata> {
        Metadata::parse(&serde_json::to_vec(v).unwrap())
    }

    fn refusal(v: &Value) -> String {
        let e = parse(v).unwrap_err();
        let refused = match &e {
            Error::Json(e, _) => e,
            e => e,
        };
        assert!(matches!(refused, Error::Tampered { .. }), "{e:?}");
        e.message().expect("a message").text()
    }

    #[test]
    fn known_values_are_typed_and_written_back_as_read() {
        let v = readable();
        let md = parse(&v).unwrap();
        assert_eq!(md.key_slots[0].kind, SlotKind::Passphrase);
        assert_eq!(md.sealed.location, Location::Public);
        assert_eq!(
            md.sealed.created_at.timestamp(),
            "2026-11-27T08:00:00Z".parse().unwrap()
        );
        let back: Value = serde_json::from_slice(&md.to_bytes()).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn an_unknown_key_slot_kind_is_refused_as_damaged_details() {
        let mut v = readable();
        v["key_slots"][0]["kind"] = "fingerprint".into();
        assert_eq!(
            refusal(&v),
            t!("core-details-invalid", what = t!("core-field-key-slot")).text()
        );
        // The right kind under the other slot's name is refused too.
        v["key_slots"][0]["kind"] = "recovery".into();
        assert_eq!(
            refusal(&v),
            t!("core-details-invalid", what = t!("core-field-key-slot")).text()
        );
    }

    #[test]
    fn an_unknown_location_is_read_and_kept_as_written() {
        let mut v = readable();
        v["location"] = "Cloud".into();
        let md = parse(&v).unwrap();
        assert_eq!(md.sealed.location, Location::Other("Cloud".into()));
        let back: Value = serde_json::from_slice(&md.to_bytes()).unwrap();
        assert_eq!(back["location"], "Cloud");
    }

    #[test]
    fn an_unparsable_creation_time_is_named_after_the_id_and_label() {
        let time = t!("core-details-invalid", what = t!("core-field-timestamp")).text();
        let mut v = readable();
        v["created_at"] = "2026-11-27T08:00:00".into();
        assert_eq!(refusal(&v), time);
        v["id"] = "not/an/id".into();
        assert_eq!(
            refusal(&v),
            t!("core-details-invalid", what = t!("core-field-backup-id")).text()
        );
        // A damaged field is damage first.
        let mut v = readable();
        v["created_at"] = "soon".into();
        v.as_object_mut().unwrap().remove("automatic");
        assert_eq!(refusal(&v), t!("core-details-damaged").text());
        // Not a string at all: damage.
        let mut v = readable();
        v["created_at"] = 1764230400.into();
        assert_eq!(refusal(&v), t!("core-details-damaged").text());
    }

    #[test]
    fn a_creation_time_spelled_otherwise_is_read_and_kept_as_spelled() {
        let mut v = readable();
        v["created_at"] = "2026-11-27T10:00:00+02:00".into();
        let md = parse(&v).unwrap();
        assert_eq!(
            md.sealed.created_at.timestamp(),
            "2026-11-27T08:00:00Z".parse().unwrap()
        );
        let back: Value = serde_json::from_slice(&md.to_bytes()).unwrap();
        assert_eq!(back["created_at"], "2026-11-27T10:00:00+02:00");
    }
}
