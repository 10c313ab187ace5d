//! Step 4: message boundaries, the largest datagram, and truncation.
//!
//! UDP keeps the edges of what you send: one `send_to` is one datagram, and
//! one `recv_from` returns exactly one datagram, never half of one and never
//! two glued together. So a datagram needs no framing, but it has a size
//! limit, and a receive buffer too small for it loses the rest of it,
//! silently on Linux.

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
/// IPv4's length field counts its own header, so the payload gets
/// `65 535 − 20 − 8` bytes. IPv6's payload-length field counts only what
/// follows the IPv6 header, so the payload gets `65 535 − 8`.
pub fn max_payload(destination: IpAddr) -> usize {
    match destination {
        IpAddr::V4(_) => MAX_IP_PACKET - IPV4_HEADER - UDP_HEADER,
        IpAddr::V6(_) => MAX_IP_PACKET - UDP_HEADER,
    }
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

/// Sends `bytes` as one datagram, or refuses with [`SendError::TooLarge`]
/// before the OS sees it when it cannot fit.
pub fn send_datagram(
    socket: &UdpSocket,
    to: SocketAddr,
    bytes: &[u8],
) -> Result<(), SendError> {
    let max = max_payload(to.ip());
    if bytes.len() > max {
        return Err(SendError::TooLarge {
            len: bytes.len(),
            max,
        });
    }
    socket.send_to(bytes, to)?;
    Ok(())
}

/// Sends each line of `text` (as `str::lines` splits it, without its line
/// ending) as a datagram of its own, and returns how many it sent.
pub fn send_each_line(
    socket: &UdpSocket,
    to: SocketAddr,
    text: &str,
) -> Result<usize, SendError> {
    let mut sent = 0;
    for line in text.lines() {
        // The datagram is the message: no newline is needed to mark its end.
        send_datagram(socket, to, line.as_bytes())?;
        sent += 1;
    }
    Ok(sent)
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
pub fn recv_detecting_truncation(
    socket: &UdpSocket,
    buf_len: usize,
) -> io::Result<Received> {
    // Peek with one byte more than we will keep: if the peek fills more than
    // `buf_len` bytes, the datagram does not fit. Peeking leaves the
    // datagram queued, so the receive below takes the same one.
    let mut peeked = vec![0; buf_len.saturating_add(1).min(MAX_IP_PACKET + 1)];
    let (peeked_len, _) = socket.peek_from(&mut peeked)?;

    let mut kept = vec![0; buf_len];
    let (len, _) = socket.recv_from(&mut kept)?;
    kept.truncate(len);
    if peeked_len > buf_len {
        Ok(Received::Truncated { kept })
    } else {
        Ok(Received::Whole(kept))
    }
}
