//! What went wrong, and in which layer.
//!
//! A SanteDB file is read through a stack of streams (file, AES-CBC,
//! gzip or bzip2, tar). A failure deep down reaches the top as a bare
//! `io::Error`; each layer therefore writes what it saw into one shared
//! [`Diag`] first, and [`Diag::explain`] turns the first cause into the
//! error the user reads, naming the layer that failed.

use carevault_core::error::{corrupted, truncated, unsafe_archive};
use carevault_core::{Error, Kind};
use std::cell::RefCell;
use std::rc::Rc;

/// One layer's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Reading the file itself failed.
    Io(String),
    /// The ciphertext is not a whole number of 16-byte blocks (or empty).
    CipherLength(u64),
    /// The last block's PKCS#7 padding is invalid.
    Padding,
    /// One block follows the block with valid padding.
    StrayBlock,
    /// gzip or bzip2 data ends before the end of its stream.
    CompressedEnds(&'static str),
    /// gzip or bzip2 data is damaged (the message says how).
    CompressedDamaged(&'static str, String),
    /// More bytes follow the end of the compressed stream.
    TrailingData(&'static str),
    /// More data than the file could honestly hold (a decompression bomb).
    Bomb(u64),
}

/// State shared by the layers of one read.
#[derive(Debug, Default)]
pub struct State {
    /// Failures, first one first.
    pub faults: Vec<Fault>,
    /// The compressed stream reached its proper end (trailer checked).
    pub compressed_end: bool,
    /// The ciphertext reached its end with valid padding.
    pub cipher_end: bool,
    /// The tar archive was read to its end marker.
    pub tar_complete: bool,
}

/// Shared diagnosis of one read.
#[derive(Debug, Clone, Default)]
pub struct Diag(Rc<RefCell<State>>);

impl Diag {
    /// Records a fault (the first one is the cause).
    pub fn fault(&self, f: Fault) {
        self.0.borrow_mut().faults.push(f);
    }
    /// Whether any fault was recorded.
    pub fn has_fault(&self) -> bool {
        !self.0.borrow().faults.is_empty()
    }
    /// Marks the compressed stream as complete.
    pub fn set_compressed_end(&self) {
        self.0.borrow_mut().compressed_end = true;
    }
    /// Marks the ciphertext as complete.
    pub fn set_cipher_end(&self) {
        self.0.borrow_mut().cipher_end = true;
    }
    /// Marks the tar archive as read to its end marker.
    pub fn set_tar_complete(&self) {
        self.0.borrow_mut().tar_complete = true;
    }
    /// Whether the compressed stream ended properly.
    pub fn compressed_end(&self) -> bool {
        self.0.borrow().compressed_end
    }
    /// The faults so far.
    pub fn faults(&self) -> Vec<Fault> {
        self.0.borrow().faults.clone()
    }

    /// The error for a read that failed with `e` (from the top layer), where
    /// `context` says what was being read.
    pub fn explain(&self, e: &std::io::Error, context: &str) -> Error {
        let st = self.0.borrow();
        // A padding failure right where the compressed data also stops
        // early is a cut at a block boundary: a truncation, not damage.
        let cut = st
            .faults
            .iter()
            .any(|f| matches!(f, Fault::CipherLength(_) | Fault::CompressedEnds(_)));
        if let Some(f) = st.faults.first() {
            return match f {
                Fault::Io(m) => Error::new(
                    Kind::Io,
                    format!("the SanteDB backup could not be read: {m}"),
                    "check that the storage is present and healthy, then run the command again",
                ),
                Fault::CipherLength(n) => truncated(format!(
                    "the encrypted data is {n} bytes, not a whole number of 16-byte AES blocks (the file was cut short) while {context}"
                )),
                Fault::Padding if !st.tar_complete && (cut || !st.compressed_end) => truncated(format!(
                    "the encrypted data stops before the compressed data ends (the last block's PKCS#7 padding is invalid too: the file was cut short at a block boundary, or its last block is damaged, which cannot be told apart) while {context}"
                )),
                Fault::Padding => corrupted(
                    "the PKCS#7 padding of the last AES block is invalid: the end of the file is damaged or cut short",
                ),
                Fault::StrayBlock if !st.compressed_end => truncated(format!(
                    "the encrypted data stops before the compressed data ends (its last block is not padded) while {context}"
                )),
                Fault::StrayBlock => corrupted(
                    "one stray 16-byte AES block follows the padded end of the encrypted data",
                ),
                Fault::CompressedEnds(what) => truncated(format!(
                    "the {what} data ends before its end marker while {context}"
                )),
                Fault::CompressedDamaged(what, m) => {
                    corrupted(format!("the {what} data is damaged ({m}) while {context}"))
                }
                Fault::TrailingData(what) => corrupted(format!(
                    "bytes follow the end of the {what} stream, which a SanteDB backup never has"
                )),
                Fault::Bomb(cap) => unsafe_archive(format!(
                    "it decompresses to more than {} bytes, far more than a backup of this size holds (a decompression bomb)",
                    cap
                )),
            };
        }
        drop(st);
        explain_tar(e, context)
    }
}

/// The error for a failure the tar layer itself found.
fn explain_tar(e: &std::io::Error, context: &str) -> Error {
    let m = e.to_string();
    if m.contains("checksum mismatch") {
        corrupted(format!(
            "a tar header checksum does not match while {context}"
        ))
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof || m.contains("entire block") {
        truncated(format!(
            "the tar archive ends inside an entry while {context}"
        ))
    } else {
        corrupted(format!(
            "the tar archive is unreadable ({m}) while {context}"
        ))
    }
}

/// An `io::Error` that carries no message of its own: the cause is in the
/// [`Diag`].
pub fn layer_error(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}
