//! Step 5: length-prefixed frames, with a limit.
//!
//! A frame is a 4-byte big-endian length, then that many bytes. The reader
//! has the shape of mini-redis's `Connection`: bytes go into a buffer as
//! they arrive; a frame is taken out only once it is whole; a clean end of
//! the stream between frames is `Ok(None)`, an end inside one is an error.
//! The length is checked against a limit *before* anything is allocated or
//! awaited for it: the prefix is the peer's word, and a peer can lie.

use std::error::Error;
use std::fmt;
use std::io::{self, Read, Write};

/// The size of the length prefix, in bytes.
pub const HEADER_LEN: usize = 4;

/// The largest payload [`write_frame`] sends and [`FrameReader::new`]
/// accepts: 64 KiB.
pub const MAX_FRAME: usize = 64 * 1024;

/// Why a frame could not be read or written.
#[derive(Debug)]
pub enum FrameError {
    /// The length is over the limit: refused before reading the payload.
    TooLarge {
        /// The length the prefix (or the caller) asked for.
        len: u64,
        /// The limit it broke.
        max: usize,
    },
    /// The stream ended inside a frame.
    Truncated {
        /// The bytes of the unfinished frame (prefix included) that had
        /// arrived.
        buffered: usize,
    },
    /// The stream reported an error.
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { len, max } => {
                write!(f, "a frame of {len} bytes is over the limit of {max}")
            }
            FrameError::Truncated { buffered } => write!(
                f,
                "the stream ended inside a frame, after {buffered} of its bytes"
            ),
            FrameError::Io(error) => write!(f, "the stream failed: {error}"),
        }
    }
}

impl Error for FrameError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            FrameError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for FrameError {
    fn from(error: io::Error) -> Self {
        FrameError::Io(error)
    }
}

/// Writes `payload` as one frame: its length as 4 big-endian bytes, then
/// the payload. A payload over [`MAX_FRAME`] is refused, and nothing is
/// written.
pub fn write_frame(
    writer: &mut impl Write,
    payload: &[u8],
) -> Result<(), FrameError> {
    if payload.len() > MAX_FRAME {
        return Err(FrameError::TooLarge {
            len: payload.len() as u64,
            max: MAX_FRAME,
        });
    }
    let len = payload.len() as u32;
    // One buffer, one write: the header and its payload leave together.
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    writer.write_all(&frame)?;
    Ok(())
}

/// Reads frames from a stream, whatever pieces the bytes arrive in.
#[derive(Debug)]
pub struct FrameReader<R> {
    /// Where the bytes come from.
    reader: R,
    /// Bytes read but not yet taken out as a frame: a frame's beginning,
    /// or the next frames.
    buffer: Vec<u8>,
    /// The largest payload accepted.
    max_len: usize,
}

impl<R: Read> FrameReader<R> {
    /// A reader that accepts payloads up to [`MAX_FRAME`].
    pub fn new(reader: R) -> FrameReader<R> {
        FrameReader::with_limit(reader, MAX_FRAME)
    }

    /// A reader that accepts payloads up to `max_len` bytes.
    pub fn with_limit(reader: R, max_len: usize) -> FrameReader<R> {
        FrameReader {
            reader,
            buffer: Vec::new(),
            max_len,
        }
    }

    /// The next frame's payload; `Ok(None)` when the stream ends cleanly
    /// between frames.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let mut chunk = [0; 4096];
        loop {
            // First what is already buffered: one read may have brought
            // several frames.
            if let Some(frame) = self.take_frame()? {
                return Ok(Some(frame));
            }
            match self.reader.read(&mut chunk) {
                Ok(0) if self.buffer.is_empty() => return Ok(None),
                Ok(0) => {
                    return Err(FrameError::Truncated {
                        buffered: self.buffer.len(),
                    });
                }
                Ok(got) => self.buffer.extend_from_slice(&chunk[..got]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(FrameError::Io(error)),
            }
        }
    }

    /// Takes one whole frame out of the buffer, if there is one; refuses a
    /// prefix over the limit as soon as the prefix is here.
    fn take_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        let Some(header) = self.buffer.first_chunk::<HEADER_LEN>() else {
            return Ok(None);
        };
        let len = u32::from_be_bytes(*header) as usize;
        if len > self.max_len {
            return Err(FrameError::TooLarge {
                len: len as u64,
                max: self.max_len,
            });
        }
        if self.buffer.len() < HEADER_LEN + len {
            return Ok(None);
        }
        let frame = self.buffer[HEADER_LEN..HEADER_LEN + len].to_vec();
        self.buffer.drain(..HEADER_LEN + len);
        Ok(Some(frame))
    }
}
