//! The clear headers of SanteDB backups: magic, creation time (.NET ticks),
//! creator, asset table and IV, for every layout SanteDB has written.
//!
//! Parsing works on a [`Head`]: bytes read ahead from the stream, so that a
//! layout can be told from another before anything is consumed.

use crate::assets::{guid_text, shorten};
use crate::fail::{damaged, incomplete};
use carevault_core::i18n::{t, Text};
use carevault_core::{Error, Kind, Result};
use std::io::{Cursor, Read};

/// Most assets a header may list (a file claiming more is refused).
pub const MAX_ASSETS: u64 = 200_000;
/// Bytes of one asset-table row: GUID and space-padded name.
pub const ROW: usize = 16 + 256;
/// `SB` 00 `BK`.
pub const MAGIC_SB0: &[u8; 5] = b"SB\x00BK";
/// `SB` 01 `BK`.
pub const MAGIC_SB1: &[u8; 5] = b"SB\x01BK";
/// `SDB` 02.
pub const MAGIC_SDB2: &[u8; 4] = b"SDB\x02";
/// `SDB` 03.
pub const MAGIC_SDB3: &[u8; 4] = b"SDB\x03";

/// .NET ticks of 1970-01-01T00:00:00Z.
const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// Every layout SanteDB has written (see `docs/IMPORT.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Layout {
    /// 2018-06 .. 2020-05: gzip of a tar of the data folder.
    #[serde(rename = "tar.gz")]
    TarGz,
    /// 2020-05 .. early 2023: `SDB\x02`, flag, gzip(tar), optionally CBC.
    #[serde(rename = "SDB\\x02")]
    Sdb2,
    /// 2022-10 .. 2023-08: bzip2 of `SDB\x03`, header, tar or CBC(magic, tar).
    #[serde(rename = "SDB\\x03")]
    Sdb3,
    /// 2023-08 .. 2024-01: as `SDB\x03` with the `SB\0BK` magic.
    #[serde(rename = "SB\\0BK-2023")]
    Sb0Bk2023,
    /// Three days in 2024-01: magic, ticks, IV, then table and bzip2(tar), the table encrypted too.
    #[serde(rename = "SB\\0BK-2024-01")]
    Sb0BkJan2024,
    /// 2024-01 .. 2025-07: the current header, bzip2 inside.
    #[serde(rename = "SB\\0BK-2024")]
    Sb0Bk2024,
    /// 2025-07 .. 2025-11: the current header, gzip inside.
    #[serde(rename = "SB\\0BK-2025")]
    Sb0Bk2025,
    /// 2025-11 on: `SB\x01BK`.
    #[serde(rename = "SB\\x01BK")]
    Sb1Bk,
}

impl Layout {
    /// Whether the layout lists its assets in a table.
    pub fn has_table(self) -> bool {
        !matches!(self, Layout::TarGz | Layout::Sdb2)
    }
    /// The magic that opens the encrypted data, if the layout has one.
    pub fn inner_magic(self) -> Option<&'static [u8]> {
        match self {
            Layout::TarGz | Layout::Sdb2 => None,
            Layout::Sdb3 => Some(MAGIC_SDB3),
            Layout::Sb1Bk => Some(MAGIC_SB1),
            _ => Some(MAGIC_SB0),
        }
    }
}

/// One row of the asset table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableAsset {
    /// Class GUID, lowercase.
    pub class_id: String,
    /// Asset name as the reader trims it.
    pub name: String,
}

/// What a clear header says.
#[derive(Debug, Clone)]
pub struct Header {
    /// The layout.
    pub layout: Layout,
    /// Creation time, when the layout records it.
    pub created_at: Option<jiff::Timestamp>,
    /// Creator's name, when the layout records it.
    pub creator: Option<String>,
    /// The asset table (empty for layouts without one, and for the
    /// January 2024 layout until it is decrypted).
    pub assets: Vec<TableAsset>,
    /// IV; `None` = not encrypted.
    pub iv: Option<[u8; 16]>,
}

/// Bytes read ahead from a stream, not yet consumed.
pub struct Head<R> {
    /// What was read ahead.
    pub buf: Vec<u8>,
    src: R,
    eof: bool,
    limit: usize,
}

impl<R: Read> Head<R> {
    /// Reads ahead from `src`, at most `limit` bytes in all.
    pub fn new(src: R, limit: usize) -> Self {
        Head {
            buf: Vec::new(),
            src,
            eof: false,
            limit,
        }
    }

    /// Makes at least `n` bytes available if the stream has them; returns
    /// whether it has. Errors are the source's.
    pub fn ensure(&mut self, n: usize) -> std::io::Result<bool> {
        if n > self.limit {
            return Ok(false);
        }
        while self.buf.len() < n && !self.eof {
            let old = self.buf.len();
            let want = (n - old).max(8192).min(self.limit - old);
            self.buf.resize(old + want, 0);
            match self.src.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                }
                Ok(k) => self.buf.truncate(old + k),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => self.buf.truncate(old),
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        }
        Ok(self.buf.len() >= n)
    }

    /// The stream from byte `at` of the read-ahead on.
    pub fn rest(self, at: usize) -> std::io::Chain<Cursor<Vec<u8>>, R> {
        let mut c = Cursor::new(self.buf);
        c.set_position(at as u64);
        c.chain(self.src)
    }
}

/// Reads a little-endian u64 at `at`.
pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Creation time of .NET `ticks` (UTC).
pub fn ticks_to_time(ticks: i64) -> Result<jiff::Timestamp> {
    let t = ticks as i128 - UNIX_EPOCH_TICKS as i128;
    let secs = t.div_euclid(10_000_000) as i64;
    jiff::Timestamp::from_second(secs)
        .map_err(|_| damaged(t!("santedb-header-bad-time", ticks = ticks.to_string())))
}

/// .NET ticks of `t`.
pub fn time_to_ticks(t: jiff::Timestamp) -> i64 {
    t.as_second() * 10_000_000 + UNIX_EPOCH_TICKS
}

fn short(what: Text) -> Error {
    incomplete(t!("santedb-header-ends", part = what))
}

/// Parses an asset table of `n` rows at `at`; returns the rows.
pub fn parse_table(b: &[u8], at: usize, n: u64) -> Vec<TableAsset> {
    (0..n as usize)
        .map(|i| {
            let row = &b[at + i * ROW..at + (i + 1) * ROW];
            let guid: [u8; 16] = row[..16].try_into().expect("16 bytes");
            let name = String::from_utf8_lossy(&row[16..]);
            TableAsset {
                class_id: guid_text(&guid),
                name: name.trim().to_string(),
            }
        })
        .collect()
}

/// Reads the asset count at `at` and the table after it; returns the table
/// and the offset after it.
pub fn read_table<R: Read>(head: &mut Head<R>, at: usize) -> Result<(Vec<TableAsset>, usize)> {
    if !head.ensure(at + 8).map_err(read_err)? {
        return Err(short(t!("santedb-part-asset-count")));
    }
    let n = u64_at(&head.buf, at);
    if n > MAX_ASSETS {
        return Err(Error::new(
            Kind::Corrupted,
            t!(
                "santedb-header-too-many-assets",
                count = n.to_string(),
                max = MAX_ASSETS.to_string()
            ),
            t!("santedb-header-damaged-advice"),
        ));
    }
    let end = at + 8 + n as usize * ROW;
    if !head.ensure(end).map_err(read_err)? {
        return Err(short(t!("santedb-part-asset-table")));
    }
    Ok((parse_table(&head.buf, at + 8, n), end))
}

/// An error reading the source while parsing the header.
pub fn read_err(e: std::io::Error) -> Error {
    Error::new(
        Kind::Io,
        t!("santedb-read-failed", error = &e),
        t!("santedb-read-failed-advice"),
    )
}

/// Reads the IV at `at`; `None` when all zero (not encrypted).
pub fn read_iv<R: Read>(head: &mut Head<R>, at: usize) -> Result<Option<[u8; 16]>> {
    if !head.ensure(at + 16).map_err(read_err)? {
        return Err(short(t!("santedb-part-iv")));
    }
    let iv: [u8; 16] = head.buf[at..at + 16].try_into().expect("16 bytes");
    Ok((iv != [0u8; 16]).then_some(iv))
}

fn in_january_2024(t: jiff::Timestamp) -> bool {
    let s = t.as_second();
    (1_704_067_200..1_706_745_600).contains(&s)
}

/// Parses the header of a file starting `SB\0BK` or `SB\x01BK`; returns
/// the header and the offset where the data after it begins.
pub fn parse_sb<R: Read>(head: &mut Head<R>) -> Result<(Header, usize)> {
    if !head.ensure(14).map_err(read_err)? {
        return Err(short(t!("santedb-part-magic-and-time")));
    }
    let current = &head.buf[..5] == MAGIC_SB1;
    let ticks = u64_at(&head.buf, 5) as i64;
    let created = ticks_to_time(ticks)?;
    if !current && in_january_2024(created) && jan2024_plain_fits(head)? {
        return jan2024(head, created);
    }
    match creator_layout(head, created, current) {
        Ok(r) => Ok(r),
        Err(e) if !current && in_january_2024(created) && e.kind() == Kind::Corrupted => {
            // Not the creator layout: the January 2024 one, encrypted.
            jan2024(head, created)
        }
        Err(e) => Err(e),
    }
}

/// Whether the January 2024 layout, unencrypted, fits the bytes: a zero IV
/// at offset 13, a sane asset count, then bzip2.
fn jan2024_plain_fits<R: Read>(head: &mut Head<R>) -> Result<bool> {
    if !head.ensure(37).map_err(read_err)? || head.buf[13..29] != [0u8; 16] {
        return Ok(false);
    }
    let n = u64_at(&head.buf, 29);
    if n > MAX_ASSETS {
        return Ok(false);
    }
    let end = 37 + n as usize * ROW;
    Ok(head.ensure(end + 3).map_err(read_err)? && &head.buf[end..end + 3] == b"BZh")
}

fn jan2024<R: Read>(head: &mut Head<R>, created: jiff::Timestamp) -> Result<(Header, usize)> {
    let iv = read_iv(head, 13)?;
    let (assets, at) = match iv {
        None => read_table(head, 29)?,
        Some(_) => (Vec::new(), 29),
    };
    Ok((
        Header {
            layout: Layout::Sb0BkJan2024,
            created_at: Some(created),
            creator: None,
            assets,
            iv,
        },
        at,
    ))
}

/// The header with a creator (2024 on).
fn creator_layout<R: Read>(
    head: &mut Head<R>,
    created: jiff::Timestamp,
    current: bool,
) -> Result<(Header, usize)> {
    let len = head.buf[13] as usize;
    if !head.ensure(14 + len + 8).map_err(read_err)? {
        return Err(short(t!("santedb-part-creator")));
    }
    let creator = std::str::from_utf8(&head.buf[14..14 + len])
        .ok()
        .map(str::to_string);
    let n = u64_at(&head.buf, 14 + len);
    if creator.is_none() || n > MAX_ASSETS {
        if let Some(real) = misaligned_creator(head, len)? {
            return Err(Error::new(
                Kind::Corrupted,
                t!(
                    "santedb-creator-misaligned",
                    real = real.to_string(),
                    stored = (real % 256).to_string()
                ),
                t!("santedb-creator-misaligned-advice"),
            ));
        }
        return Err(Error::new(
            Kind::Corrupted,
            t!(
                "santedb-header-damaged",
                what = if creator.is_none() {
                    t!("santedb-header-creator-not-utf8")
                } else {
                    t!("santedb-header-claims-assets", count = n.to_string())
                }
            ),
            t!("santedb-header-damaged-advice"),
        ));
    }
    let (assets, at) = read_table(head, 14 + len)?;
    let iv = read_iv(head, at)?;
    let at = at + 16;
    // Which compression is inside is seen after the IV (or after decryption).
    let layout = if current {
        Layout::Sb1Bk
    } else {
        match iv {
            None => {
                head.ensure(at + 3).map_err(read_err)?;
                match crate::decomp::Compression::sniff(&head.buf[at.min(head.buf.len())..]) {
                    Some(crate::decomp::Compression::Bzip2) => Layout::Sb0Bk2024,
                    _ => Layout::Sb0Bk2025,
                }
            }
            // Decided after decryption.
            Some(_) => Layout::Sb0Bk2025,
        }
    };
    Ok((
        Header {
            layout,
            created_at: Some(created),
            creator,
            assets,
            iv,
        },
        at,
    ))
}

/// If the creator's real length is `len` plus a multiple of 256 (a name
/// over 255 bytes), returns that length.
fn misaligned_creator<R: Read>(head: &mut Head<R>, len: usize) -> Result<Option<usize>> {
    for k in 1..=16 {
        let real = len + 256 * k;
        if !head.ensure(14 + real + 8).map_err(read_err)? {
            return Ok(None);
        }
        let text_ok = std::str::from_utf8(&head.buf[14..14 + real])
            .map(|s| !s.chars().any(char::is_control))
            .unwrap_or(false);
        if text_ok && u64_at(&head.buf, 14 + real) <= MAX_ASSETS {
            return Ok(Some(real));
        }
    }
    Ok(None)
}

/// Parses the header inside the bzip2 of `SDB\x03` and `SB\0BK` 2023.
pub fn parse_bz_inner<R: Read>(head: &mut Head<R>) -> Result<(Header, usize)> {
    if !head.ensure(5).map_err(read_err)? {
        return Err(short(t!("santedb-part-magic")));
    }
    let (layout, at) = if &head.buf[..4] == MAGIC_SDB3 {
        (Layout::Sdb3, 4)
    } else if &head.buf[..5] == MAGIC_SB0 {
        (Layout::Sb0Bk2023, 5)
    } else {
        return Err(not_santedb());
    };
    if !head.ensure(at + 8).map_err(read_err)? {
        return Err(short(t!("santedb-part-time")));
    }
    let created = ticks_to_time(u64_at(&head.buf, at) as i64)?;
    let (assets, at) = read_table(head, at + 8)?;
    let iv = read_iv(head, at)?;
    Ok((
        Header {
            layout,
            created_at: Some(created),
            creator: None,
            assets,
            iv,
        },
        at + 16,
    ))
}

/// Parses the `SDB\x02` header.
pub fn parse_sdb2<R: Read>(head: &mut Head<R>) -> Result<(Header, usize)> {
    if !head.ensure(5).map_err(read_err)? {
        return Err(short(t!("santedb-part-flag")));
    }
    let hdr = |iv| Header {
        layout: Layout::Sdb2,
        created_at: None,
        creator: None,
        assets: Vec::new(),
        iv,
    };
    match head.buf[4] {
        0 => Ok((hdr(None), 5)),
        1 => {
            if !head.ensure(9).map_err(read_err)? {
                return Err(short(t!("santedb-part-iv-length")));
            }
            let n = u32::from_le_bytes(head.buf[5..9].try_into().expect("4 bytes"));
            if n != 16 {
                return Err(damaged(t!(
                    "santedb-header-iv-length",
                    bytes = n.to_string()
                )));
            }
            let iv = read_iv(head, 9)?.unwrap_or([0u8; 16]);
            Ok((hdr(Some(iv)), 25))
        }
        f => Err(damaged(t!("santedb-header-flag", flag = f.to_string()))),
    }
}

/// The error for a file that is no SanteDB backup at all.
pub fn not_santedb() -> Error {
    Error::new(
        Kind::NotABackup,
        t!("santedb-not-santedb"),
        t!("santedb-not-santedb-advice"),
    )
}

/// A creator name fit for the readable metadata: control characters become `?`.
pub fn clean_creator(c: &str) -> String {
    shorten(
        &c.chars()
            .map(|ch| if ch.is_control() { '?' } else { ch })
            .collect::<String>(),
    )
}
