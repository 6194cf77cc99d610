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

use crate::error::{Error, Result};
use carevault_i18n::t;

/// Tar block size.
pub const BLOCK: u64 = 512;
/// Name of the first entry: identifies a carevault backup.
pub const METADATA_NAME: &str = "carevault.json";
/// Name of the last entry: SHA-256 of the payload as stored (`sha256sum -c` format).
pub const PAYLOAD_SUM_NAME: &str = "payload.sha256";
/// Name of the key slot wrapped with the passphrase.
pub const PASSPHRASE_SLOT_NAME: &str = "key-passphrase.age";
/// Name of the key slot wrapped to recovery keys.
pub const RECOVERY_SLOT_NAME: &str = "key-recovery.age";
/// Name of an unencrypted payload.
pub const PAYLOAD_NAME: &str = "payload.tar.zst";
/// Name of an encrypted payload.
pub const PAYLOAD_AGE_NAME: &str = "payload.tar.zst.age";
/// Name of the manifest copy of an encrypted backup (an unencrypted one is
/// `manifest::MANIFEST_NAME`).
pub const MANIFEST_COPY_AGE_NAME: &str = "manifest.json.age";

/// The payload's entry name for a backup that is (or is not) encrypted.
pub fn payload_name(encrypted: bool) -> &'static str {
    if encrypted {
        PAYLOAD_AGE_NAME
    } else {
        PAYLOAD_NAME
    }
}

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

/// The owner and group names carevault writes into every container header.
/// The group name carries the format version, so that the version is
/// covered by the header checksum: a damaged `format_version` in the
/// readable metadata then reads as damage, not as a newer file.
pub const OWNER_NAME: &str = "carevault";

/// The group name of the container headers of format version `v.minor`.
pub fn version_mark(v: u32, minor: u32) -> String {
    format!("carevault-format-{v}.{minor}")
}

/// Builds the 512-byte ustar header of a regular-file entry.
pub fn header_block(name: &str, size: u64, mtime: u64) -> Result<[u8; 512]> {
    header_block_of_version(
        name,
        size,
        mtime,
        (crate::FORMAT_VERSION, crate::origin::FORMAT_MINOR),
    )
}

/// [`header_block`] with the version mark of format version `(major, minor)`.
pub fn header_block_of_version(
    name: &str,
    size: u64,
    mtime: u64,
    version: (u32, u32),
) -> Result<[u8; 512]> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)
        .map_err(|e| Error::Internal(t!("core-tar-name-failed", name = name, err = &e)))?;
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h.set_username(OWNER_NAME)
        .and_then(|_| h.set_groupname(&version_mark(version.0, version.1)))
        .map_err(|e| Error::Internal(t!("core-tar-owner-failed", name = name, err = &e)))?;
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    let mut out = [0u8; 512];
    out.copy_from_slice(h.as_bytes());
    Ok(out)
}

/// What one 512-byte block of the outer container says.
#[derive(Debug, PartialEq, Eq)]
pub enum Block {
    /// A regular-file header.
    Entry(EntryHeader),
    /// An all-zero block (end of archive).
    Zero,
}

/// A regular-file header of the outer container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryHeader {
    /// The entry's name.
    pub name: String,
    /// Its data length.
    pub len: u64,
    /// The format version and minor version its group name carries
    /// (`carevault-format-N.M`), if it carries one: files written before
    /// the mark existed, or repacked by another tar program, carry none.
    pub version_mark: Option<(u32, u32)>,
}

/// Whether the 8-byte checksum field spells `value` in a form POSIX allows:
/// octal digits (zero-filled), then one or more NULs or spaces to the end
/// of the field.
fn posix_checksum_spelling(field: &[u8], value: u64) -> bool {
    let digits = field
        .iter()
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    if digits == 0 || digits == field.len() {
        return false;
    }
    if !field[digits..].iter().all(|&b| b == 0 || b == b' ') {
        return false;
    }
    let text = std::str::from_utf8(&field[..digits]).unwrap_or("");
    u64::from_str_radix(text, 8) == Ok(value)
}

/// Parses one header block of the outer container, checking its checksum.
///
/// Any spelling of the checksum that POSIX allows is accepted (GNU tar and
/// Python write six digits, NUL, space; carevault writes seven digits and a
/// NUL), except in a header that carries carevault's version mark: such a
/// header was written by carevault (or claims so) and must spell it exactly
/// as carevault does, so that no flipped bit anywhere in it goes unnoticed
/// (a NUL turned into a space would otherwise respell the same number).
pub fn parse_block(block: &[u8; 512]) -> Result<Block> {
    if block.iter().all(|&b| b == 0) {
        return Ok(Block::Zero);
    }
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
    let field = &block[148..156];
    if !posix_checksum_spelling(field, computed) {
        return Err(Error::Corrupted(t!("core-header-checksum")));
    }
    let h = tar::Header::from_byte_slice(block);
    let version_mark = h
        .groupname_bytes()
        .and_then(|g| std::str::from_utf8(g).ok())
        .and_then(|g| g.strip_prefix("carevault-format-"))
        .and_then(|v| {
            let (major, minor) = v.split_once('.').unwrap_or((v, "0"));
            Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?))
        });
    if version_mark.is_some() && *field != *format!("{computed:07o}\0").as_bytes() {
        return Err(Error::Corrupted(t!("core-header-checksum")));
    }
    if h.entry_type() != tar::EntryType::Regular {
        return Err(Error::Corrupted(t!("core-container-not-regular")));
    }
    if block[345] != 0 {
        return Err(Error::Corrupted(t!("core-container-name-foreign")));
    }
    let name_end = block[..100].iter().position(|&b| b == 0).unwrap_or(100);
    let name = std::str::from_utf8(&block[..name_end])
        .map_err(|_| Error::Corrupted(t!("core-container-name-not-text")))?
        .to_string();
    let len = h
        .entry_size()
        .map_err(|_| Error::Corrupted(t!("core-container-size-unreadable")))?;
    Ok(Block::Entry(EntryHeader {
        name,
        len,
        version_mark,
    }))
}

/// Whether a first block that fails its checks is a damaged carevault
/// header (its name or the ustar magic survived) rather than another kind
/// of file: only then is "not a carevault backup" the wrong verdict.
pub fn looks_like_damaged_header(block: &[u8; 512]) -> bool {
    let name = METADATA_NAME.as_bytes();
    let near_name = block[..name.len()]
        .iter()
        .zip(name)
        .filter(|(a, b)| a != b)
        .count()
        <= 2
        && block[name.len()] == 0;
    near_name || &block[257..262] == b"ustar"
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
    /// The format version the first header's group name carries, if any.
    pub version_mark: Option<(u32, u32)>,
}

/// The refusal of a first block that is not ours.
pub fn not_a_backup() -> Error {
    Error::NotABackup
}
