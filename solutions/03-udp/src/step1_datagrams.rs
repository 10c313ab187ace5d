//! Step 1: one datagram there, one datagram back.
//!
//! A datagram is sent whole with `send_to` and received whole with
//! `recv_from`, which also says who sent it. A sender does not need to bind
//! a port of its own: binding port 0 lets the OS choose a free one. A receive
//! with a timeout ends in one of two ways, and [`ReceiveError`] keeps them
//! apart, because "nothing came" is news a caller acts on (retry, give up),
//! while an I/O error is a fault.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
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
/// it as `WouldBlock`, Windows as `TimedOut`.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Sends `bytes` as one datagram to `to` from a fresh socket, and returns
/// that socket's local address: its port is the one the OS chose.
pub fn send_one(to: SocketAddr, bytes: &[u8]) -> io::Result<SocketAddr> {
    // Port 0 on the unspecified address: "any interface, any free port".
    // The family must match the destination's: an IPv4 socket cannot send
    // to an IPv6 address.
    let socket = UdpSocket::bind(unspecified_like(to))?;
    socket.send_to(bytes, to)?;
    socket.local_addr()
}

/// Waits up to `timeout` for one datagram on `socket`, and returns its
/// bytes (all of them) and its sender.
pub fn receive_one(
    socket: &UdpSocket,
    timeout: Duration,
) -> Result<(Vec<u8>, SocketAddr), ReceiveError> {
    // A zero timeout is refused here by the OS with InvalidInput: passed on
    // as `Io`, since it is the caller's mistake, not a silence.
    socket.set_read_timeout(Some(timeout))?;
    let mut buffer = vec![0; RECEIVE_BUFFER_LEN];
    match socket.recv_from(&mut buffer) {
        Ok((len, from)) => {
            buffer.truncate(len);
            Ok((buffer, from))
        }
        Err(error) if is_timeout(&error) => Err(ReceiveError::TimedOut(timeout)),
        Err(error) => Err(ReceiveError::Io(error)),
    }
}

/// Port 0 on the unspecified address of `addr`'s family.
fn unspecified_like(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}
