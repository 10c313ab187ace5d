//! The six TFTP packets and their bytes on the wire.
//!
//! Every packet starts with a two-byte opcode in network byte order (big
//! endian). Text fields (file name, mode, error message, option names and
//! values) are ASCII strings each followed by a zero byte:
//!
//! ```text
//!  RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
//!  DATA     | 03    | block #  | data (0..=blksize bytes)
//!  ACK      | 04    | block #  |
//!  ERROR    | 05    | code     | message | 0 |
//!  OACK     | 06    | opt1 | 0 | value1 | 0 | ...            (RFC 2347)
//! ```
//!
//! [`Packet::decode`] reads any datagram without panicking: a datagram that
//! is not a well-formed packet gives a [`DecodeError`] that says exactly what
//! is wrong, which a server sends back in an ERROR 4. [`Packet::encode`]
//! writes a packet into a caller's `Vec`, so a transfer can reuse one buffer.
//!
//! DATA and ACK are the packets of the hot path: [`Packet::decode`] borrows a
//! DATA packet's payload from the datagram instead of copying it, and
//! [`data_header`] and [`ack_bytes`] let the sender build them in place.

use std::fmt;

/// The largest DATA payload any peer may ask for (RFC 2348).
pub const MAX_BLOCK_SIZE: usize = 65464;

/// The bytes before the payload in a DATA packet: opcode and block number.
pub const DATA_HEADER_LEN: usize = 4;

/// The largest datagram TFTP ever sends: a DATA packet of the largest block.
pub const MAX_DATAGRAM: usize = DATA_HEADER_LEN + MAX_BLOCK_SIZE;

/// The two-byte code that opens every packet and says which kind it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum Opcode {
    /// Read request: the client wants a file.
    Rrq = 1,
    /// Write request: the client offers a file.
    Wrq = 2,
    /// One block of the file.
    Data = 3,
    /// "I have every block up to this one."
    Ack = 4,
    /// The transfer is over, and this is why.
    Error = 5,
    /// The server's answer to the options of a request (RFC 2347).
    Oack = 6,
}

impl Opcode {
    /// The opcode with this number, if TFTP defines one.
    pub fn from_u16(value: u16) -> Option<Opcode> {
        Some(match value {
            1 => Opcode::Rrq,
            2 => Opcode::Wrq,
            3 => Opcode::Data,
            4 => Opcode::Ack,
            5 => Opcode::Error,
            6 => Opcode::Oack,
            _ => return None,
        })
    }
}

/// How the file's bytes are represented on the wire.
///
/// RFC 1350 also names a third mode, "mail", long obsolete (RFC 1123 says
/// it should not be supported): it decodes as
/// [`DecodeError::UnsupportedMode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The bytes exactly as they are ("binary" in many clients).
    #[default]
    Octet,
    /// Text with network line endings: CR LF for a new line, CR NUL for a
    /// bare carriage return (see [`crate::netascii`]).
    Netascii,
}

impl Mode {
    /// Reads a mode name; names are case-insensitive on the wire.
    pub fn parse(name: &str) -> Option<Mode> {
        if name.eq_ignore_ascii_case("octet") {
            Some(Mode::Octet)
        } else if name.eq_ignore_ascii_case("netascii") {
            Some(Mode::Netascii)
        } else {
            None
        }
    }

    /// The name sent in a request.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Octet => "octet",
            Mode::Netascii => "netascii",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error codes of RFC 1350 (0–7) and RFC 2347 (8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum ErrorCode {
    /// Not defined: the message says what went wrong.
    NotDefined = 0,
    /// File not found.
    FileNotFound = 1,
    /// Access violation: the server will not read or write that name.
    AccessViolation = 2,
    /// Disk full or allocation exceeded.
    DiskFull = 3,
    /// Illegal TFTP operation: a malformed or unexpected packet.
    IllegalOperation = 4,
    /// Unknown transfer ID: a packet from a port that is not our peer's.
    UnknownTransferId = 5,
    /// File already exists.
    FileExists = 6,
    /// No such user (from the days of the "mail" mode).
    NoSuchUser = 7,
    /// The request's options were refused (RFC 2347).
    OptionRefused = 8,
}

impl ErrorCode {
    /// The code with this number, if TFTP defines one.
    pub fn from_u16(value: u16) -> Option<ErrorCode> {
        Some(match value {
            0 => ErrorCode::NotDefined,
            1 => ErrorCode::FileNotFound,
            2 => ErrorCode::AccessViolation,
            3 => ErrorCode::DiskFull,
            4 => ErrorCode::IllegalOperation,
            5 => ErrorCode::UnknownTransferId,
            6 => ErrorCode::FileExists,
            7 => ErrorCode::NoSuchUser,
            8 => ErrorCode::OptionRefused,
            _ => return None,
        })
    }

    /// The number on the wire.
    pub fn as_u16(self) -> u16 {
        self as u16
    }

    /// The wording of the RFCs, for an ERROR without a message of its own.
    pub fn default_message(self) -> &'static str {
        match self {
            ErrorCode::NotDefined => "Not defined",
            ErrorCode::FileNotFound => "File not found",
            ErrorCode::AccessViolation => "Access violation",
            ErrorCode::DiskFull => "Disk full or allocation exceeded",
            ErrorCode::IllegalOperation => "Illegal TFTP operation",
            ErrorCode::UnknownTransferId => "Unknown transfer ID",
            ErrorCode::FileExists => "File already exists",
            ErrorCode::NoSuchUser => "No such user",
            ErrorCode::OptionRefused => "Option negotiation refused",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (error {})", self.default_message(), self.as_u16())
    }
}

/// A read or write request: which file, in which mode, with which options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The file name exactly as the client sent it (the server decides what
    /// it means: see [`crate::path`]).
    pub filename: String,
    /// How the file's bytes travel.
    pub mode: Mode,
    /// The RFC 2347 options, as name/value pairs in the order sent. Names
    /// compare case-insensitively; [`crate::options::Options`] reads them.
    pub options: Vec<(String, String)>,
}

impl Request {
    /// A request without options, as RFC 1350 knows it.
    pub fn new(filename: impl Into<String>, mode: Mode) -> Request {
        Request {
            filename: filename.into(),
            mode,
            options: Vec::new(),
        }
    }
}

/// One TFTP packet.
///
/// A DATA packet borrows its payload from the datagram it was decoded from
/// (hence the lifetime): the receiving side writes the payload to the file
/// straight out of the receive buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet<'a> {
    /// Read request (opcode 1).
    Rrq(Request),
    /// Write request (opcode 2).
    Wrq(Request),
    /// A block of the file (opcode 3). Blocks count from 1; after 65535 the
    /// number wraps to 0.
    Data {
        /// The block number.
        block: u16,
        /// The payload: `blksize` bytes, or fewer in the last block.
        data: &'a [u8],
    },
    /// Acknowledges every block up to and including `block` (opcode 4).
    Ack {
        /// The block number; 0 acknowledges a WRQ or an OACK.
        block: u16,
    },
    /// Ends the transfer (opcode 5). Never acknowledged, never resent.
    Error {
        /// What kind of failure.
        code: ErrorCode,
        /// A sentence for a human.
        message: String,
    },
    /// The options the server accepted (opcode 6, RFC 2347).
    Oack {
        /// Name/value pairs, as in [`Request::options`].
        options: Vec<(String, String)>,
    },
}

/// Why a datagram is not a TFTP packet. The `Display` text is meant for the
/// message of the ERROR 4 that answers it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer than the two bytes of an opcode.
    #[error("a {len}-byte datagram is too short to hold an opcode")]
    TooShort {
        /// The datagram's length.
        len: usize,
    },
    /// An opcode TFTP does not define.
    #[error("unknown opcode {0}")]
    UnknownOpcode(u16),
    /// A DATA, ACK or ERROR packet that ends before its block number or
    /// error code is complete.
    #[error("truncated {packet}: {len} bytes, at least 4 expected")]
    Truncated {
        /// Which packet ("DATA", "ACK", "ERROR").
        packet: &'static str,
        /// The datagram's length.
        len: usize,
    },
    /// An ACK with bytes after its block number.
    #[error("an ACK is exactly 4 bytes, this one has {len}")]
    AckTooLong {
        /// The datagram's length.
        len: usize,
    },
    /// A DATA packet with more than the largest block any peer may use.
    #[error("DATA with {len} bytes of payload, more than the largest block (65464)")]
    DataTooLong {
        /// The payload's length.
        len: usize,
    },
    /// A text field that runs to the end of the datagram without its zero
    /// byte.
    #[error("the {field} is not terminated by a zero byte")]
    MissingNul {
        /// Which field ("filename", "mode", "option name", ...).
        field: &'static str,
    },
    /// A text field that is not valid UTF-8 (TFTP text is ASCII).
    #[error("the {field} is not valid text")]
    NotText {
        /// Which field.
        field: &'static str,
    },
    /// A mode other than "octet" and "netascii" (this includes "mail").
    #[error("unsupported transfer mode {0:?} (use octet or netascii)")]
    UnsupportedMode(String),
    /// An ERROR packet with a code outside 0–8.
    #[error("unknown error code {0}")]
    UnknownErrorCode(u16),
    /// An option name at the end of a request or OACK without its value.
    #[error("option {0:?} has no value")]
    OptionWithoutValue(String),
}

impl<'a> Packet<'a> {
    /// Reads one datagram. Never panics, whatever the bytes.
    ///
    /// DATA borrows its payload from `datagram`; every other packet copies
    /// its (short) text fields into owned strings.
    pub fn decode(datagram: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some((opcode, body)) = split_u16(datagram) else {
            return Err(DecodeError::TooShort {
                len: datagram.len(),
            });
        };
        match Opcode::from_u16(opcode) {
            Some(Opcode::Rrq) => Ok(Packet::Rrq(decode_request(body)?)),
            Some(Opcode::Wrq) => Ok(Packet::Wrq(decode_request(body)?)),
            Some(Opcode::Data) => decode_data(datagram),
            Some(Opcode::Ack) => decode_ack(datagram),
            Some(Opcode::Error) => decode_error(datagram),
            Some(Opcode::Oack) => Ok(Packet::Oack {
                options: decode_options(&mut Fields::new(body))?,
            }),
            None => Err(DecodeError::UnknownOpcode(opcode)),
        }
    }

    /// Appends the packet's bytes to `out` (which is not cleared first, so a
    /// caller can reuse one buffer: `out.clear(); packet.encode(&mut out)`).
    ///
    /// Text fields are written as given; a caller must not put a zero byte
    /// inside one (the client checks file names before building a request).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Packet::Rrq(request) => encode_request(Opcode::Rrq, request, out),
            Packet::Wrq(request) => encode_request(Opcode::Wrq, request, out),
            Packet::Data { block, data } => {
                out.extend_from_slice(&data_header(*block));
                out.extend_from_slice(data);
            }
            Packet::Ack { block } => out.extend_from_slice(&ack_bytes(*block)),
            Packet::Error { code, message } => {
                out.extend_from_slice(&(Opcode::Error as u16).to_be_bytes());
                out.extend_from_slice(&code.as_u16().to_be_bytes());
                push_text(out, message);
            }
            Packet::Oack { options } => {
                out.extend_from_slice(&(Opcode::Oack as u16).to_be_bytes());
                for (name, value) in options {
                    push_text(out, name);
                    push_text(out, value);
                }
            }
        }
    }

    /// The packet's bytes in a new `Vec`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The packet's name as the RFCs write it, for log lines and errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Packet::Rrq(_) => "RRQ",
            Packet::Wrq(_) => "WRQ",
            Packet::Data { .. } => "DATA",
            Packet::Ack { .. } => "ACK",
            Packet::Error { .. } => "ERROR",
            Packet::Oack { .. } => "OACK",
        }
    }
}

/// The first four bytes of a DATA packet for `block`: the sender writes them
/// in front of the payload it read straight into the same buffer.
pub fn data_header(block: u16) -> [u8; DATA_HEADER_LEN] {
    let [op_hi, op_lo] = (Opcode::Data as u16).to_be_bytes();
    let [hi, lo] = block.to_be_bytes();
    [op_hi, op_lo, hi, lo]
}

/// The four bytes of an ACK for `block`.
pub fn ack_bytes(block: u16) -> [u8; 4] {
    let [op_hi, op_lo] = (Opcode::Ack as u16).to_be_bytes();
    let [hi, lo] = block.to_be_bytes();
    [op_hi, op_lo, hi, lo]
}

/// An ERROR packet's bytes, for the many places that send one and stop.
pub fn error_bytes(code: ErrorCode, message: &str) -> Vec<u8> {
    Packet::Error {
        code,
        message: message.to_string(),
    }
    .to_bytes()
}

/// Splits a big-endian `u16` off the front of `bytes`.
fn split_u16(bytes: &[u8]) -> Option<(u16, &[u8])> {
    match bytes {
        [hi, lo, rest @ ..] => Some((u16::from_be_bytes([*hi, *lo]), rest)),
        _ => None,
    }
}

fn decode_request(body: &[u8]) -> Result<Request, DecodeError> {
    let mut fields = Fields::new(body);
    let filename = fields.next_text("filename")?.to_string();
    let mode_name = fields.next_text("mode")?;
    let mode = Mode::parse(mode_name)
        .ok_or_else(|| DecodeError::UnsupportedMode(mode_name.to_string()))?;
    let options = decode_options(&mut fields)?;
    Ok(Request {
        filename,
        mode,
        options,
    })
}

fn decode_options(
    fields: &mut Fields<'_>,
) -> Result<Vec<(String, String)>, DecodeError> {
    let mut options = Vec::new();
    while !fields.is_empty() {
        let name = fields.next_text("option name")?;
        if fields.is_empty() {
            return Err(DecodeError::OptionWithoutValue(name.to_string()));
        }
        let value = fields.next_text("option value")?;
        options.push((name.to_string(), value.to_string()));
    }
    Ok(options)
}

fn decode_data(datagram: &[u8]) -> Result<Packet<'_>, DecodeError> {
    match datagram {
        [_, _, hi, lo, data @ ..] => {
            if data.len() > MAX_BLOCK_SIZE {
                return Err(DecodeError::DataTooLong { len: data.len() });
            }
            Ok(Packet::Data {
                block: u16::from_be_bytes([*hi, *lo]),
                data,
            })
        }
        _ => Err(DecodeError::Truncated {
            packet: "DATA",
            len: datagram.len(),
        }),
    }
}

fn decode_ack(datagram: &[u8]) -> Result<Packet<'static>, DecodeError> {
    match datagram {
        [_, _, hi, lo] => Ok(Packet::Ack {
            block: u16::from_be_bytes([*hi, *lo]),
        }),
        [_, _, _, _, ..] => Err(DecodeError::AckTooLong {
            len: datagram.len(),
        }),
        _ => Err(DecodeError::Truncated {
            packet: "ACK",
            len: datagram.len(),
        }),
    }
}

fn decode_error(datagram: &[u8]) -> Result<Packet<'static>, DecodeError> {
    let [_, _, hi, lo, rest @ ..] = datagram else {
        return Err(DecodeError::Truncated {
            packet: "ERROR",
            len: datagram.len(),
        });
    };
    let number = u16::from_be_bytes([*hi, *lo]);
    let code =
        ErrorCode::from_u16(number).ok_or(DecodeError::UnknownErrorCode(number))?;
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or(DecodeError::MissingNul {
            field: "error message",
        })?;
    // A message is only shown to a human: a stray Latin-1 byte is not worth
    // losing the rest of it, so it is decoded leniently.
    let message = String::from_utf8_lossy(&rest[..end]).into_owned();
    Ok(Packet::Error { code, message })
}

fn encode_request(opcode: Opcode, request: &Request, out: &mut Vec<u8>) {
    out.extend_from_slice(&(opcode as u16).to_be_bytes());
    push_text(out, &request.filename);
    push_text(out, request.mode.as_str());
    for (name, value) in &request.options {
        push_text(out, name);
        push_text(out, value);
    }
}

fn push_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
    out.push(0);
}

/// Walks the zero-terminated strings of a request or OACK body.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(body: &'a [u8]) -> Fields<'a> {
        Fields { rest: body }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next string, without its zero byte.
    fn next_text(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        let end = self
            .rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(DecodeError::MissingNul { field })?;
        let (text, rest) = self.rest.split_at(end);
        self.rest = &rest[1..];
        std::str::from_utf8(text).map_err(|_| DecodeError::NotText { field })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(packet: Packet<'_>) {
        let bytes = packet.to_bytes();
        assert_eq!(Packet::decode(&bytes), Ok(packet));
    }

    #[test]
    fn every_packet_survives_a_round_trip() {
        round_trip(Packet::Rrq(Request::new("boot/pxelinux.0", Mode::Octet)));
        round_trip(Packet::Wrq(Request {
            filename: "notes.txt".into(),
            mode: Mode::Netascii,
            options: vec![
                ("blksize".into(), "1428".into()),
                ("tsize".into(), "0".into()),
            ],
        }));
        round_trip(Packet::Data {
            block: 7,
            data: b"hello",
        });
        round_trip(Packet::Data {
            block: 65535,
            data: b"",
        });
        round_trip(Packet::Ack { block: 0 });
        round_trip(Packet::Error {
            code: ErrorCode::FileNotFound,
            message: "nope".into(),
        });
        round_trip(Packet::Oack {
            options: vec![("windowsize".into(), "16".into())],
        });
        round_trip(Packet::Oack { options: vec![] });
    }

    #[test]
    fn rrq_bytes_are_as_the_rfc_draws_them() {
        let bytes = Packet::Rrq(Request::new("a", Mode::Octet)).to_bytes();
        assert_eq!(bytes, b"\x00\x01a\x00octet\x00");
    }

    #[test]
    fn data_and_ack_headers_are_big_endian() {
        assert_eq!(data_header(0x0102), [0, 3, 1, 2]);
        assert_eq!(ack_bytes(0xfffe), [0, 4, 0xff, 0xfe]);
    }

    #[test]
    fn mode_names_are_case_insensitive() {
        let packet = Packet::decode(b"\x00\x01f\x00NetASCII\x00").unwrap();
        assert_eq!(packet, Packet::Rrq(Request::new("f", Mode::Netascii)));
    }

    #[test]
    fn short_datagrams_are_rejected() {
        assert_eq!(Packet::decode(b""), Err(DecodeError::TooShort { len: 0 }));
        assert_eq!(
            Packet::decode(b"\x00"),
            Err(DecodeError::TooShort { len: 1 })
        );
        assert_eq!(
            Packet::decode(b"\x00\x03\x00"),
            Err(DecodeError::Truncated {
                packet: "DATA",
                len: 3
            })
        );
        assert_eq!(
            Packet::decode(b"\x00\x04\x00"),
            Err(DecodeError::Truncated {
                packet: "ACK",
                len: 3
            })
        );
        assert_eq!(
            Packet::decode(b"\x00\x05\x00\x01"),
            Err(DecodeError::MissingNul {
                field: "error message"
            })
        );
    }

    #[test]
    fn an_ack_with_trailing_bytes_is_rejected() {
        assert_eq!(
            Packet::decode(b"\x00\x04\x00\x01\x00"),
            Err(DecodeError::AckTooLong { len: 5 })
        );
    }

    #[test]
    fn unknown_opcodes_are_rejected() {
        assert_eq!(
            Packet::decode(b"\x00\x07abc"),
            Err(DecodeError::UnknownOpcode(7))
        );
        assert_eq!(
            Packet::decode(b"\xff\xff"),
            Err(DecodeError::UnknownOpcode(65535))
        );
    }

    #[test]
    fn requests_need_their_zero_bytes() {
        assert_eq!(
            Packet::decode(b"\x00\x01file"),
            Err(DecodeError::MissingNul { field: "filename" })
        );
        assert_eq!(
            Packet::decode(b"\x00\x02file\x00octet"),
            Err(DecodeError::MissingNul { field: "mode" })
        );
        assert_eq!(
            Packet::decode(b"\x00\x01f\x00octet\x00blksize\x00"),
            Err(DecodeError::OptionWithoutValue("blksize".into()))
        );
        assert_eq!(
            Packet::decode(b"\x00\x01f\x00octet\x00blksize\x00512"),
            Err(DecodeError::MissingNul {
                field: "option value"
            })
        );
    }

    #[test]
    fn mail_and_unknown_modes_are_refused() {
        assert_eq!(
            Packet::decode(b"\x00\x01f\x00mail\x00"),
            Err(DecodeError::UnsupportedMode("mail".into()))
        );
        assert_eq!(
            Packet::decode(b"\x00\x01f\x00binary\x00"),
            Err(DecodeError::UnsupportedMode("binary".into()))
        );
    }

    #[test]
    fn unknown_error_codes_are_rejected() {
        assert_eq!(
            Packet::decode(b"\x00\x05\x00\x09oops\x00"),
            Err(DecodeError::UnknownErrorCode(9))
        );
    }

    #[test]
    fn a_filename_that_is_not_text_is_rejected() {
        assert_eq!(
            Packet::decode(b"\x00\x01\xff\xfe\x00octet\x00"),
            Err(DecodeError::NotText { field: "filename" })
        );
    }

    #[test]
    fn data_borrows_its_payload_and_allows_an_empty_block() {
        let datagram = b"\x00\x03\x00\x02";
        assert_eq!(
            Packet::decode(datagram),
            Ok(Packet::Data {
                block: 2,
                data: b""
            })
        );
    }

    #[test]
    fn oversized_data_is_rejected() {
        let mut datagram = vec![0u8; 4 + MAX_BLOCK_SIZE + 1];
        datagram[1] = 3;
        assert_eq!(
            Packet::decode(&datagram),
            Err(DecodeError::DataTooLong {
                len: MAX_BLOCK_SIZE + 1
            })
        );
    }

    #[test]
    fn decoding_never_panics_on_any_short_input() {
        // Every datagram of up to three bytes, and a sample of longer ones.
        for len in 0..=3usize {
            let count = 1usize << (8 * len.min(2));
            for n in 0..count {
                let bytes: Vec<u8> =
                    (0..len).map(|i| (n >> (8 * (i % 2))) as u8).collect();
                let _ = Packet::decode(&bytes);
            }
        }
        for opcode in 0..=8u8 {
            for tail in [
                &b""[..],
                b"\x00",
                b"\x00\x00",
                b"x\x00y",
                b"\x00\x00\x00\x00",
            ] {
                let mut bytes = vec![0, opcode];
                bytes.extend_from_slice(tail);
                let _ = Packet::decode(&bytes);
            }
        }
    }

    #[test]
    fn error_messages_are_decoded_leniently() {
        let packet = Packet::decode(b"\x00\x05\x00\x00caf\xe9\x00").unwrap();
        let Packet::Error { code, message } = packet else {
            panic!("not an ERROR")
        };
        assert_eq!(code, ErrorCode::NotDefined);
        assert_eq!(message, "caf\u{fffd}");
    }
}
