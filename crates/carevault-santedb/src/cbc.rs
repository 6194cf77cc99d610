//! AES-256-CBC with PKCS#7 padding, as a stream (RustCrypto `aes` + `cbc`).
//!
//! SanteDB's key is the passphrase itself: no KDF, no salt, no MAC. The
//! last block is held back until the end of the ciphertext is seen, then its
//! padding is checked; a wrong length or padding is recorded in the
//! [`Diag`] so the user learns which check failed.

use crate::diag::{layer_error, Diag, Fault};
use aes::cipher::{generic_array::GenericArray, BlockDecryptMut, KeyIvInit};
use std::io::{self, Read};

/// AES block size.
pub const BLOCK: usize = 16;

type Dec = cbc::Decryptor<aes::Aes256>;

/// The AES key SanteDB derives from a passphrase: each UTF-16 code unit
/// that is not ASCII becomes `?` (so a character outside the BMP becomes
/// `??`), then the bytes are zero-padded or cut to 32.
pub fn santedb_key(passphrase: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (slot, unit) in key.iter_mut().zip(passphrase.encode_utf16()) {
        *slot = if unit < 0x80 { unit as u8 } else { b'?' };
    }
    key
}

/// Whether `p` is a valid PKCS#7-padded final block; returns the data length.
pub fn unpad(p: &[u8; BLOCK]) -> Option<usize> {
    let n = p[BLOCK - 1] as usize;
    (1..=BLOCK).contains(&n).then_some(())?;
    p[BLOCK - n..]
        .iter()
        .all(|&b| b as usize == n)
        .then_some(BLOCK - n)
}

/// Decrypts one block with `key` and the previous ciphertext block `prev`.
pub fn decrypt_one(key: &[u8; 32], prev: &[u8; BLOCK], block: &[u8; BLOCK]) -> [u8; BLOCK] {
    let mut d = Dec::new(key.into(), prev.into());
    let mut b = GenericArray::clone_from_slice(block);
    d.decrypt_block_mut(&mut b);
    b.into()
}

/// A reader of the plaintext of a CBC ciphertext read from `inner`.
pub struct CbcReader<R> {
    inner: R,
    dec: Dec,
    diag: Diag,
    /// Ciphertext bytes not yet a whole block.
    partial: Vec<u8>,
    /// The two newest decrypted blocks, held until we know which is the
    /// last: SanteDB sometimes wrote one stray block after the padded one.
    held: Vec<[u8; BLOCK]>,
    /// An error to report once the data before it is handed out.
    pending: Option<Fault>,
    /// Plaintext ready to hand out.
    out: Vec<u8>,
    pos: usize,
    cipher_len: u64,
    done: bool,
    buf: Vec<u8>,
}

impl<R: Read> CbcReader<R> {
    /// Decrypts `inner` with `key` and `iv`.
    pub fn new(inner: R, key: &[u8; 32], iv: &[u8; BLOCK], diag: Diag) -> Self {
        CbcReader {
            inner,
            dec: Dec::new(key.into(), iv.into()),
            diag,
            partial: Vec::with_capacity(BLOCK),
            held: Vec::with_capacity(2),
            pending: None,
            out: Vec::with_capacity(64 * 1024),
            pos: 0,
            cipher_len: 0,
            done: false,
            buf: vec![0u8; 64 * 1024],
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() && !self.done {
            let n = match self.inner.read(&mut self.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if !self.diag.has_fault() {
                        self.diag.fault(Fault::Io(e.to_string()));
                    }
                    return Err(e);
                }
            };
            if n == 0 {
                return self.finish();
            }
            self.cipher_len += n as u64;
            let mut data = &self.buf[..n];
            if !self.partial.is_empty() {
                let take = (BLOCK - self.partial.len()).min(data.len());
                self.partial.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.partial.len() == BLOCK {
                    let block: [u8; BLOCK] = self.partial[..].try_into().expect("one block");
                    self.partial.clear();
                    Self::push(&mut self.dec, &mut self.held, &mut self.out, &block);
                }
            }
            let whole = data.len() / BLOCK * BLOCK;
            for c in data[..whole].chunks_exact(BLOCK) {
                let block: [u8; BLOCK] = c.try_into().expect("one block");
                Self::push(&mut self.dec, &mut self.held, &mut self.out, &block);
            }
            self.partial.extend_from_slice(&data[whole..]);
        }
        Ok(())
    }

    fn push(dec: &mut Dec, held: &mut Vec<[u8; BLOCK]>, out: &mut Vec<u8>, block: &[u8; BLOCK]) {
        let mut b = GenericArray::clone_from_slice(block);
        dec.decrypt_block_mut(&mut b);
        if held.len() == 2 {
            out.extend_from_slice(&held.remove(0));
        }
        held.push(b.into());
    }

    fn finish(&mut self) -> io::Result<()> {
        self.done = true;
        if !self.partial.is_empty() || self.held.is_empty() {
            self.diag.fault(Fault::CipherLength(self.cipher_len));
            return Err(layer_error("ciphertext length"));
        }
        let last = self.held.pop().expect("checked");
        let before = self.held.pop();
        if let Some(n) = unpad(&last) {
            if let Some(b) = before {
                self.out.extend_from_slice(&b);
            }
            self.out.extend_from_slice(&last[..n]);
            self.diag.set_cipher_end();
            return Ok(());
        }
        match before.as_ref().and_then(unpad) {
            // The padded block, then one stray block: hand out the data,
            // then report the stray block.
            Some(n) => {
                self.out.extend_from_slice(&before.expect("checked")[..n]);
                self.pending = Some(Fault::StrayBlock);
                Ok(())
            }
            None => {
                self.diag.fault(Fault::Padding);
                Err(layer_error("padding"))
            }
        }
    }
}

impl<R: Read> Read for CbcReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.out.len() {
            if let Some(f) = self.pending.take() {
                self.diag.fault(f);
                return Err(layer_error("stray block"));
            }
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = (self.out.len() - self.pos).min(dst.len());
        dst[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_replaces_each_non_ascii_utf16_unit_and_pads_to_32() {
        let k = santedb_key("pé😀");
        assert_eq!(&k[..5], b"p???\0");
        assert_eq!(k[5..], [0u8; 27]);
        let long = santedb_key(&"a".repeat(40));
        assert_eq!(long, [b'a'; 32]);
    }

    #[test]
    fn padding_rules() {
        let mut b = [7u8; 16];
        b[15] = 1;
        assert_eq!(unpad(&b), Some(15));
        assert_eq!(unpad(&[16u8; 16]), Some(0));
        assert_eq!(unpad(&[0u8; 16]), None);
        let mut c = [3u8; 16];
        c[14] = 2;
        assert_eq!(unpad(&c), None);
    }
}
