//! Step 5: length-prefixed frames, with a limit.
//!
//! Book: "Framing" (chapter TCP). Tests: `tests/step5_frames.rs`.
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

/// Writes `payload` as one frame: its length as 4 big-endian bytes
/// (`u32::to_be_bytes`), then the payload.
///
/// Contract: a payload over [`MAX_FRAME`] bytes is refused with
/// `FrameError::TooLarge { len, max: MAX_FRAME }` and *nothing* is
/// written; write errors are `FrameError::Io`.
pub fn write_frame(
    writer: &mut impl Write,
    payload: &[u8],
) -> Result<(), FrameError> {
    // TODO: check the length, then write_all the prefix and the payload.
    todo!("step 5: write_frame")
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

    /// A reader that accepts payloads up to `max_len` bytes, with an empty
    /// buffer.
    pub fn with_limit(reader: R, max_len: usize) -> FrameReader<R> {
        todo!("step 5: FrameReader::with_limit")
    }

    /// The next frame's payload.
    ///
    /// The task: a loop. First look in the buffer: are there 4 bytes of
    /// prefix (`first_chunk::<4>()`)? Is the length within `max_len`? Is
    /// the whole payload there? Then take the frame out of the buffer
    /// (`drain`) and return it. Otherwise `read` more (into a small fixed
    /// array, say 4 KiB), append what came, and look again.
    ///
    /// Contract:
    /// - frames come out whole and in order, whether they arrived one byte
    ///   per `read` or several in one;
    /// - `Ok(None)` when the stream ends with the buffer empty: a clean
    ///   end between frames;
    /// - `FrameError::Truncated { buffered }` when it ends inside a frame
    ///   (prefix or payload), `buffered` being the bytes of it that came;
    /// - `FrameError::TooLarge { len, max }` as soon as a prefix over
    ///   `max_len` is in the buffer: before waiting for (or allocating) a
    ///   single byte of its payload. A prefix of 4 GB costs nothing;
    /// - read errors are `FrameError::Io`; `Interrupted` is retried.
    pub fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        // TODO: loop { a whole frame buffered? return it; else read more }.
        todo!("step 5: FrameReader::read_frame")
    }
}
