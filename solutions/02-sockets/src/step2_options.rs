//! Step 2: socket options — ask, then read back what the kernel granted.
//!
//! An option is a request, not an order. Linux doubles the buffer size you ask
//! for (it keeps the extra room for its own bookkeeping) and caps it at
//! `net.core.rmem_max`; other systems round or refuse. So a careful program sets
//! an option and then *reads it back*, and reports the real value.
//!
//! Book: "Socket options" in chapter 2.

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

use socket2::SockRef;

/// What to ask the kernel for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// `SO_RCVBUF` in bytes; `None` leaves the system's default.
    pub recv_buffer: Option<usize>,
    /// `SO_SNDBUF` in bytes; `None` leaves the system's default.
    pub send_buffer: Option<usize>,
    /// `SO_RCVTIMEO`: how long a receive may wait; `None` waits for ever.
    pub read_timeout: Option<Duration>,
    /// `O_NONBLOCK`: a receive with nothing to read fails at once with
    /// `WouldBlock` instead of waiting.
    pub nonblocking: bool,
}

/// What the kernel says about a socket, read back from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketReport {
    /// `SO_RCVBUF` as the kernel reports it (on Linux, twice what was asked).
    pub recv_buffer: usize,
    /// `SO_SNDBUF` as the kernel reports it.
    pub send_buffer: usize,
    /// `SO_RCVTIMEO`; `None` means a receive waits for ever.
    pub read_timeout: Option<Duration>,
    /// Whether the socket is in non-blocking mode.
    pub nonblocking: bool,
}

/// The largest datagram UDP can carry over IPv4, and so the largest buffer a
/// single `recv_from` ever needs.
const MAX_DATAGRAM: usize = 65_507;

/// Reads the socket's current options back from the kernel.
///
/// # Errors
/// Whatever `getsockopt` reports. On Windows, which cannot be asked whether a
/// socket is non-blocking, an `Unsupported` error.
pub fn report(socket: &UdpSocket) -> io::Result<SocketReport> {
    // `SockRef` borrows std's socket to reach the options std does not expose.
    let options = SockRef::from(socket);
    Ok(SocketReport {
        recv_buffer: options.recv_buffer_size()?,
        send_buffer: options.send_buffer_size()?,
        read_timeout: socket.read_timeout()?,
        nonblocking: is_nonblocking(&options)?,
    })
}

/// Applies `settings` to `socket`, then reports what the kernel made of them.
///
/// # Errors
/// `InvalidInput` for a buffer size of 0 or a zero read timeout (neither means
/// anything); otherwise whatever `setsockopt` or `fcntl` report.
pub fn configure(
    socket: &UdpSocket,
    settings: &Settings,
) -> io::Result<SocketReport> {
    // Check everything before changing anything, so a bad request leaves
    // the socket as it was.
    let recv_buffer = settings.recv_buffer.map(nonzero_buffer).transpose()?;
    let send_buffer = settings.send_buffer.map(nonzero_buffer).transpose()?;
    if settings.read_timeout == Some(Duration::ZERO) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a zero read timeout cannot be waited for: use None to wait for ever",
        ));
    }

    let options = SockRef::from(socket);
    if let Some(size) = recv_buffer {
        options.set_recv_buffer_size(size)?;
    }
    if let Some(size) = send_buffer {
        options.set_send_buffer_size(size)?;
    }
    socket.set_read_timeout(settings.read_timeout)?;
    socket.set_nonblocking(settings.nonblocking)?;
    report(socket)
}

/// Receives one datagram if one is already waiting, without waiting for one.
///
/// Switches the socket to non-blocking mode (and leaves it so): the receive then
/// either returns a datagram at once or fails with `WouldBlock`, which here
/// means "nothing yet" and becomes `Ok(None)`.
///
/// # Errors
/// Any other receive error, such as `ConnectionReset` after an ICMP "port
/// unreachable" on some systems.
pub fn receive_now(socket: &UdpSocket) -> io::Result<Option<Vec<u8>>> {
    socket.set_nonblocking(true)?;
    let mut buffer = vec![0; MAX_DATAGRAM];
    match socket.recv(&mut buffer) {
        Ok(len) => {
            buffer.truncate(len);
            Ok(Some(buffer))
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

/// Checks that a requested buffer size means something.
fn nonzero_buffer(size: usize) -> io::Result<usize> {
    if size == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a socket buffer of 0 bytes cannot hold anything: ask for at least 1",
        ));
    }
    Ok(size)
}

/// Whether the socket is non-blocking, asked of the kernel (`fcntl(F_GETFL)`).
#[cfg(unix)]
fn is_nonblocking(socket: &SockRef<'_>) -> io::Result<bool> {
    socket.nonblocking()
}

/// Windows has no call that reads the non-blocking flag back.
#[cfg(not(unix))]
fn is_nonblocking(_socket: &SockRef<'_>) -> io::Result<bool> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Windows cannot report whether a socket is non-blocking",
    ))
}
