//! A hand-built backup file, part by part (tar headers, zstd, age by
//! hand), for damaged, hostile and second-implementation files: what anyone
//! can make with the standard tools. They are format 1.0 files (unsigned:
//! no origin parts), and their container headers carry the 1.0 mark.

use carevault_core::archive::keys::{self, BackupKey};
use carevault_core::format::container::header_block_of_version;
use carevault_core::SecretString;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// The passphrase of [`Backup::encrypted`].
pub const PASSPHRASE: &str = "hostile passphrase";

// ------------------------------------------------------------- tar pieces

// The tar pieces are the test kit's, shared by every test that builds tar
// by hand.
#[allow(unused_imports)] // each test binary uses some of them
pub use carevault_testkit::archive::{end, file, gnu_long, hdr, pad, pax, sparse_entry};

// ---------------------------------------------------------- backup pieces

pub fn sealed(encrypted: bool) -> Value {
    json!({
        "format": "carevault-backup", "format_version": 1, "id": "hostile-2", "label": "looks fine",
        "created_at": "2026-11-27T08:00:00Z", "created_by": "nurse", "location": "Public",
        "encrypted": encrypted, "automatic": false, "app_version": "0.1.0", "facility": "X",
        "device": "Y", "payload": if encrypted { "payload.tar.zst.age" } else { "payload.tar.zst" }
    })
}

pub fn listed(path: &str, data: &[u8]) -> Value {
    json!({"path": path, "kind": "file", "size": data.len(), "sha256": hex::encode(Sha256::digest(data))})
}

pub fn manifest_of(sealed: &Value, entries: &[Value]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "metadata": sealed, "entries": entries,
        "settings": {"realm": "r", "sync_endpoint": "e"}, "snapshot_barrier_ms": 0.0
    }))
    .unwrap()
}

/// `SHA256SUMS` as the reader expects it for `entries`.
pub fn sums_of(entries: &[Value]) -> Vec<u8> {
    let mut s = String::new();
    for e in entries {
        s.push_str(&format!(
            "{}  {}\n",
            e["sha256"].as_str().unwrap(),
            e["path"].as_str().unwrap()
        ));
    }
    s.into_bytes()
}

/// The tar that follows the data entries: manifest, checksum list, end.
pub fn tar_tail(manifest: &[u8], entries: &[Value]) -> Vec<u8> {
    let mut v = file(b"manifest.json", manifest);
    v.extend(file(b"SHA256SUMS", &sums_of(entries)));
    v.extend(end());
    v
}

/// A whole backup file, part by part.
pub struct Backup {
    pub metadata: Vec<u8>,
    pub slots: Vec<(String, Vec<u8>)>,
    pub payload: Vec<u8>,
    pub manifest: Vec<u8>,
    pub encrypted: bool,
    /// Parts whose header claims more bytes than follow (written sparse).
    pub claims: BTreeMap<String, u64>,
}

impl Backup {
    /// An unencrypted backup listing `entries`, whose payload tar starts with `data_tar`.
    pub fn plain(entries: &[Value], data_tar: &[u8]) -> Backup {
        let s = sealed(false);
        let manifest = manifest_of(&s, entries);
        let mut tar = data_tar.to_vec();
        tar.extend(tar_tail(&manifest, entries));
        Backup::plain_raw(&s, manifest, zstd::encode_all(&tar[..], 3).unwrap())
    }

    /// An unencrypted backup with a ready-made (compressed) payload.
    pub fn plain_raw(sealed: &Value, manifest: Vec<u8>, payload: Vec<u8>) -> Backup {
        let mut md = sealed.clone();
        md["key_slots"] = json!([]);
        Backup {
            metadata: serde_json::to_vec_pretty(&md).unwrap(),
            slots: vec![],
            payload,
            manifest,
            encrypted: false,
            claims: BTreeMap::new(),
        }
    }

    /// A genuine encrypted backup (passphrase slot at work factor 10).
    pub fn encrypted(entries: &[Value], data_tar: &[u8]) -> Backup {
        let key = BackupKey::generate();
        let slot =
            keys::passphrase_slot(&key, &SecretString::from(PASSPHRASE.to_string()), 10).unwrap();
        let s = sealed(true);
        let manifest = manifest_of(&s, entries);
        let mut tar = data_tar.to_vec();
        tar.extend(tar_tail(&manifest, entries));
        let r = key.recipient();
        let z = zstd::encode_all(&tar[..], 3).unwrap();
        let mut b = Backup {
            metadata: vec![],
            slots: vec![],
            payload: keys::seal(&[&r], &z).unwrap(),
            manifest: keys::seal(&[&r], &manifest).unwrap(),
            encrypted: true,
            claims: BTreeMap::new(),
        };
        b.set_slot(slot);
        b
    }

    /// Replaces the passphrase slot, keeping the readable metadata's checksum of it right.
    pub fn set_slot(&mut self, slot: Vec<u8>) {
        let mut md = sealed(true);
        md["key_slots"] = json!([{"name": "key-passphrase.age", "kind": "passphrase",
                                  "sha256": hex::encode(Sha256::digest(&slot))}]);
        self.metadata = serde_json::to_vec_pretty(&md).unwrap();
        self.slots = vec![("key-passphrase.age".into(), slot)];
    }

    pub fn payload_name(&self) -> &'static str {
        if self.encrypted {
            "payload.tar.zst.age"
        } else {
            "payload.tar.zst"
        }
    }

    pub fn write(&self, path: &Path) {
        let sum = format!(
            "{}  {}\n",
            hex::encode(Sha256::digest(&self.payload)),
            self.payload_name()
        );
        let manifest_name = if self.encrypted {
            "manifest.json.age"
        } else {
            "manifest.json"
        };
        let mut parts: Vec<(&str, &[u8])> = vec![("carevault.json", &self.metadata)];
        parts.extend(self.slots.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        parts.push((self.payload_name(), &self.payload));
        parts.push((manifest_name, &self.manifest));
        parts.push(("payload.sha256", sum.as_bytes()));
        let mut f = std::fs::File::create(path).unwrap();
        for (name, data) in parts {
            let len = self.claims.get(name).copied().unwrap_or(data.len() as u64);
            f.write_all(&header_block_of_version(name, len, 0, (1, 0)).unwrap())
                .unwrap();
            f.write_all(data).unwrap();
            // A claim beyond the bytes becomes a hole of zeros (a sparse file).
            let end = f.stream_position().unwrap() + (len - data.len() as u64);
            f.seek(SeekFrom::Start(end.div_ceil(512) * 512)).unwrap();
        }
        f.write_all(&[0u8; 1024]).unwrap();
    }
}
