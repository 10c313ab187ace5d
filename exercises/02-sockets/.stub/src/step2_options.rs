//! Step 2: socket options — ask, then read back what the kernel granted.
//!
//! An option is a request, not an order: Linux doubles the buffer size you ask
//! for and caps it, other systems round. A careful program sets an option and
//! then reads it back. `std::net::UdpSocket` has the timeouts and non-blocking
//! mode; for buffer sizes, borrow it as a `socket2::SockRef::from(&socket)`.
//!
//! Book: "Socket options" in chapter 2.

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

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

/// Reads the socket's current options back from the kernel: both buffer sizes,
/// the read timeout, and whether the socket is non-blocking.
///
/// Book: "Socket options" (reading an option back).
///
/// # Errors
/// Whatever reading an option reports.
pub fn report(socket: &UdpSocket) -> io::Result<SocketReport> {
    // TODO: `SockRef::from(socket)` gives `recv_buffer_size()`,
    // `send_buffer_size()` and `nonblocking()`; std gives `read_timeout()`.
    todo!("step 2: read the options back")
}

/// Applies `settings` to `socket` — the buffer sizes that are `Some`, the read
/// timeout, the non-blocking mode — then returns [`report`]`(socket)`, so the
/// caller sees what the kernel granted rather than what was asked.
///
/// Book: "Socket options" (buffer sizes, timeouts, non-blocking mode).
///
/// # Errors
/// `InvalidInput` for a buffer size of `Some(0)` (a buffer that holds nothing)
/// or a zero read timeout; otherwise whatever setting an option reports.
pub fn configure(
    socket: &UdpSocket,
    settings: &Settings,
) -> io::Result<SocketReport> {
    // TODO: refuse 0-byte buffers, set what was asked, then report.
    todo!("step 2: set the options, then report them")
}

/// Receives one datagram if one is already waiting, without waiting for one:
/// `Ok(Some(bytes))` for a datagram, `Ok(None)` when nothing is there.
///
/// Put the socket in non-blocking mode (and leave it so); then a receive with
/// nothing to read fails at once with `ErrorKind::WouldBlock`, which here means
/// "nothing yet".
///
/// Book: "Socket options" (non-blocking mode).
///
/// # Errors
/// Any receive error other than `WouldBlock`.
pub fn receive_now(socket: &UdpSocket) -> io::Result<Option<Vec<u8>>> {
    // TODO: set_nonblocking(true), recv into a buffer of 65 507 bytes, and turn
    // WouldBlock into Ok(None).
    todo!("step 2: a receive that never waits")
}
