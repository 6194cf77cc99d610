//! The outer container: a plain POSIX (ustar) tar file with a fixed order of
//! entries, so that `tar -xf` opens it and a reader can find each part by
//! reading 512-byte headers and seeking past entry data.
//!
//! ```text
//! carevault.json          readable metadata (clear)
//! key-passphrase.age      per-backup key, wrapped with the passphrase (encrypted backups)
//! key-recovery.age        per-backup key, wrapped to recovery keys (optional)
//! payload.tar.zst[.age]   the clinic data: tar, zstd, then age when encrypted
//! manifest.json[.age]     copy of the manifest, encrypted like the payload
//! payload.sha256          SHA-256 of the payload as stored
//! origin.json             signed origin record (format 1.1)
//! origin.json.minisig     its minisign signature (format 1.1)
//! two zero blocks         end of archive; nothing may follow
//! ```

use crate::error::{corrupted, Error, Kind, Result};

/// Tar block size.
pub const BLOCK: u64 = 512;
/// Name of the first entry: identifies a carevault backup.
pub const METADATA_NAME: &str = "carevault.json";
/// Name of the last entry: SHA-256 of the payload as stored (`sha256sum -c` format).
pub const PAYLOAD_SUM_NAME: &str = "payload.sha256";

/// The content of the payload checksum entry.
pub fn payload_sum_line(digest_hex: &str, payload_name: &str) -> String {
    format!("{digest_hex}  {payload_name}\n")
}

/// Where an entry's data lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Byte offset of the data (after its header).
    pub offset: u64,
    /// Length of the data.
    pub len: u64,
}

impl Extent {
    /// Offset just past the data and its padding.
    pub fn padded_end(&self) -> u64 {
        self.offset.saturating_add(padded(self.len))
    }
}

/// `len` rounded up to whole blocks.
pub fn padded(len: u64) -> u64 {
    len.div_ceil(BLOCK).saturating_mul(BLOCK)
}

/// Builds the 512-byte ustar header of a regular-file entry.
pub fn header_block(name: &str, size: u64, mtime: u64) -> Result<[u8; 512]> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)
        .map_err(|e| Error::internal(format!("tar name {name}: {e}")))?;
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    let mut out = [0u8; 512];
    out.copy_from_slice(h.as_bytes());
    Ok(out)
}

/// What one 512-byte block of the outer container says.
#[derive(Debug, PartialEq, Eq)]
pub enum Block {
    /// A regular-file header: the entry's name and data length.
    Entry(String, u64),
    /// An all-zero block (end of archive).
    Zero,
}

/// Parses one header block of the outer container, checking its checksum.
pub fn parse_block(block: &[u8; 512]) -> Result<Block> {
    if block.iter().all(|&b| b == 0) {
        return Ok(Block::Zero);
    }
    let stored = parse_octal(&block[148..156])
        .ok_or_else(|| corrupted("a container header has an unreadable checksum"))?;
    let computed: u64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u64
            }
        })
        .sum();
    // Exactly the form carevault writes (seven octal digits, NUL):
    // a field that parses to the right number but is spelled otherwise is
    // a changed byte, and nothing in a backup goes unchecked.
    if stored != computed || block[148..156] != *format!("{computed:07o}\0").as_bytes() {
        return Err(corrupted("a container header fails its checksum"));
    }
    let h = tar::Header::from_byte_slice(block);
    if h.entry_type() != tar::EntryType::Regular {
        return Err(corrupted(
            "the container holds an entry that is not a regular file",
        ));
    }
    if block[345] != 0 {
        return Err(corrupted(
            "a container entry name is not one carevault writes",
        ));
    }
    let name_end = block[..100].iter().position(|&b| b == 0).unwrap_or(100);
    let name = std::str::from_utf8(&block[..name_end])
        .map_err(|_| corrupted("a container entry name is not valid text"))?
        .to_string();
    let size = h
        .entry_size()
        .map_err(|_| corrupted("a container entry has an unreadable size"))?;
    Ok(Block::Entry(name, size))
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(field).ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c == ' ');
    u64::from_str_radix(s, 8).ok()
}

/// The located parts of a backup file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The readable metadata.
    pub metadata: Extent,
    /// Key slots by entry name.
    pub slots: Vec<(String, Extent)>,
    /// Payload entry name and extent.
    pub payload: (String, Extent),
    /// Manifest copy entry name and extent.
    pub manifest: (String, Extent),
    /// The payload checksum entry.
    pub payload_sum: Extent,
    /// The origin record and its signature (format 1.1), when present.
    pub origin: Option<(Extent, Extent)>,
    /// Total file length this layout requires.
    pub file_len: u64,
}

/// Message for a first block that is not ours.
pub fn not_a_backup() -> Error {
    Error::new(
        Kind::NotABackup,
        "this file is not a carevault backup",
        "choose a .bin file written by carevault",
    )
}
