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

pub fn pad(v: &mut Vec<u8>) {
    v.resize(v.len().div_ceil(512) * 512, 0);
}

/// A GNU tar header with raw name and link bytes (at most 100 each).
pub fn hdr(name: &[u8], size: u64, kind: u8, link: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// A regular-file entry (header, data, padding).
pub fn file(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut v = hdr(name, data.len() as u64, b'0', b"");
    v.extend_from_slice(data);
    pad(&mut v);
    v
}

/// A GNU sparse (`S`) entry with no data regions.
pub fn sparse_entry(name: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::from_byte_slice(&hdr(name, 0, b'S', b"")).clone();
    h.as_gnu_mut().unwrap().set_real_size(0);
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// A GNU long-name (`L`) or long-link (`K`) entry carrying `name`.
pub fn gnu_long(kind: u8, name: &[u8]) -> Vec<u8> {
    let mut data = name.to_vec();
    data.push(0);
    let mut v = hdr(b"././@LongLink", data.len() as u64, kind, b"");
    v.extend_from_slice(&data);
    pad(&mut v);
    v
}

/// A PAX extended header (`x` local, `g` global) with `records`.
pub fn pax(kind: u8, records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut data = Vec::new();
    for (k, val) in records {
        let body = 1 + k.len() + 1 + val.len() + 1;
        let mut len = body + 1;
        while len != body + len.to_string().len() {
            len = body + len.to_string().len();
        }
        data.extend_from_slice(format!("{len} {k}=").as_bytes());
        data.extend_from_slice(val);
        data.push(b'\n');
    }
    let mut v = hdr(b"PaxHeaders/entry", data.len() as u64, kind, b"");
    v.extend_from_slice(&data);
    pad(&mut v);
    v
}

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
    v.resize(v.len() + 1024, 0);
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
