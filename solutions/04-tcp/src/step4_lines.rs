//! Step 4: a line protocol, read with a limit.
//!
//! The simplest framing is a delimiter: a message is everything up to the
//! next `\n`. A buffered reader keeps what came after the `\n` for the next
//! line. But a peer that never sends `\n` would have us buffer for ever, so
//! every line is read with a limit, and a line over it is an answer of its
//! own, not an allocation.

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
pub fn read_line(reader: &mut impl BufRead, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    // `take` is the limit: `read_until` alone would wait for a `\n` that a
    // hostile peer never sends, buffering all the while.
    let limit = max as u64 + 1;
    reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
    let whole = line.last() == Some(&b'\n');
    if whole {
        line.pop();
    } else if line.len() > max {
        return Ok(Line::TooLong);
    } else if line.is_empty() {
        return Ok(Line::End);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(if whole {
        Line::Text(line)
    } else {
        Line::Unfinished(line)
    })
}

/// Answers each line that arrives on `stream` with the same line in upper
/// case, until the client closes; returns the number of lines answered.
pub fn serve_lines(stream: TcpStream) -> io::Result<u64> {
    // One handle to read through a buffer, one to write: the buffer keeps
    // whatever came after a line's `\n` for the next call.
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut answered = 0;
    loop {
        let reply = match read_line(&mut reader, MAX_LINE)? {
            Line::End => return Ok(answered),
            Line::TooLong => {
                writer.write_all(b"ERR line too long\n")?;
                return Ok(answered);
            }
            // An unfinished last line is still a line to answer.
            Line::Text(bytes) | Line::Unfinished(bytes) => {
                match String::from_utf8(bytes) {
                    Ok(text) => format!("{}\n", text.to_uppercase()),
                    Err(_) => "ERR not UTF-8\n".to_string(),
                }
            }
        };
        writer.write_all(reply.as_bytes())?;
        answered += 1;
    }
}
