//! Step 1: one datagram there, one datagram back.
//!
//! Book: "Sending and receiving" (chapter UDP). Tests:
//! `tests/step1_datagrams.rs`.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// The largest payload a UDP datagram can carry, rounded up to what the
/// 16-bit length field could ever say: a buffer this big never cuts one.
pub const RECEIVE_BUFFER_LEN: usize = 65_535;

/// Why [`receive_one`] returned without a datagram.
#[derive(Debug)]
pub enum ReceiveError {
    /// Nothing arrived within the timeout (which is kept, for messages).
    TimedOut(Duration),
    /// The socket reported an error.
    Io(io::Error),
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiveError::TimedOut(timeout) => {
                write!(f, "no datagram arrived within {timeout:?}")
            }
            ReceiveError::Io(error) => write!(f, "receiving failed: {error}"),
        }
    }
}

impl Error for ReceiveError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ReceiveError::TimedOut(_) => None,
            ReceiveError::Io(error) => Some(error),
        }
    }
}

impl From<io::Error> for ReceiveError {
    fn from(error: io::Error) -> Self {
        ReceiveError::Io(error)
    }
}

/// Whether an error is what an expired read timeout produces: Unix reports
/// it as `WouldBlock`, Windows as `TimedOut`. Given: use it in every step.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Sends `bytes` as one datagram to `to` from a fresh socket, and returns
/// that socket's local address.
///
/// The task: a sender needs a socket, but not a port of its own choosing.
/// Bind to port 0 on the *unspecified* address of `to`'s family
/// (`0.0.0.0:0` for an IPv4 `to`, `[::]:0` for IPv6) so the OS picks a
/// free ephemeral port, send, and return `local_addr()`: the test checks
/// that its port is the one the datagram came from.
///
/// Contract: the bytes go out as exactly one datagram, even when empty.
/// Errors from binding or sending are returned, never unwrapped.
pub fn send_one(to: SocketAddr, bytes: &[u8]) -> io::Result<SocketAddr> {
    // TODO: bind, send_to, return the local address.
    todo!("step 1: send_one")
}

/// Waits up to `timeout` for one datagram on `socket`, and returns its
/// bytes (all of them, and no more) and its sender.
///
/// The task: set the socket's read timeout, then `recv_from` into a buffer
/// of [`RECEIVE_BUFFER_LEN`] bytes, and keep only the bytes received.
///
/// Contract:
/// - nothing within `timeout` → `Err(ReceiveError::TimedOut(timeout))`
///   (see [`is_timeout`]);
/// - a zero timeout is refused by `set_read_timeout` with `InvalidInput`:
///   return that as `Err(ReceiveError::Io(..))`, without waiting;
/// - any other socket error → `Err(ReceiveError::Io(..))`.
pub fn receive_one(
    socket: &UdpSocket,
    timeout: Duration,
) -> Result<(Vec<u8>, SocketAddr), ReceiveError> {
    // TODO: set_read_timeout, recv_from, truncate the buffer, map the errors.
    todo!("step 1: receive_one")
}
