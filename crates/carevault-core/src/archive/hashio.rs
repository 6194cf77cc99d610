//! Readers that hash what passes through them and insist on exact lengths.

use crate::Progress;
use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// Reads exactly `len` bytes from `inner`, hashing them; a shorter source is
/// an `UnexpectedEof` error, never a silently short entry.
pub struct ExactHashReader<'p, R> {
    inner: R,
    remaining: u64,
    hasher: Sha256,
    progress: &'p dyn Progress,
}

impl<'p, R: Read> ExactHashReader<'p, R> {
    /// Wraps `inner`, expecting `len` bytes.
    pub fn new(inner: R, len: u64, progress: &'p dyn Progress) -> Self {
        ExactHashReader {
            inner,
            remaining: len,
            hasher: Sha256::new(),
            progress,
        }
    }

    /// Bytes still expected.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The SHA-256 of what was read.
    pub fn digest(&self) -> [u8; 32] {
        self.hasher.clone().finalize().into()
    }
}

impl<R: Read> Read for ExactHashReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(self.remaining.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(crate::error::io_error(
                io::ErrorKind::UnexpectedEof,
                crate::i18n::t!("core-io-source-ended"),
            ));
        }
        self.hasher.update(&buf[..n]);
        self.remaining -= n as u64;
        self.progress.advance(n as u64);
        Ok(n)
    }
}
