//! Step 4: a receive that says what happened.
//!
//! A `read` on a TCP stream can end three ways, and a program must tell them
//! apart: bytes arrived; nothing arrived before the timeout; or the read
//! returned **0 bytes**, which means "the peer closed — no more will ever come".
//! UDP has no connection to close: a datagram receive knows data or silence.
//!
//! Book: "When things go wrong" in chapter 2.

use std::io;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

/// How a receive on a TCP stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Some bytes (never zero of them) arrived.
    Data(Vec<u8>),
    /// Nothing arrived before the timeout; the connection is still open.
    TimedOut,
    /// The peer closed the connection (a 0-byte read) or reset it.
    PeerClosed,
}

/// How a receive on a UDP socket ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Datagram {
    /// One datagram, whole, and who sent it.
    Data {
        /// The datagram's payload.
        bytes: Vec<u8>,
        /// The sender's address: where a reply should go.
        from: SocketAddr,
    },
    /// Nothing arrived before the timeout.
    TimedOut,
}

/// Waits at most `timeout` for bytes on `stream` and says how it went:
///
/// - [`Received::Data`] with the bytes of one read (up to 64 KiB);
/// - [`Received::TimedOut`] when the read timeout expires first — Unix reports
///   that as `ErrorKind::WouldBlock`, Windows as `ErrorKind::TimedOut`;
/// - [`Received::PeerClosed`] when the read returns 0 bytes (the peer closed) or
///   fails with `ConnectionReset` (the peer reset the connection).
///
/// A read interrupted by a signal (`Interrupted`) is simply tried again. The
/// timeout stays set on the stream afterwards.
///
/// Book: "When things go wrong" (timeouts, and the 0-byte read).
///
/// # Errors
/// `InvalidInput` for a zero timeout (std's `set_read_timeout` refuses it);
/// any other read error as it came.
pub fn receive_within(
    stream: &TcpStream,
    timeout: Duration,
) -> io::Result<Received> {
    // TODO: set_read_timeout(Some(timeout)), then one read. `Read` is
    // implemented for `&TcpStream` too: `let mut reader = stream;` and
    // `reader.read(&mut buffer)`.
    todo!("step 4: receive with a timeout on TCP")
}

/// Waits at most `timeout` for one datagram on `socket`: [`Datagram::Data`]
/// with the bytes and the sender, or [`Datagram::TimedOut`]. The timeout stays
/// set on the socket afterwards.
///
/// Book: "When things go wrong" (timeouts).
///
/// # Errors
/// `InvalidInput` for a zero timeout; any other receive error as it came.
pub fn receive_datagram_within(
    socket: &UdpSocket,
    timeout: Duration,
) -> io::Result<Datagram> {
    // TODO: like `receive_within`, with `recv_from`; there is no "closed".
    todo!("step 4: receive with a timeout on UDP")
}
