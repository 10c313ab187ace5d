//! Step 4: a receive that says what happened.
//!
//! A plain `read` on a TCP stream can end in three very different ways, and a
//! program must tell them apart: bytes arrived; nothing arrived before the
//! timeout (the peer is slow, or thinking); or the read returned **0 bytes**,
//! which is not "no data" but "the peer closed its side — no more will ever
//! come". A reset connection is the peer gone too, only less politely. UDP has
//! no connection to close, so a datagram receive knows only data or silence.
//!
//! Book: "When things go wrong" in chapter 2.

use std::io::{self, Read};
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

/// The most one receive returns; TCP hands over whatever has arrived, so a
/// larger message comes in several receives.
const RECEIVE_BUFFER: usize = 64 * 1024;

/// Waits at most `timeout` for bytes on `stream` and says how it went.
///
/// Returns the bytes of one `read` (up to 64 KiB), [`Received::TimedOut`] when
/// the timeout expires first, and [`Received::PeerClosed`] when the peer has
/// closed (`read` returned 0) or reset (`ConnectionReset`) the connection.
/// Leaves `timeout` set as the stream's read timeout.
///
/// # Errors
/// `InvalidInput` for a zero timeout; any other read error as it came.
pub fn receive_within(
    stream: &TcpStream,
    timeout: Duration,
) -> io::Result<Received> {
    check_timeout(timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    // `Read` is implemented for `&TcpStream` too: a shared borrow can read.
    let mut reader = stream;
    let mut buffer = vec![0; RECEIVE_BUFFER];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(Received::PeerClosed),
            Ok(len) => {
                buffer.truncate(len);
                return Ok(Received::Data(buffer));
            }
            Err(e) if is_timeout(&e) => return Ok(Received::TimedOut),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                return Ok(Received::PeerClosed);
            }
            // A signal interrupted the wait: nothing happened, wait again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Waits at most `timeout` for one datagram on `socket`.
///
/// Leaves `timeout` set as the socket's read timeout.
///
/// # Errors
/// `InvalidInput` for a zero timeout; any other receive error as it came.
pub fn receive_datagram_within(
    socket: &UdpSocket,
    timeout: Duration,
) -> io::Result<Datagram> {
    check_timeout(timeout)?;
    socket.set_read_timeout(Some(timeout))?;
    let mut buffer = vec![0; RECEIVE_BUFFER];
    loop {
        match socket.recv_from(&mut buffer) {
            Ok((len, from)) => {
                buffer.truncate(len);
                return Ok(Datagram::Data {
                    bytes: buffer,
                    from,
                });
            }
            Err(e) if is_timeout(&e) => return Ok(Datagram::TimedOut),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Whether an error is an expired read timeout. Unix reports it as
/// `WouldBlock` (EAGAIN), Windows as `TimedOut`: the same event, two names.
fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Refuses a zero timeout, which cannot be waited for. (std refuses it too,
/// because the kernel would read zero as "no timeout: wait for ever".)
fn check_timeout(timeout: Duration) -> io::Result<()> {
    if timeout.is_zero() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a zero timeout cannot be waited for: give at least 1 ms",
        ));
    }
    Ok(())
}
