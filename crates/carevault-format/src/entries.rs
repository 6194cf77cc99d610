//! The rules for the entries of the payload's tar stream, as a state
//! machine fed the raw tar headers in order (GNU long names and PAX
//! headers included, as `tar::Archive::entries().raw(true)` yields them):
//! it says of each header whether it is an extension whose data it wants
//! to see, or an entry with its name and size; and it checks what follows
//! the end of the stream. The reader (`carevault-core`'s archive reader)
//! reads the bytes and checks each entry against the manifest.
//!
//! No header can make a reader hold an unbounded name: a long name is
//! capped at [`MAX_PATH_BYTES`] + 1 bytes (its NUL), a PAX header at
//! [`MAX_PAX_BYTES`], and two extensions in a row are refused. PAX
//! records that would change an entry's size, link or layout are refused;
//! a `path` record names the next entry (as Python's tarfile writes long
//! or non-ASCII names); others, such as times and owners, are ignored.

use crate::error::{Error, Result};
use crate::limits::{MAX_PATH_BYTES, MAX_PAX_BYTES, MAX_TRAILING_ZEROS};
use carevault_i18n::t;
use tar::EntryType;

/// What one raw header of the payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    /// A GNU long name or a PAX extended header: read its `size` bytes of
    /// data and give them to [`EntryRules::extension`].
    Extension {
        /// Length of its data (within its cap).
        size: u64,
    },
    /// A regular entry: its name (from the extension before it, or from
    /// the header's own name and ustar prefix) and its data length.
    Entry {
        /// The entry's name, UTF-8, at most [`MAX_PATH_BYTES`] bytes.
        name: String,
        /// Its data length.
        size: u64,
    },
}

/// The payload entry rules (see the module documentation).
#[derive(Debug, Default)]
pub struct EntryRules {
    /// The type of the extension whose data is awaited.
    awaited: Option<EntryType>,
    /// The name an extension gave the next entry.
    pending: Option<Vec<u8>>,
    /// Zero bytes seen after the end of the stream.
    trailing: u64,
}

impl EntryRules {
    /// Rules for a new payload stream.
    pub fn new() -> EntryRules {
        EntryRules::default()
    }

    /// The next raw header of the stream.
    pub fn header(&mut self, h: &tar::Header) -> Result<Header> {
        let etype = h.entry_type();
        if etype == EntryType::GNULongName || etype == EntryType::XHeader {
            let (cap, what) = if etype == EntryType::XHeader {
                (MAX_PAX_BYTES, t!("core-pax-too-large"))
            } else {
                (MAX_PATH_BYTES as u64 + 1, t!("core-entry-name-too-long"))
            };
            let size = h.entry_size().map_err(stream_error)?;
            if size > cap || self.pending.is_some() || self.awaited.is_some() {
                return Err(Error::Unsafe(what));
            }
            self.awaited = Some(etype);
            return Ok(Header::Extension { size });
        }
        self.awaited = None;
        // A ustar prefix is part of the name (`path_bytes` joins them).
        let name_bytes = match self.pending.take() {
            Some(n) if !n.is_empty() => n,
            _ => h.path_bytes().into_owned(),
        };
        let name = String::from_utf8(name_bytes)
            .map_err(|_| Error::Unsafe(t!("core-entry-name-not-utf8")))?;
        if name.len() > MAX_PATH_BYTES {
            return Err(Error::Unsafe(t!("core-entry-name-too-long")));
        }
        if etype != EntryType::Regular && etype != EntryType::Continuous {
            let shown: String = name.chars().take(200).collect();
            return Err(Error::Unsafe(t!(
                "core-entry-not-regular",
                name = format!("{shown:?}"),
                kind = format!("{etype:?}")
            )));
        }
        let size = h.entry_size().map_err(stream_error)?;
        Ok(Header::Entry { name, size })
    }

    /// The data of the extension [`EntryRules::header`] announced.
    pub fn extension(&mut self, data: Vec<u8>) -> Result<()> {
        let mut name = match self.awaited.take() {
            Some(EntryType::XHeader) => pax_path(&data)?,
            _ => data,
        };
        while name.last() == Some(&0) {
            name.pop();
        }
        self.pending = Some(name);
        Ok(())
    }

    /// The bytes after the stream's first end-of-archive block (where a
    /// tar reader stops, so the second block is among them): zeros only,
    /// at most [`MAX_TRAILING_ZEROS`] of them (one tar record).
    pub fn trailing(&mut self, bytes: &[u8]) -> Result<()> {
        self.trailing += bytes.len() as u64;
        if bytes.iter().any(|&b| b != 0) || self.trailing > MAX_TRAILING_ZEROS {
            return Err(Error::Corrupted(t!("core-data-after-payload")));
        }
        Ok(())
    }
}

/// The `path` record of a PAX extended header; an empty result when it has
/// none. Records that change how the entry is read are refused.
fn pax_path(data: &[u8]) -> Result<Vec<u8>> {
    let mut path = Vec::new();
    for ext in tar::PaxExtensions::new(data) {
        let ext = ext.map_err(|_| Error::Unsafe(t!("core-pax-unreadable")))?;
        match ext.key_bytes() {
            b"path" => path = ext.value_bytes().to_vec(),
            b"size" | b"linkpath" | b"GNU.sparse.name" | b"GNU.sparse.size" | b"GNU.sparse.map"
            | b"GNU.sparse.major" | b"GNU.sparse.minor" => {
                return Err(Error::Unsafe(t!("core-pax-changes-entry")))
            }
            _ => {}
        }
    }
    Ok(path)
}

/// A header field that does not decode (as the reader words any error of
/// the payload stream that is not the file's own I/O).
fn stream_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        return Error::Corrupted(t!("core-payload-ends-early"));
    }
    Error::Corrupted(t!("core-payload-fails-checks", err = &e))
}

#[cfg(test)]
mod tests;
