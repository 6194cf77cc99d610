//! A reader moved onto its own thread: the thread reads ahead into a few
//! fixed buffers and hands them over a bounded channel, so reading,
//! decrypting and decompressing a payload run on separate cores. Buffers go
//! back to the thread once read: memory stays at `DEPTH + 2` buffers.

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

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.len {
            if self.done || out.is_empty() {
                return Ok(0);
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
                    return Err(io::Error::other("the payload reader stopped unexpectedly"));
                }
            }
        }
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
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

    fn data() -> Vec<u8> {
        (0..(3 * BUF + 12345))
            .map(|i| (i * 31 % 251) as u8)
            .collect()
    }

    #[test]
    fn passes_every_byte_in_order() {
        let want = data();
        let got = std::thread::scope(|s| {
            let mut r = spawn(
                s,
                Pieces {
                    data: want.clone(),
                    at: 0,
                    fail: false,
                },
            );
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
    fn passes_the_error_after_the_bytes_before_it() {
        let want = data();
        std::thread::scope(|s| {
            let mut r = spawn(
                s,
                Pieces {
                    data: want.clone(),
                    at: 0,
                    fail: true,
                },
            );
            let mut got = Vec::new();
            let e = r.read_to_end(&mut got).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
            assert!(got == want);
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
