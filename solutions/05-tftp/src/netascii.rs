//! The netascii mode: text with the network's line endings (RFC 1350,
//! after the Telnet protocol, RFC 854).
//!
//! On the wire a new line is CR LF and a lone carriage return is CR NUL.
//! This machine's text uses LF alone, so the sender translates
//!
//! ```text
//!   LF  ->  CR LF        CR  ->  CR NUL
//! ```
//!
//! and the receiver translates back. Both directions must carry state from
//! one block to the next: a CR LF pair may be split across two DATA packets,
//! and a translated pair may not fit in what is left of an output buffer.
//! [`Encoder`] and [`Decoder`] hold that state; [`NetasciiReader`] and
//! [`NetasciiWriter`] wrap them around any `Read` or `Write`, which is how
//! the transfer code uses them: it never knows which mode it is in.

use std::io::{self, Read, Write};

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const NUL: u8 = 0;

/// Translates this machine's text into netascii, a buffer at a time.
#[derive(Debug, Default, Clone)]
pub struct Encoder {
    /// The second byte of a pair whose first byte filled the last output.
    pending: Option<u8>,
}

impl Encoder {
    /// An encoder at the start of a file.
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// Translates as much of `input` as fits into `output` and returns
    /// `(bytes of input consumed, bytes of output written)`.
    ///
    /// When a two-byte translation does not fit, its second byte is kept
    /// and written first by the next call, so any output size works, even
    /// one byte at a time.
    pub fn encode(&mut self, input: &[u8], output: &mut [u8]) -> (usize, usize) {
        let mut written = 0;
        if let Some(byte) = self.pending {
            let Some(slot) = output.first_mut() else {
                return (0, 0);
            };
            *slot = byte;
            written = 1;
            self.pending = None;
        }
        let mut consumed = 0;
        while consumed < input.len() && written < output.len() {
            let (first, second) = match input[consumed] {
                LF => (CR, Some(LF)),
                CR => (CR, Some(NUL)),
                other => (other, None),
            };
            consumed += 1;
            output[written] = first;
            written += 1;
            if let Some(second) = second {
                if written < output.len() {
                    output[written] = second;
                    written += 1;
                } else {
                    self.pending = Some(second);
                }
            }
        }
        (consumed, written)
    }

    /// Whether a translated byte is still waiting to be written.
    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }
}

/// Translates netascii back into this machine's text, a block at a time.
#[derive(Debug, Default, Clone)]
pub struct Decoder {
    /// The last byte seen was a CR whose meaning depends on the next byte.
    after_cr: bool,
}

impl Decoder {
    /// A decoder at the start of a file.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Appends the translation of `input` to `output`.
    ///
    /// A CR at the end of `input` is held back until the next call (or
    /// [`Decoder::finish`]) shows what follows it. A CR followed by
    /// anything but LF or NUL is not valid netascii; it is kept as a CR
    /// rather than losing data.
    pub fn decode(&mut self, input: &[u8], output: &mut Vec<u8>) {
        for &byte in input {
            if self.after_cr {
                self.after_cr = false;
                match byte {
                    LF => output.push(LF),
                    NUL => output.push(CR),
                    CR => {
                        output.push(CR);
                        self.after_cr = true;
                    }
                    other => output.extend_from_slice(&[CR, other]),
                }
            } else if byte == CR {
                self.after_cr = true;
            } else {
                output.push(byte);
            }
        }
    }

    /// Ends the text: a CR held back at the very end is written as it is.
    pub fn finish(&mut self, output: &mut Vec<u8>) {
        if std::mem::take(&mut self.after_cr) {
            output.push(CR);
        }
    }
}

/// Translates a whole text into netascii in one go.
pub fn encode(text: &[u8]) -> Vec<u8> {
    let mut output = vec![0; text.len() * 2];
    let (_, written) = Encoder::new().encode(text, &mut output);
    output.truncate(written);
    output
}

/// Translates a whole netascii text back in one go.
pub fn decode(wire: &[u8]) -> Vec<u8> {
    let mut decoder = Decoder::new();
    let mut output = Vec::with_capacity(wire.len());
    decoder.decode(wire, &mut output);
    decoder.finish(&mut output);
    output
}

/// Reads this machine's text from `inner` and yields it as netascii: the
/// sending side of a netascii transfer reads the file through one.
#[derive(Debug)]
pub struct NetasciiReader<R> {
    inner: R,
    encoder: Encoder,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
}

impl<R: Read> NetasciiReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> NetasciiReader<R> {
        NetasciiReader {
            inner,
            encoder: Encoder::new(),
            buffer: vec![0; 8192].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// Gives back the wrapped reader.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for NetasciiReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let input = &self.buffer[self.start..self.end];
            if !input.is_empty() || self.encoder.has_pending() {
                let (consumed, written) = self.encoder.encode(input, out);
                self.start += consumed;
                return Ok(written);
            }
            self.start = 0;
            self.end = self.inner.read(&mut self.buffer)?;
            if self.end == 0 {
                return Ok(0);
            }
        }
    }
}

/// Takes netascii and writes this machine's text to `inner`: the receiving
/// side of a netascii transfer writes the file through one.
///
/// Call [`NetasciiWriter::finish`] at the end: a CR in the very last byte
/// is only written then.
#[derive(Debug)]
pub struct NetasciiWriter<W: Write> {
    inner: W,
    decoder: Decoder,
    scratch: Vec<u8>,
}

impl<W: Write> NetasciiWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> NetasciiWriter<W> {
        NetasciiWriter {
            inner,
            decoder: Decoder::new(),
            scratch: Vec::new(),
        }
    }

    /// Writes what is still held back, flushes, and gives back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.scratch.clear();
        self.decoder.finish(&mut self.scratch);
        self.inner.write_all(&self.scratch)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for NetasciiWriter<W> {
    fn write(&mut self, netascii: &[u8]) -> io::Result<usize> {
        self.scratch.clear();
        self.decoder.decode(netascii, &mut self.scratch);
        self.inner.write_all(&self.scratch)?;
        Ok(netascii.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_feeds_and_carriage_returns_are_translated() {
        assert_eq!(encode(b"a\nb\rc"), b"a\r\nb\r\0c");
        assert_eq!(decode(b"a\r\nb\r\0c"), b"a\nb\rc");
    }

    #[test]
    fn text_survives_a_round_trip() {
        let text = b"\n\r\r\n\n\rplain\0text\r";
        assert_eq!(decode(&encode(text)), text);
    }

    #[test]
    fn a_pair_split_across_outputs_is_completed_next_time() {
        let mut encoder = Encoder::new();
        let mut out = [0u8; 2];
        assert_eq!(encoder.encode(b"x\ny", &mut out), (2, 2));
        assert_eq!(out, *b"x\r");
        assert!(encoder.has_pending());
        assert_eq!(encoder.encode(b"y", &mut out), (1, 2));
        assert_eq!(out, *b"\ny");
    }

    #[test]
    fn a_cr_at_the_end_of_a_block_waits_for_the_next_block() {
        let mut decoder = Decoder::new();
        let mut out = Vec::new();
        decoder.decode(b"one\r", &mut out);
        assert_eq!(out, b"one");
        decoder.decode(b"\ntwo\r", &mut out);
        assert_eq!(out, b"one\ntwo");
        decoder.decode(b"\0", &mut out);
        assert_eq!(out, b"one\ntwo\r");
    }

    #[test]
    fn a_cr_at_the_very_end_is_kept() {
        assert_eq!(decode(b"end\r"), b"end\r");
    }

    #[test]
    fn a_bare_cr_on_the_wire_is_kept_with_what_follows() {
        assert_eq!(decode(b"a\rb\r\rc"), b"a\rb\r\rc");
    }

    #[test]
    fn the_reader_translates_whatever_the_read_size() {
        let text = b"line one\nline two\r\nend\n".repeat(50);
        for size in [1, 2, 3, 512, 4096] {
            let mut reader = NetasciiReader::new(&text[..]);
            let mut wire = Vec::new();
            let mut chunk = vec![0; size];
            loop {
                let n = reader.read(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                wire.extend_from_slice(&chunk[..n]);
            }
            assert_eq!(wire, encode(&text), "read size {size}");
        }
    }

    #[test]
    fn the_writer_translates_whatever_the_block_boundaries() {
        let text = b"a\r\nb\rc\n\r".repeat(30);
        let wire = encode(&text);
        for size in [1, 2, 5, 512] {
            let mut writer = NetasciiWriter::new(Vec::new());
            for block in wire.chunks(size) {
                writer.write_all(block).unwrap();
            }
            assert_eq!(writer.finish().unwrap(), text, "block size {size}");
        }
    }
}
