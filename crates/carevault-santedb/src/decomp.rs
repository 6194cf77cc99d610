//! The compression layers (gzip with `flate2`, bzip2 with `bzip2`) and the
//! meter on the tar stream, each recording its failures in the [`Diag`].

use crate::diag::{Damage, Diag, Fault};
use std::io::{self, BufRead, Read};

/// A boxed buffered source, as the layers stack.
pub type Src<'a> = Box<dyn BufRead + 'a>;

/// Which compression a layer undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (RFC 1952).
    Gzip,
    /// bzip2.
    Bzip2,
}

impl Compression {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// The compression whose magic starts `head`, if any.
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(b"BZh") {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }
}

enum Dec<'a> {
    Gz(Box<flate2::bufread::GzDecoder<Src<'a>>>),
    Bz(bzip2::bufread::BzDecoder<Src<'a>>),
}

/// Decompresses its source, noting in the [`Diag`] how it ended.
pub struct Decompress<'a> {
    dec: Dec<'a>,
    what: Compression,
    diag: Diag,
    ended: bool,
}

impl<'a> Decompress<'a> {
    /// Undoes `what` on `src`.
    pub fn new(src: Src<'a>, what: Compression, diag: Diag) -> Self {
        let dec = match what {
            Compression::Gzip => Dec::Gz(Box::new(flate2::bufread::GzDecoder::new(src))),
            Compression::Bzip2 => Dec::Bz(bzip2::bufread::BzDecoder::new(src)),
        };
        Decompress {
            dec,
            what,
            diag,
            ended: false,
        }
    }

    fn inner(&mut self) -> &mut Src<'a> {
        match &mut self.dec {
            Dec::Gz(d) => d.get_mut(),
            Dec::Bz(d) => d.get_mut(),
        }
    }

    fn classify(&self, e: &io::Error) -> Fault {
        let m = e.to_string();
        let name = self.what.name();
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Fault::CompressedEnds(name)
        } else if m.contains("checksum") || m.contains("crc") || m.contains("CRC") {
            Fault::CompressedDamaged(
                name,
                match self.what {
                    Compression::Gzip => Damage::GzipTrailer,
                    Compression::Bzip2 => Damage::Bzip2Crc,
                },
            )
        } else if m.contains("header") {
            Fault::CompressedDamaged(name, Damage::Header)
        } else {
            Fault::CompressedDamaged(
                name,
                match self.what {
                    Compression::Gzip => Damage::Deflate(m),
                    Compression::Bzip2 => Damage::Bzip2(m),
                },
            )
        }
    }
}

impl Read for Decompress<'_> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if self.ended || dst.is_empty() {
            return Ok(0);
        }
        let r = match &mut self.dec {
            Dec::Gz(d) => d.read(dst),
            Dec::Bz(d) => d.read(dst),
        };
        match r {
            Ok(0) => {
                self.ended = true;
                // A complete stream: is anything left after it?
                let more = match self.inner().fill_buf() {
                    Ok(rest) => !rest.is_empty(),
                    Err(e) => {
                        if !self.diag.has_fault() {
                            self.diag.fault(Fault::Io(e.to_string()));
                        }
                        return Err(e);
                    }
                };
                if more {
                    self.diag.fault(Fault::TrailingData(self.what.name()));
                    return Err(crate::diag::layer_error("trailing data"));
                }
                self.diag.set_compressed_end();
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) => {
                if !self.diag.has_fault() {
                    let f = self.classify(&e);
                    self.diag.fault(f);
                }
                Err(e)
            }
        }
    }
}

/// Counts the bytes of the tar stream, refuses more than `cap`, and
/// remembers how many zero bytes the stream ended with so far (to see the
/// tar's end-of-archive blocks).
pub struct Meter<R> {
    inner: R,
    diag: Diag,
    cap: u64,
    /// Bytes read so far.
    pub total: u64,
    /// Consecutive zero bytes at the end of what was read.
    pub zero_run: u64,
}

impl<R: Read> Meter<R> {
    /// Meters `inner`, allowing at most `cap` bytes.
    pub fn new(inner: R, cap: u64, diag: Diag) -> Self {
        Meter {
            inner,
            diag,
            cap,
            total: 0,
            zero_run: 0,
        }
    }
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(dst)?;
        self.total += n as u64;
        if self.total > self.cap {
            if !self.diag.has_fault() {
                self.diag.fault(Fault::Bomb(self.cap));
            }
            return Err(crate::diag::layer_error("decompression bomb"));
        }
        let got = &dst[..n];
        match got.iter().rposition(|&b| b != 0) {
            Some(i) => self.zero_run = (n - 1 - i) as u64,
            None => self.zero_run += n as u64,
        }
        Ok(n)
    }
}

/// Reads `src` to its end into nothing, bounded by the meter's cap; returns
/// whether every byte was zero.
pub fn drain_zeros<R: Read>(src: &mut R) -> io::Result<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut all_zero = true;
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => return Ok(all_zero),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        all_zero &= buf[..n].iter().all(|&b| b == 0);
    }
}
