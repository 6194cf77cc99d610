//! Stages of a stream moved onto their own threads, joined by bounded
//! channels of fixed buffers that go back for reuse once consumed (memory
//! stays at a few buffers per pipe).
//!
//! - [`spawn`]: a reader on its own thread reads ahead (reading, decrypting
//!   and decompressing a payload run on separate cores);
//! - [`spawn_sink`]: a writer's work on its own thread (a backup's
//!   encryption, payload hash and file writes run beside compression).

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::Scope;

/// Bytes per buffer.
const BUF: usize = 256 * 1024;
/// Filled buffers that may wait in the channel.
const DEPTH: usize = 2;

enum Msg {
    Data(Vec<u8>, usize),
    End,
    Err(io::Error),
}

/// The reading end of a pipe; reads what the thread read, in order, and
/// ends where the source ended (an error of the source is returned as is).
pub struct PipeReader {
    rx: Receiver<Msg>,
    back: Sender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    len: usize,
    done: bool,
}

/// Starts a thread in `scope` that reads `inner` to its end.
pub fn spawn<'scope, R>(scope: &'scope Scope<'scope, '_>, mut inner: R) -> PipeReader
where
    R: Read + Send + 'scope,
{
    let (tx, rx) = mpsc::sync_channel::<Msg>(DEPTH);
    let (back, spare) = mpsc::channel::<Vec<u8>>();
    scope.spawn(move || produce(&mut inner, &tx, &spare));
    PipeReader {
        rx,
        back,
        cur: Vec::new(),
        pos: 0,
        len: 0,
        done: false,
    }
}

fn produce(inner: &mut dyn Read, tx: &SyncSender<Msg>, spare: &Receiver<Vec<u8>>) {
    loop {
        let mut buf = spare.try_recv().unwrap_or_else(|_| vec![0u8; BUF]);
        let mut len = 0;
        while len < buf.len() {
            match inner.read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Bytes read before the error still go first.
                    if len > 0 && tx.send(Msg::Data(buf, len)).is_err() {
                        return;
                    }
                    let _ = tx.send(Msg::Err(e));
                    return;
                }
            }
        }
        if len == 0 {
            let _ = tx.send(Msg::End);
            return;
        }
        // A closed channel means the reader gave up: stop reading.
        if tx.send(Msg::Data(buf, len)).is_err() {
            return;
        }
    }
}

impl PipeReader {
    /// Makes sure unread bytes are at hand, unless the stream has ended.
    fn refill(&mut self) -> io::Result<()> {
        while self.pos == self.len {
            if self.done {
                return Ok(());
            }
            match self.rx.recv() {
                Ok(Msg::Data(buf, len)) => {
                    let old = std::mem::replace(&mut self.cur, buf);
                    if !old.is_empty() {
                        let _ = self.back.send(old);
                    }
                    self.pos = 0;
                    self.len = len;
                }
                Ok(Msg::End) => self.done = true,
                Ok(Msg::Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(crate::error::io_error(
                        io::ErrorKind::Other,
                        crate::i18n::t!("core-io-reader-stopped"),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        self.refill()?;
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Lets a consumer read straight out of the pipe's buffers (zstd's decoder
/// takes its input this way, without a copy into a buffer of its own).
impl io::BufRead for PipeReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.refill()?;
        Ok(&self.cur[self.pos..self.len])
    }
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.len);
    }
}

/// The writing end of a sink pipe.
pub struct PipeWriter {
    tx: Option<SyncSender<Option<Vec<u8>>>>,
    spare: Receiver<Vec<u8>>,
    buf: Vec<u8>,
}

/// What the sink thread reads: the written bytes in order, in chunks.
pub struct Chunks {
    rx: Receiver<Option<Vec<u8>>>,
    back: Sender<Vec<u8>>,
    cur: Vec<u8>,
}

impl Chunks {
    /// The next chunk; `Ok(None)` once the writer finished; a `BrokenPipe`
    /// error if the writer was dropped without finishing (its stream is
    /// incomplete, and the writer's side has the reason).
    pub fn next_chunk(&mut self) -> io::Result<Option<&[u8]>> {
        let old = std::mem::take(&mut self.cur);
        if old.capacity() > 0 {
            let _ = self.back.send(old);
        }
        match self.rx.recv() {
            Ok(Some(buf)) => {
                self.cur = buf;
                Ok(Some(&self.cur))
            }
            Ok(None) => Ok(None),
            Err(_) => Err(crate::error::io_error(
                io::ErrorKind::BrokenPipe,
                crate::i18n::t!("core-io-stream-abandoned"),
            )),
        }
    }
}

/// Starts `work` on a thread in `scope`, fed with what is written to the
/// returned writer. Call [`PipeWriter::finish`] to end the stream, then join
/// the handle for `work`'s result (its error explains a failed write).
pub fn spawn_sink<'scope, T, F>(
    scope: &'scope Scope<'scope, '_>,
    work: F,
) -> (PipeWriter, std::thread::ScopedJoinHandle<'scope, T>)
where
    F: FnOnce(&mut Chunks) -> T + Send + 'scope,
    T: Send + 'scope,
{
    let (tx, rx) = mpsc::sync_channel::<Option<Vec<u8>>>(DEPTH);
    let (back, spare) = mpsc::channel::<Vec<u8>>();
    let handle = scope.spawn(move || {
        let mut chunks = Chunks {
            rx,
            back,
            cur: Vec::new(),
        };
        work(&mut chunks)
    });
    let w = PipeWriter {
        tx: Some(tx),
        spare,
        buf: Vec::with_capacity(BUF),
    };
    (w, handle)
}

fn stopped() -> io::Error {
    crate::error::io_error(
        io::ErrorKind::Other,
        crate::i18n::t!("core-io-writer-stopped"),
    )
}

impl PipeWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let next = match self.spare.try_recv() {
            Ok(mut used) => {
                used.clear();
                used
            }
            Err(_) => Vec::with_capacity(BUF),
        };
        let full = std::mem::replace(&mut self.buf, next);
        let tx = self.tx.as_ref().ok_or_else(stopped)?;
        tx.send(Some(full)).map_err(|_| stopped())
    }

    /// Sends what is buffered and the end of the stream.
    pub fn finish(mut self) -> io::Result<()> {
        self.send()?;
        let tx = self.tx.take().ok_or_else(stopped)?;
        tx.send(None).map_err(|_| stopped())
    }
}

impl io::Write for PipeWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(BUF - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == BUF {
            self.send()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `data` in uneven pieces, then fails if `fail` is set.
    struct Pieces {
        data: Vec<u8>,
        at: usize,
        fail: bool,
    }
    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() {
                return if self.fail {
                    Err(io::Error::new(io::ErrorKind::PermissionDenied, "boom"))
                } else {
                    Ok(0)
                };
            }
            let n = buf.len().min(self.data.len() - self.at).min(7919);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Pieces {
        fn of(data: &[u8], fail: bool) -> Pieces {
            Pieces {
                data: data.to_vec(),
                at: 0,
                fail,
            }
        }
    }

    fn data() -> Vec<u8> {
        (0..(3 * BUF + 12345))
            .map(|i| (i * 31 % 251) as u8)
            .collect()
    }

    #[test]
    fn passes_every_byte_in_order() {
        let want = data();
        let got = std::thread::scope(|s| {
            let mut r = spawn(s, Pieces::of(&want, false));
            let mut got = Vec::new();
            r.read_to_end(&mut got).unwrap();
            // After the end, it stays at the end.
            assert_eq!(r.read(&mut [0u8; 10]).unwrap(), 0);
            got
        });
        assert_eq!(got.len(), want.len());
        assert!(got == want);
    }

    #[test]
    fn reads_the_same_through_its_buffers() {
        use std::io::BufRead;
        let want = data();
        let got = std::thread::scope(|s| {
            let mut r = spawn(s, Pieces::of(&want, false));
            let mut got = Vec::new();
            loop {
                let chunk = r.fill_buf().unwrap();
                if chunk.is_empty() {
                    break;
                }
                // Consume unevenly, so chunks straddle the pipe's buffers.
                let n = chunk.len().min(1 + got.len() % 70_001);
                got.extend_from_slice(&chunk[..n]);
                r.consume(n);
            }
            got
        });
        assert!(got == want);
    }

    #[test]
    fn passes_the_error_after_the_bytes_before_it() {
        let want = data();
        std::thread::scope(|s| {
            let mut r = spawn(s, Pieces::of(&want, true));
            let mut got = Vec::new();
            let e = r.read_to_end(&mut got).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
            assert!(got == want);
        });
    }

    #[test]
    fn a_sink_gets_every_byte_and_knows_a_finished_stream() {
        use std::io::Write;
        // Enough buffers that used ones come back for reuse.
        let want: Vec<u8> = data().repeat(6);
        let (got, finished) = std::thread::scope(|s| {
            let (mut w, h) = spawn_sink(s, |c: &mut Chunks| {
                let mut got = Vec::new();
                while let Some(chunk) = c.next_chunk()? {
                    got.extend_from_slice(chunk);
                }
                Ok::<_, io::Error>(got)
            });
            for piece in want.chunks(7919) {
                w.write_all(piece).unwrap();
            }
            w.finish().unwrap();
            (h.join().unwrap(), true)
        });
        assert!(finished);
        assert!(got.unwrap() == want);
        // Dropped without finish: the sink sees an abandoned stream.
        let r = std::thread::scope(|s| {
            let (mut w, h) = spawn_sink(s, |c: &mut Chunks| {
                while c.next_chunk()?.is_some() {}
                Ok::<_, io::Error>(())
            });
            w.write_all(&[1u8; 1000]).unwrap();
            drop(w);
            h.join().unwrap()
        });
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn a_sink_that_fails_makes_the_writer_fail() {
        use std::io::Write;
        std::thread::scope(|s| {
            let (mut w, h) = spawn_sink(s, |_c: &mut Chunks| {
                Err::<(), _>(io::Error::new(io::ErrorKind::StorageFull, "full"))
            });
            let mut failed = false;
            for _ in 0..64 {
                if w.write_all(&[0u8; BUF]).is_err() {
                    failed = true;
                    break;
                }
            }
            assert!(failed, "writes into a stopped sink kept succeeding");
            assert_eq!(
                h.join().unwrap().unwrap_err().kind(),
                io::ErrorKind::StorageFull
            );
        });
    }

    #[test]
    fn a_reader_that_gives_up_stops_the_thread() {
        // The scope only ends once the thread has: this test would hang
        // if dropping the reader did not stop it.
        std::thread::scope(|s| {
            let mut r = spawn(s, io::repeat(7));
            let mut b = [0u8; 100];
            r.read_exact(&mut b).unwrap();
            assert_eq!(b, [7u8; 100]);
            drop(r);
        });
    }
}
