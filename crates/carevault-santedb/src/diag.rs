//! What went wrong, and in which layer.
//!
//! A SanteDB file is read through a stack of streams (file, AES-CBC,
//! gzip or bzip2, tar). A failure deep down reaches the top as a bare
//! `io::Error`; each layer therefore writes what it saw into one shared
//! [`Diag`] first, and [`Diag::explain`] turns the first cause into the
//! error the user reads, naming the layer that failed.

use crate::fail::{damaged, incomplete, refused};
use carevault_core::i18n::{t, Text};
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
    /// gzip or bzip2 data is damaged ([`Damage`] says how).
    CompressedDamaged(&'static str, Damage),
    /// More bytes follow the end of the compressed stream.
    TrailingData(&'static str),
    /// More data than the file could honestly hold (a decompression bomb).
    Bomb(u64),
}

/// How compressed data is damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The CRC-32 or length in the gzip trailer does not match.
    GzipTrailer,
    /// A bzip2 block CRC does not match.
    Bzip2Crc,
    /// The stream's header is invalid.
    Header,
    /// The deflate data is invalid (the decoder's words).
    Deflate(String),
    /// The bzip2 data is invalid (the decoder's words).
    Bzip2(String),
}

impl Damage {
    /// How, in words, for compression `what` (`gzip`, `bzip2`).
    pub fn text(&self, what: &str) -> Text {
        match self {
            Damage::GzipTrailer => t!("santedb-damage-gzip-trailer"),
            Damage::Bzip2Crc => t!("santedb-damage-bzip2-crc"),
            Damage::Header => t!("santedb-damage-header", name = what),
            Damage::Deflate(m) => t!("santedb-damage-deflate", error = m),
            Damage::Bzip2(m) => t!("santedb-damage-bzip2", error = m),
        }
    }
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
    /// `context` says what was being read (a `santedb-doing-...` message).
    pub fn explain(&self, e: &std::io::Error, context: Text) -> Error {
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
                    t!("santedb-read-failed", error = m),
                    t!("santedb-read-failed-advice"),
                ),
                Fault::CipherLength(n) => incomplete(t!(
                    "santedb-cipher-length-while",
                    bytes = n.to_string(),
                    context = context
                )),
                Fault::Padding if !st.tar_complete && (cut || !st.compressed_end) => {
                    incomplete(t!("santedb-cipher-stops-padding", context = context))
                }
                Fault::Padding => damaged(t!("santedb-padding-invalid")),
                Fault::StrayBlock if !st.compressed_end => {
                    incomplete(t!("santedb-cipher-stops-unpadded", context = context))
                }
                Fault::StrayBlock => damaged(t!("santedb-stray-block")),
                Fault::CompressedEnds(what) => incomplete(t!(
                    "santedb-compressed-ends",
                    name = *what,
                    context = context
                )),
                Fault::CompressedDamaged(what, how) => damaged(t!(
                    "santedb-compressed-damaged",
                    name = *what,
                    how = how.text(what),
                    context = context
                )),
                Fault::TrailingData(what) => damaged(t!("santedb-trailing-data", name = *what)),
                Fault::Bomb(cap) => refused(t!("santedb-bomb", bytes = cap.to_string())),
            };
        }
        drop(st);
        explain_tar(e, context)
    }
}

/// The error for a failure the tar layer itself found.
fn explain_tar(e: &std::io::Error, context: Text) -> Error {
    let m = e.to_string();
    if m.contains("checksum mismatch") {
        damaged(t!("santedb-tar-checksum", context = context))
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof || m.contains("entire block") {
        incomplete(t!("santedb-tar-ends", context = context))
    } else {
        damaged(t!("santedb-tar-unreadable", error = m, context = context))
    }
}

/// An `io::Error` that carries no message of its own: the cause is in the
/// [`Diag`].
pub fn layer_error(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}
