//! A push parser for the outer container: it is fed the file's bytes in
//! order and says what it needs next, and it applies every rule of the
//! container's layout (`docs/FORMAT.md`, "Container" and "Limits and
//! strictness"): the part order, the size caps, the header checksums and
//! version mark, zero padding, the end-of-archive blocks and what may
//! follow them. It does no I/O, so a local file, an object in storage and
//! a fuzzer drive the very same decisions.
//!
//! ```text
//! let mut p = Parser::new(file_len);
//! let mut step = p.feed(&[])?;
//! loop {
//!     step = match step {
//!         Step::Need(n) => p.feed(&next_n_bytes)?,   // fewer is fine too
//!         Step::Skip(n) => { seek_past(n); p.skip(n)? } // or feed them
//!         Step::Done(layout) => break layout,
//!     }
//! }
//! ```
//!
//! The parser is told the file's length up front (every store knows it):
//! a header that would end past it is refused as soon as it is reached,
//! with the same message whether or not the bytes before it were read.
//! Fed less than the whole file, it simply asks for more: a prefix of a
//! good file is never refused.
//!
//! An entry's data is not the parser's business (the core reads and
//! checks each part on its own), so it is announced as [`Step::Skip`]
//! rather than asked for: a reader of a multi-gigabyte payload seeks past
//! it, and a reader that cannot seek feeds it like any other byte. A parser
//! that only said "need n bytes" would make every open read the whole
//! payload.

use crate::container::{
    looks_like_damaged_header, parse_block, Block, EntryHeader, Extent, Layout, BLOCK,
    MANIFEST_COPY_AGE_NAME, METADATA_NAME, PAYLOAD_NAME, PAYLOAD_SUM_NAME,
};
use crate::error::{Error, Result};
use crate::limits::{
    CONTAINER_RECORD, MAX_MANIFEST_BYTES, MAX_METADATA_BYTES, MAX_PAYLOAD_SUM_BYTES,
};
use crate::manifest::MANIFEST_NAME;
use carevault_i18n::t;

/// Most parts a container may hold (metadata, two key slots, payload,
/// manifest copy, payload checksum, origin record and its signature).
pub const MAX_PARTS: usize = 8;

/// What the parser wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// This many more bytes before the next decision (feed them, in one
    /// slice or several).
    Need(usize),
    /// This many bytes of entry data follow that the parser does not look
    /// at: seek past them and call [`Parser::skip`], or feed them.
    Skip(u64),
    /// The container checks out: where each part lies.
    Done(Layout),
}

/// What the parser is collecting or passing over.
#[derive(Debug)]
enum State {
    /// Nothing read yet.
    Start,
    /// The whole of a file shorter than one block.
    Short,
    /// The header block at `at`.
    Header,
    /// The second end-of-archive block.
    SecondZero,
    /// Entry data, `left` bytes of it still to pass.
    Data { left: u64 },
    /// The zero padding after an entry's data.
    Pad,
    /// What follows the end-of-archive blocks, to the end of the file.
    Tail,
    /// Finished: the layout found.
    Done(Layout),
    /// Refused: the refusal, said again if fed again.
    Failed(Error),
}

/// The container's push parser (see the module documentation).
#[derive(Debug)]
pub struct Parser {
    file_len: u64,
    state: State,
    /// Bytes consumed so far: the offset of the next byte to feed.
    pos: u64,
    /// The bytes collected for the current decision, and how many it takes.
    buf: Vec<u8>,
    want: usize,
    /// Offset of the current header (or, after the end, of the tail).
    at: u64,
    first_mark: Option<(u32, u32)>,
    parts: Vec<(String, Extent)>,
}

impl Parser {
    /// A parser for a container of `file_len` bytes.
    pub fn new(file_len: u64) -> Parser {
        Parser {
            file_len,
            state: State::Start,
            pos: 0,
            buf: Vec::with_capacity(BLOCK as usize),
            want: 0,
            at: 0,
            first_mark: None,
            parts: Vec::new(),
        }
    }

    /// Offset in the file of the next byte the parser expects.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Feeds the next bytes of the file (any number, an empty slice to
    /// ask what comes first). Bytes past the end of a finished or refused
    /// container are ignored.
    pub fn feed(&mut self, mut input: &[u8]) -> Result<Step> {
        loop {
            match &mut self.state {
                State::Done(layout) => return Ok(Step::Done(layout.clone())),
                State::Failed(e) => return Err(again(e)),
                State::Start => self.run(Parser::start)?,
                State::Data { left } => {
                    if *left == 0 {
                        self.run(Parser::data_done)?;
                        continue;
                    }
                    if input.is_empty() {
                        return Ok(Step::Skip(*left));
                    }
                    let n = (*left).min(input.len() as u64);
                    *left -= n;
                    self.pos += n;
                    input = &input[n as usize..];
                }
                _ => {
                    let need = self.want - self.buf.len();
                    if need > 0 {
                        if input.is_empty() {
                            return Ok(Step::Need(need));
                        }
                        let n = need.min(input.len());
                        self.buf.extend_from_slice(&input[..n]);
                        self.pos += n as u64;
                        input = &input[n..];
                        continue;
                    }
                    self.run(Parser::decide)?;
                }
            }
        }
    }

    /// Tells the parser that the driver passed over `n` bytes of the entry
    /// data that [`Step::Skip`] announced, without feeding them; `n` past
    /// what was announced counts as the announced length.
    pub fn skip(&mut self, n: u64) -> Result<Step> {
        if let State::Data { left } = &mut self.state {
            let n = n.min(*left);
            *left -= n;
            self.pos += n;
        }
        self.feed(&[])
    }

    /// Runs one transition, keeping its refusal for any later call.
    fn run(&mut self, f: fn(&mut Parser) -> Result<()>) -> Result<()> {
        f(self).inspect_err(|e| self.state = State::Failed(again(e)))
    }

    /// Starts collecting `n` bytes in `state`.
    fn collect(&mut self, state: State, n: usize) {
        self.buf.clear();
        self.want = n;
        self.state = state;
    }

    fn start(&mut self) -> Result<()> {
        if self.file_len == 0 {
            return Err(Error::Truncated(t!("core-file-empty")));
        }
        if self.file_len < BLOCK {
            self.collect(State::Short, self.file_len as usize);
            return Ok(());
        }
        self.expect_header(0)
    }

    /// The next header starts at `at`: it must lie inside the file.
    fn expect_header(&mut self, at: u64) -> Result<()> {
        self.at = at;
        self.expect_block(State::Header, at)
    }

    fn expect_block(&mut self, state: State, at: u64) -> Result<()> {
        if at + BLOCK > self.file_len {
            return Err(Error::Truncated(t!(
                "core-ends-inside-header",
                file_len = self.file_len,
                at = at
            )));
        }
        self.collect(state, BLOCK as usize);
        Ok(())
    }

    /// The bytes collected for the current state are all there.
    fn decide(&mut self) -> Result<()> {
        match self.state {
            State::Short => Err(self.short_file()),
            State::Header => self.header(),
            State::SecondZero => {
                if self.buf.iter().any(|&b| b != 0) {
                    return Err(Error::Corrupted(t!("core-end-marker-damaged")));
                }
                self.at += 2 * BLOCK;
                self.tail()
            }
            State::Pad => {
                if self.buf.iter().any(|&b| b != 0) {
                    return Err(Error::Corrupted(t!("core-padding-damaged")));
                }
                let next = self.parts.last().map_or(0, |(_, e)| e.padded_end());
                self.expect_header(next)
            }
            State::Tail => {
                if self.buf.iter().any(|&b| b != 0) {
                    return Err(self.bytes_after_end());
                }
                self.finish()
            }
            _ => unreachable!("decide runs only in a collecting state"),
        }
    }

    /// A file shorter than one block: the start of a backup cut short, or
    /// no backup at all.
    fn short_file(&self) -> Error {
        let name = METADATA_NAME.as_bytes();
        let n = self.buf.len().min(name.len());
        if n > 0 && self.buf[..n] == name[..n] {
            Error::Truncated(t!("core-file-too-short", file_len = self.file_len))
        } else {
            Error::NotABackup
        }
    }

    fn header(&mut self) -> Result<()> {
        let block: &[u8; 512] = self.buf[..]
            .try_into()
            .expect("a header is collected whole");
        let at = self.at;
        match parse_block(block) {
            // Only a first block that is no tar header of ours at all is
            // "not a backup": a damaged one is damage.
            Err(e) if at == 0 => Err(if looks_like_damaged_header(block) {
                e
            } else {
                Error::NotABackup
            }),
            Err(e) => Err(e),
            Ok(Block::Zero) => self.expect_block(State::SecondZero, at + BLOCK),
            Ok(Block::Entry(EntryHeader {
                name,
                len,
                version_mark,
            })) => {
                if at == 0 {
                    if name != METADATA_NAME {
                        return Err(Error::NotABackup);
                    }
                    self.first_mark = version_mark;
                }
                if self.parts.len() >= MAX_PARTS {
                    return Err(Error::Corrupted(t!("core-too-many-parts")));
                }
                let ext = Extent {
                    offset: at + BLOCK,
                    len,
                };
                if ext.padded_end() > self.file_len {
                    return Err(Error::Truncated(t!(
                        "core-part-beyond-end",
                        file_len = self.file_len,
                        part = &name,
                        end = ext.padded_end()
                    )));
                }
                self.parts.push((name, ext));
                self.buf.clear();
                self.state = State::Data { left: len };
                Ok(())
            }
        }
    }

    /// The entry's data has been passed: its padding follows.
    fn data_done(&mut self) -> Result<()> {
        let ext = self.parts.last().expect("data follows a part's header").1;
        let pad = (ext.padded_end() - ext.offset - ext.len) as usize;
        self.collect(State::Pad, pad);
        Ok(())
    }

    /// After the two end-of-archive blocks.
    fn tail(&mut self) -> Result<()> {
        let (at, file_len) = (self.at, self.file_len);
        if file_len > at {
            // `tar` pads an archive with zeros to a whole record; carevault
            // writes none, so a file that carries carevault's mark must end
            // exactly (a truncation or an appended byte is damage). Anything
            // but zeros after the end is damage in any file.
            let record_end = at.div_ceil(CONTAINER_RECORD) * CONTAINER_RECORD;
            if self.first_mark.is_some() || file_len > record_end {
                return Err(self.bytes_after_end());
            }
            self.collect(State::Tail, (file_len - at) as usize);
            return Ok(());
        }
        self.finish()
    }

    fn bytes_after_end(&self) -> Error {
        Error::Corrupted(t!("core-bytes-after-end", count = self.file_len - self.at))
    }

    /// Every header has been read: the parts must come in the format's
    /// order, within their caps.
    fn finish(&mut self) -> Result<()> {
        let mut parts = std::mem::take(&mut self.parts);
        let origin = crate::origin::split_origin_parts(&mut parts)?;
        let n = parts.len();
        if n < 4 {
            return Err(Error::Corrupted(t!("core-missing-parts")));
        }
        let metadata = parts[0].1;
        let payload_sum = parts[n - 1].clone();
        let manifest = parts[n - 2].clone();
        let payload = parts[n - 3].clone();
        let slots = parts[1..n - 3].to_vec();
        if payload_sum.0 != PAYLOAD_SUM_NAME || payload_sum.1.len > MAX_PAYLOAD_SUM_BYTES {
            return Err(Error::Corrupted(t!("core-parts-out-of-order")));
        }
        let expect_manifest = if payload.0.ends_with(".age") {
            MANIFEST_COPY_AGE_NAME
        } else {
            MANIFEST_NAME
        };
        if manifest.0 != expect_manifest || !payload.0.starts_with(PAYLOAD_NAME) {
            return Err(Error::Corrupted(t!("core-parts-out-of-order")));
        }
        if metadata.len > MAX_METADATA_BYTES || manifest.1.len > MAX_MANIFEST_BYTES {
            return Err(Error::Unsafe(t!("core-part-too-large")));
        }
        self.state = State::Done(Layout {
            metadata,
            slots,
            payload,
            manifest,
            payload_sum: payload_sum.1,
            origin,
            file_len: self.at,
            version_mark: self.first_mark,
        });
        Ok(())
    }
}

/// The same refusal again (the parser's refusals carry no JSON cause).
fn again(e: &Error) -> Error {
    match e {
        Error::NotABackup => Error::NotABackup,
        Error::Truncated(m) => Error::Truncated(m.clone()),
        Error::Corrupted(m) => Error::Corrupted(m.clone()),
        Error::Tampered { message, advice } => Error::Tampered {
            message: message.clone(),
            advice: advice.clone(),
        },
        Error::Newer(m) => Error::Newer(m.clone()),
        Error::Unsafe(m) => Error::Unsafe(m.clone()),
        Error::Unstorable(m) => Error::Unstorable(m.clone()),
        Error::Internal(m) => Error::Internal(m.clone()),
        Error::Json(inner, _) => again(inner),
    }
}

#[cfg(test)]
mod tests;
