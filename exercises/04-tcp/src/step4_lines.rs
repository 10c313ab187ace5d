//! Step 4: a line protocol, read with a limit.
//!
//! Book: "Framing" (chapter TCP). Tests: `tests/step4_lines.rs`.
//!
//! The simplest framing is a delimiter: a message is everything up to the
//! next `\n`. A buffered reader keeps what came after the `\n` for the next
//! line. But a peer that never sends `\n` would have you buffer for ever,
//! so every line is read with a limit, and a line over it is an answer of
//! its own, not an allocation.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// The longest line [`serve_lines`] accepts, in bytes, not counting its
/// `\n` (a `\r` before the `\n` counts).
pub const MAX_LINE: usize = 1024;

/// What [`read_line`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line's bytes, without its `\n` and without a `\r` before it.
    Text(Vec<u8>),
    /// The stream ended inside a line: the bytes after the last `\n`
    /// (a trailing `\r` removed).
    Unfinished(Vec<u8>),
    /// More than the limit arrived without a `\n`.
    TooLong,
    /// The stream ended cleanly: no byte of a new line.
    End,
}

/// Reads one line of at most `max` bytes (not counting the `\n`) from
/// `reader`, reading no more than `max + 1` bytes of it.
///
/// The task: `reader.by_ref().take(max as u64 + 1)` is a reader that stops
/// after `max + 1` bytes; its `read_until(b'\n', …)` then either finds the
/// `\n` or stops at the limit or at the end of the stream. Look at what
/// you got to tell the four [`Line`]s apart.
///
/// Contract: never waits for more than `max + 1` bytes of a line (a client
/// sending 1 GB without `\n` costs `max + 1` bytes, and an answer); the
/// bytes after the `\n` stay in the reader for the next call.
pub fn read_line(reader: &mut impl BufRead, max: usize) -> io::Result<Line> {
    // TODO: take, read_until, then: ends in \n? too long? empty? \r?
    todo!("step 4: read_line")
}

/// Answers each line that arrives on `stream` with the same line in upper
/// case, until the client closes; returns the number of lines answered.
///
/// The task: wrap a clone of the stream (`try_clone`) in a `BufReader`
/// and read lines from it with [`read_line`] and [`MAX_LINE`]; write the
/// answers to the stream itself.
///
/// Contract:
/// - each line `L` (ending in `\n` or `\r\n`) is answered with
///   `L.to_uppercase()` and `\n`, in order, as soon as it is whole —
///   whatever pieces it came in, however many lines came in one piece;
/// - a line that is not UTF-8 is answered `ERR not UTF-8\n`, and the
///   connection goes on;
/// - a line over [`MAX_LINE`] bytes is answered `ERR line too long\n` as
///   soon as `MAX_LINE + 1` bytes have come without a `\n`, and the
///   server closes the connection;
/// - at the end of the stream, an unfinished last line (no `\n`) is
///   answered too, then `Ok(lines answered)`; the `ERR not UTF-8` lines
///   count as answered, the `ERR line too long` does not.
pub fn serve_lines(stream: TcpStream) -> io::Result<u64> {
    // TODO: a BufReader on a clone, a loop of read_line, an answer each.
    todo!("step 4: serve_lines")
}
