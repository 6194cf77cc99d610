//! Every limit of the format, in one place. The writer applies each one
//! before it reports a backup as made, and the reader refuses what exceeds
//! them, so that a file carevault writes is always a file carevault reads.
//! `docs/FORMAT.md` ("Limits and strictness") lists them for other
//! implementations.

/// Largest readable-metadata entry (`carevault.json`), in bytes.
pub const MAX_METADATA_BYTES: u64 = 64 * 1024;
/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 120;
/// Largest key slot entry, in bytes.
pub const MAX_SLOT_BYTES: u64 = 16 * 1024;
/// An age header (up to and including its `---` MAC line) must end within
/// this many bytes of its part's start: carevault writes about 200 bytes,
/// and a longer header would make the age parser work in quadratic time.
pub const MAX_AGE_HEADER_BYTES: usize = 4096;
/// Largest zstd window a reader accepts (2^23 = 8 MiB), bounding memory.
pub const MAX_WINDOW_LOG: u32 = 23;
/// Longest payload path, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;
/// Longest component of a payload path, in bytes (`NAME_MAX`).
pub const MAX_COMPONENT_BYTES: usize = 255;
/// Zero bytes accepted after the payload's end-of-archive blocks (one tar
/// record of 20 blocks; carevault writes the two blocks only).
pub const MAX_TRAILING_ZEROS: u64 = 10_240;
/// The outer container may be padded with zero bytes after its two
/// end-of-archive blocks up to the next multiple of this record size (as
/// `tar` writes it); carevault writes none.
pub const CONTAINER_RECORD: u64 = 10_240;
/// Largest manifest (either copy), in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Most data entries in one backup.
pub const MAX_ENTRIES: usize = 200_000;
/// Most bytes of clinic data in one backup (the sum of the entries' sizes).
/// Honest data may compress by any ratio (a database emptied under
/// `secure_delete` is mostly zeros), so no ratio is imposed: a restore
/// checks the total against free space before it writes, and every entry
/// is cut off at its declared size.
pub const MAX_DATA_BYTES: u64 = 1 << 40;
/// Largest `payload.sha256` entry, in bytes.
pub const MAX_PAYLOAD_SUM_BYTES: u64 = 1024;
/// Largest PAX extended header accepted inside the payload, in bytes.
pub const MAX_PAX_BYTES: u64 = 8 * 1024;
