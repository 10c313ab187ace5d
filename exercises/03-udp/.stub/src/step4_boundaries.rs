//! Step 4: message boundaries, the largest datagram, and truncation.
//!
//! Book: "Message boundaries" (chapter UDP). Tests:
//! `tests/step4_boundaries.rs`.
//!
//! One `send_to` is one datagram, and one `recv_from` returns exactly one
//! datagram. So a message needs no framing, but it has a size limit, and a
//! receive buffer too small for it loses the rest of it (silently, on
//! Linux).

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};

/// The most bytes an IP packet's 16-bit length field can count.
pub const MAX_IP_PACKET: usize = 65_535;
/// An IPv4 header without options.
pub const IPV4_HEADER: usize = 20;
/// The UDP header: source port, destination port, length, checksum.
pub const UDP_HEADER: usize = 8;

/// The largest UDP payload over IPv4: 65 535 − 20 − 8.
pub const MAX_UDP_PAYLOAD_V4: usize = 65_507;

/// The largest payload one datagram to `destination` can carry.
///
/// The task: compute it from the constants above. IPv4's length field
/// counts its own header; IPv6's payload-length field counts only what
/// follows the IPv6 header (so only the UDP header is taken off).
pub fn max_payload(destination: IpAddr) -> usize {
    // TODO: one arm per family.
    todo!("step 4: max_payload")
}

/// Why [`send_datagram`] sent nothing.
#[derive(Debug)]
pub enum SendError {
    /// The payload cannot fit in one datagram.
    TooLarge {
        /// The payload's length.
        len: usize,
        /// The most one datagram to that destination can carry.
        max: usize,
    },
    /// The socket reported an error.
    Io(io::Error),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::TooLarge { len, max } => write!(
                f,
                "{len} bytes do not fit in one UDP datagram (at most {max})"
            ),
            SendError::Io(error) => write!(f, "sending failed: {error}"),
        }
    }
}

impl Error for SendError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            SendError::TooLarge { .. } => None,
            SendError::Io(error) => Some(error),
        }
    }
}

impl From<io::Error> for SendError {
    fn from(error: io::Error) -> Self {
        SendError::Io(error)
    }
}

/// Sends `bytes` as one datagram to `to`.
///
/// Contract: a payload longer than [`max_payload`] for `to` is refused
/// with `SendError::TooLarge { len, max }` *before* anything is sent (the
/// OS would refuse it too, with a less helpful "Message too long"); socket
/// errors are `SendError::Io`.
pub fn send_datagram(
    socket: &UdpSocket,
    to: SocketAddr,
    bytes: &[u8],
) -> Result<(), SendError> {
    // TODO: check the size, then send_to.
    todo!("step 4: send_datagram")
}

/// Sends each line of `text` as a datagram of its own, and returns how many
/// it sent.
///
/// Contract: lines are what `str::lines` yields (a final newline does not
/// make an extra empty line; an empty line in the middle is an empty
/// datagram). A datagram holds the line without its line ending: the
/// datagram's edges already mark where the message ends.
pub fn send_each_line(
    socket: &UdpSocket,
    to: SocketAddr,
    text: &str,
) -> Result<usize, SendError> {
    // TODO: one send_datagram per line.
    todo!("step 4: send_each_line")
}

/// One datagram, and whether it fitted in the buffer it was received into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// The whole datagram.
    Whole(Vec<u8>),
    /// The datagram was longer than the buffer: these are its first bytes,
    /// and the rest is gone for good.
    Truncated {
        /// What fitted.
        kept: Vec<u8>,
    },
}

/// Receives one datagram into a buffer of `buf_len` bytes and says whether
/// the datagram fitted.
///
/// `recv_from` into a small buffer keeps what fits and throws the rest
/// away, and on Linux it does not say so. Two ways to find out:
///
/// - with std only: `peek_from` into a buffer one byte longer than
///   `buf_len`. Peeking leaves the datagram queued; if the peek returns
///   more than `buf_len` bytes, it does not fit. Then `recv_from` into a
///   `buf_len` buffer takes that same datagram off the queue.
/// - with socket2 (Unix): `SockRef::from(socket).recv_from_vectored(..)`
///   returns `RecvFlags`, whose `is_truncated()` is the kernel's
///   `MSG_TRUNC` flag.
///
/// Contract: exactly one datagram is consumed. A datagram of exactly
/// `buf_len` bytes (or an empty one) is `Whole`. A socket error, including
/// the read timeout the caller set, is returned as it is.
pub fn recv_detecting_truncation(
    socket: &UdpSocket,
    buf_len: usize,
) -> io::Result<Received> {
    // TODO: find out the datagram's size, then receive it into buf_len bytes.
    todo!("step 4: recv_detecting_truncation")
}
