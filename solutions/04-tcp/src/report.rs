//! What the reference servers log: one line per connection, when it ends.
//!
//! Not a step of the exercise. The lab binaries (`tcp-echo-server`,
//! `chat-server`, `http-server`) print a [`ConnectionReport`] for every
//! connection, so a teacher watching a student's client sees what reached
//! the server and how the connection ended:
//!
//! ```text
//! 127.0.0.1:50312: 12 bytes in, 12 bytes out, closed by the client
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::step2_echo::Counts;

/// How one connection went, logged when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    /// The client's address, as the server sees it.
    pub peer: SocketAddr,
    /// Bytes in each direction.
    pub counts: Counts,
    /// How it ended, in a few words: `closed by the client`, `error: …`,
    /// `GET /index.html 200`.
    pub ended: String,
}

impl fmt::Display for ConnectionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} bytes in, {} bytes out, {}",
            self.peer, self.counts.bytes_in, self.counts.bytes_out, self.ended
        )
    }
}

/// Where a server sends its reports: the binaries print them, the
/// exercise's functions drop them.
pub type Log = Arc<dyn Fn(&ConnectionReport) + Send + Sync>;

/// A log that keeps nothing.
pub fn no_log() -> Log {
    Arc::new(|_| {})
}

/// A reader or writer that counts the bytes that pass through it.
#[derive(Debug)]
pub struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R> Counting<R> {
    /// Wraps `inner`, starting at 0.
    pub fn new(inner: R) -> Counting<R> {
        Counting { inner, count: 0 }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let got = self.inner.read(buf)?;
        self.count += got as u64;
        Ok(got)
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let put = self.inner.write(buf)?;
        self.count += put as u64;
        Ok(put)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
