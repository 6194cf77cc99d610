//! Opening a SanteDB backup: tell its layout from its first bytes, read the
//! clear header, unlock, and stack the layers down to the tar stream.

use crate::cbc::{decrypt_one, santedb_key, unpad, CbcReader, BLOCK};
use crate::decomp::{Compression, Decompress, Meter, Src};
use crate::diag::{Diag, Fault};
use crate::fail::{damaged, incomplete};
use crate::header::{self, read_err, Head, Header, Layout, MAGIC_SB0, MAGIC_SB1, MAGIC_SDB2};
use carevault_core::i18n::t;
use carevault_core::{Error, Kind, Progress, Result};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Read-ahead allowed for a header (the largest asset table, and then some).
pub const HEAD_LIMIT: usize = 64 << 20;

/// A SanteDB backup opened down to its tar stream.
pub struct Opened<'a> {
    /// What the clear (and, for January 2024, decrypted) header says.
    pub header: Header,
    /// The layers' shared diagnosis.
    pub diag: Diag,
    /// The tar stream, metered.
    pub tar: Meter<Src<'a>>,
    /// The compression inside (if any; `SDB\x03` and `SB\0BK` 2023 hold a bare tar).
    pub compression: Option<Compression>,
}

/// Counts file bytes for progress and records read errors.
struct FileIn<'a> {
    f: std::fs::File,
    progress: &'a dyn Progress,
    diag: Diag,
}

impl Read for FileIn<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.f.read(buf) {
            Ok(n) => {
                self.progress.advance(n as u64);
                Ok(n)
            }
            Err(e) => {
                if !self.diag.has_fault() {
                    self.diag.fault(Fault::Io(e.to_string()));
                }
                Err(e)
            }
        }
    }
}

fn boxed<'a, R: Read + 'a>(r: R) -> Src<'a> {
    Box::new(BufReader::with_capacity(64 * 1024, r))
}

/// The file's first bytes, its size, and whether it is encrypted, without
/// a passphrase (for the command line to know whether to ask for one).
pub fn probe(path: &Path) -> Result<(Layout, bool)> {
    let h = open_clear(path, &carevault_core::NoProgress)?;
    Ok((h.header.layout, h.header.iv.is_some()))
}

/// The state after the clear header.
struct Clear<'a> {
    header: Header,
    diag: Diag,
    /// The stream right after the clear header.
    rest: Src<'a>,
    /// Where the ciphertext starts in the file, for layouts where it is
    /// not itself compressed.
    cipher_at: Option<u64>,
    file_len: u64,
}

fn open_clear<'a>(path: &Path, progress: &'a dyn Progress) -> Result<Clear<'a>> {
    let f = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::new(
                Kind::NotFound,
                t!("santedb-file-not-found"),
                t!("santedb-file-not-found-advice"),
            )
            .at(path)
        } else {
            crate::fail::io(t!("santedb-doing-opening"), path, e)
        }
    })?;
    let meta = f
        .metadata()
        .map_err(|e| crate::fail::io(t!("santedb-doing-opening"), path, e))?;
    if !meta.is_file() {
        return Err(Error::new(
            Kind::Usage,
            t!("santedb-not-a-file"),
            t!("santedb-not-a-file-advice"),
        )
        .at(path));
    }
    let file_len = meta.len();
    progress.start(carevault_core::Phase::Import, file_len);
    let diag = Diag::default();
    let src = FileIn {
        f,
        progress,
        diag: diag.clone(),
    };
    let mut head = Head::new(boxed(src), HEAD_LIMIT);
    head.ensure(5).map_err(read_err)?;
    let first = head.buf.clone();
    let plain_header = |layout| Header {
        layout,
        created_at: None,
        creator: None,
        assets: Vec::new(),
        iv: None,
    };
    if first.is_empty() {
        return Err(incomplete(t!("santedb-file-empty")));
    }
    let magics: [&[u8]; 5] = [&[0x1f, 0x8b], MAGIC_SDB2, b"BZh", MAGIC_SB0, MAGIC_SB1];
    if first.len() < 5
        && magics
            .iter()
            .any(|m| first.len() < m.len() && m.starts_with(&first))
    {
        return Err(incomplete(t!("santedb-file-ends-in-magic")));
    }
    if first.starts_with(&[0x1f, 0x8b]) {
        return Ok(Clear {
            header: plain_header(Layout::TarGz),
            rest: Box::new(head.rest(0)),
            diag,
            cipher_at: None,
            file_len,
        });
    }
    if first.starts_with(MAGIC_SDB2) {
        let (header, at) = header::parse_sdb2(&mut head)?;
        return Ok(Clear {
            header,
            rest: Box::new(head.rest(at)),
            diag,
            cipher_at: Some(at as u64),
            file_len,
        });
    }
    if first.starts_with(b"BZh") {
        let bz = Decompress::new(Box::new(head.rest(0)), Compression::Bzip2, diag.clone());
        let mut inner = Head::new(boxed(bz), HEAD_LIMIT);
        let (header, at) = match header::parse_bz_inner(&mut inner) {
            Ok(r) => r,
            // A failure of the bzip2 layer says more than the header's.
            Err(_) if diag.has_fault() => {
                return Err(
                    diag.explain(&std::io::Error::other("header"), t!("santedb-doing-header"))
                )
            }
            Err(e) => return Err(e),
        };
        return Ok(Clear {
            header,
            rest: Box::new(inner.rest(at)),
            diag,
            cipher_at: None,
            file_len,
        });
    }
    if first.starts_with(MAGIC_SB0) || first.starts_with(MAGIC_SB1) {
        let (header, at) = header::parse_sb(&mut head)?;
        return Ok(Clear {
            header,
            rest: Box::new(head.rest(at)),
            diag,
            cipher_at: Some(at as u64),
            file_len,
        });
    }
    Err(header::not_santedb())
}

/// Opens `path` down to its tar stream, with SanteDB's `passphrase` when
/// it is encrypted; the tar stream may hold at most `cap` bytes.
pub fn open<'a>(
    path: &Path,
    passphrase: Option<&str>,
    cap: u64,
    progress: &'a dyn Progress,
) -> Result<Opened<'a>> {
    let Clear {
        mut header,
        diag,
        rest,
        cipher_at,
        file_len,
    } = open_clear(path, progress)?;
    let explain_hdr = |e: std::io::Error| diag.explain(&e, t!("santedb-doing-header"));
    let mut src = rest;
    if let Some(iv) = header.iv {
        let pass = match passphrase {
            Some(p) if !p.is_empty() => p,
            _ => {
                return Err(Error::new(
                    Kind::Usage,
                    t!("santedb-passphrase-missing"),
                    t!("santedb-passphrase-missing-advice"),
                ))
            }
        };
        let key = santedb_key(pass);
        let cbc = CbcReader::new(src, &key, &iv, diag.clone());
        let mut h = Head::new(boxed(cbc), HEAD_LIMIT);
        let expected: &[u8] = header.layout.inner_magic().unwrap_or(&[0x1f, 0x8b, 0x08]);
        if !h.ensure(BLOCK).map_err(explain_hdr)? {
            return Err(incomplete(t!("santedb-cipher-shorter-than-block")));
        }
        if !h.buf.starts_with(expected) {
            let got = h.buf[..expected.len()].to_vec();
            return Err(wrong_key_or_damage(
                path, cipher_at, file_len, &key, &iv, &got, expected, h, &diag, cap,
            ));
        }
        let skip = if header.layout.inner_magic().is_some() {
            expected.len()
        } else {
            0
        };
        if header.layout == Layout::Sb0BkJan2024 {
            let (assets, at) = header::read_table(&mut h, skip).map_err(|e| {
                if diag.has_fault() {
                    diag.explain(
                        &std::io::Error::other("header"),
                        t!("santedb-doing-encrypted-header"),
                    )
                } else {
                    e
                }
            })?;
            header.assets = assets;
            src = Box::new(h.rest(at));
        } else {
            src = Box::new(h.rest(skip));
        }
    }
    // The compression inside, if any.
    let compression = match header.layout {
        Layout::Sdb3 | Layout::Sb0Bk2023 => None,
        Layout::TarGz | Layout::Sdb2 => Some(Compression::Gzip),
        Layout::Sb0BkJan2024 => Some(Compression::Bzip2),
        _ => {
            let peek = src.fill_buf().map_err(explain_hdr)?;
            let c = Compression::sniff(peek).ok_or_else(|| {
                damaged(t!(
                    "santedb-neither-gzip-nor-bzip2",
                    start = format!("{:02x?}", &peek[..peek.len().min(4)])
                ))
            })?;
            if header.layout == Layout::Sb0Bk2025 && c == Compression::Bzip2 {
                header.layout = Layout::Sb0Bk2024;
            }
            Some(c)
        }
    };
    let tar_src: Src<'a> = match compression {
        Some(c) => boxed(Decompress::new(src, c, diag.clone())),
        None => src,
    };
    Ok(Opened {
        header,
        tar: Meter::new(tar_src, cap, diag.clone()),
        diag,
        compression,
    })
}

/// After the first decrypted block failed its check: a wrong passphrase,
/// or damage? A wrong key garbles every block, the last one's padding
/// included; damage at the start leaves the end intact.
#[allow(clippy::too_many_arguments)]
fn wrong_key_or_damage<R: Read>(
    path: &Path,
    cipher_at: Option<u64>,
    file_len: u64,
    key: &[u8; 32],
    iv: &[u8; BLOCK],
    got: &[u8],
    expected: &[u8],
    rest: Head<R>,
    diag: &Diag,
    cap: u64,
) -> Error {
    let bits: u32 = got
        .iter()
        .zip(expected)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    if bits <= 2 {
        return damaged(t!("santedb-iv-damaged", bits = bits.to_string()));
    }
    let end_ok = match cipher_at {
        Some(at) => {
            let len = file_len.saturating_sub(at);
            if len % BLOCK as u64 != 0 || len == 0 {
                return incomplete(t!("santedb-cipher-length", bytes = len.to_string()));
            }
            last_block_ok(path, at, len, key, iv)
        }
        // The ciphertext is inside bzip2: read it to its end.
        None => {
            let mut sink = std::io::sink();
            let mut all = Meter::new(rest.rest(0), cap, diag.clone());
            let r = std::io::copy(&mut all, &mut sink);
            match r {
                Ok(_) => true,
                Err(_) if diag.faults() == [Fault::Padding] => false,
                Err(e) => return diag.explain(&e, t!("santedb-doing-encrypted-data")),
            }
        }
    };
    if end_ok {
        damaged(t!("santedb-cipher-start-damaged"))
    } else {
        Error::new(
            Kind::WrongKey,
            t!("santedb-wrong-passphrase"),
            t!("santedb-wrong-passphrase-advice"),
        )
    }
}

/// Whether the last ciphertext block decrypts to valid padding.
fn last_block_ok(path: &Path, at: u64, len: u64, key: &[u8; 32], iv: &[u8; BLOCK]) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut two = [0u8; 2 * BLOCK];
    let (prev, last) = if len >= 2 * BLOCK as u64 {
        if f.seek(SeekFrom::Start(at + len - 2 * BLOCK as u64))
            .is_err()
            || f.read_exact(&mut two).is_err()
        {
            return false;
        }
        let (p, l) = two.split_at(BLOCK);
        (p.try_into().expect("block"), l.try_into().expect("block"))
    } else {
        let mut l = [0u8; BLOCK];
        if f.seek(SeekFrom::Start(at)).is_err() || f.read_exact(&mut l).is_err() {
            return false;
        }
        (*iv, l)
    };
    unpad(&decrypt_one(key, &prev, &last)).is_some()
}
