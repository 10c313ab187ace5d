//! Step 1: the six TFTP packets and their bytes on the wire (book: "Six
//! packets").
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
//! The types are complete; [`Packet::encode`] and [`Packet::decode`] are
//! yours. Write them by hand with `u16::to_be_bytes` and
//! `u16::from_be_bytes`, as a C or Python program packs its fields: that is
//! the lesson.

use std::fmt;

/// The largest DATA payload any peer may ask for (RFC 2348).
pub const MAX_BLOCK_SIZE: usize = 65464;

/// The bytes before the payload in a DATA packet: opcode and block number.
pub const DATA_HEADER_LEN: usize = 4;

/// The largest datagram TFTP ever sends: a DATA packet of the largest block.
pub const MAX_DATAGRAM: usize = DATA_HEADER_LEN + MAX_BLOCK_SIZE;

/// How the file's bytes are represented on the wire. This workbook's
/// exercise transfers in octet mode only, but it reads both names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The bytes exactly as they are ("binary" in many clients).
    #[default]
    Octet,
    /// Text with network line endings (CR LF).
    Netascii,
}

impl Mode {
    /// Reads a mode name; names are case-insensitive on the wire. "mail",
    /// obsolete, is not a mode here.
    pub fn parse(name: &str) -> Option<Mode> {
        if name.eq_ignore_ascii_case("octet") {
            Some(Mode::Octet)
        } else if name.eq_ignore_ascii_case("netascii") {
            Some(Mode::Netascii)
        } else {
            None
        }
    }

    /// The name sent in a request: "octet" or "netascii".
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Octet => "octet",
            Mode::Netascii => "netascii",
        }
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
    /// No such user.
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
    /// The file name exactly as the client sent it.
    pub filename: String,
    /// How the file's bytes travel.
    pub mode: Mode,
    /// The RFC 2347 options, as name/value pairs in the order sent.
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
/// (hence the lifetime `'a`): no copy on the hot path.
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
    /// Acknowledges the block `block` (opcode 4).
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
        /// Which field: "filename", "mode", "error message", "option name"
        /// or "option value".
        field: &'static str,
    },
    /// A text field of a request or OACK that is not valid UTF-8.
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
    /// Reads one datagram into a packet. Never panics, whatever the bytes:
    /// anything that is not a well-formed packet is a [`DecodeError`] saying
    /// what is wrong.
    ///
    /// - Fewer than 2 bytes: `TooShort`; an opcode outside 1–6:
    ///   `UnknownOpcode`.
    /// - RRQ/WRQ: file name, then mode (parsed with [`Mode::parse`], else
    ///   `UnsupportedMode`), then zero or more option name/value pairs, each
    ///   string ending in a zero byte (`MissingNul { field }` when one does
    ///   not, `NotText { field }` when it is not UTF-8, and
    ///   `OptionWithoutValue(name)` for a name with nothing after it).
    /// - DATA: at least 4 bytes (`Truncated { packet: "DATA", .. }`); the
    ///   payload may be empty; more than [`MAX_BLOCK_SIZE`] bytes of it is
    ///   `DataTooLong`. The payload is borrowed from `datagram`.
    /// - ACK: exactly 4 bytes (`Truncated` when fewer, `AckTooLong` when
    ///   more).
    /// - ERROR: a code in 0–8 (`UnknownErrorCode` otherwise), then a message
    ///   ending in a zero byte (`MissingNul { field: "error message" }`).
    ///   A message that is not UTF-8 is still read (lossily): it is only
    ///   shown to a human.
    /// - OACK: option name/value pairs, as in a request.
    pub fn decode(datagram: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        todo!("step 1: read the opcode, then the fields of that packet")
    }

    /// Appends the packet's bytes to `out` (without clearing it first), in
    /// the layout of the table at the top of this module: the opcode and
    /// every number as two big-endian bytes, every text field followed by a
    /// zero byte, a request's mode as [`Mode::as_str`], options in their
    /// order. `Packet::decode(&bytes)` of the result gives the packet back.
    pub fn encode(&self, out: &mut Vec<u8>) {
        todo!("step 1: write the opcode, then the fields of this packet")
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
