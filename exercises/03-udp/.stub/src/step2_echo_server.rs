//! Step 2: an echo server for many clients, that stops when told.
//!
//! Book: "An echo server" (chapter UDP). Tests:
//! `tests/step2_echo_server.rs`.
//!
//! One socket serves every client: each datagram carries its sender's
//! address, and the echo goes back there. A thread blocked in `recv_from`
//! cannot be interrupted, so the socket gets a short read timeout and the
//! loop looks at a stop flag every time it wakes.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a waiting server wakes up to look at its stop flag: the
/// longest a stop request can go unnoticed.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// What a server did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EchoStats {
    /// Datagrams echoed.
    pub datagrams: u64,
    /// Bytes echoed, in all.
    pub bytes: u64,
}

/// A UDP echo server: every datagram it receives goes straight back to
/// whoever sent it, unchanged.
#[derive(Debug)]
pub struct EchoServer {
    socket: UdpSocket,
}

impl EchoServer {
    /// Binds the server's socket to `addr` (port 0 lets the OS choose) and
    /// gives it a read timeout of [`POLL_INTERVAL`], so that
    /// [`EchoServer::serve_until`] can notice its stop flag.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<EchoServer> {
        // TODO: UdpSocket::bind, set_read_timeout.
        todo!("step 2: EchoServer::bind")
    }

    /// The address clients should send to: with port 0 given to `bind`,
    /// the real port the OS chose.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        todo!("step 2: EchoServer::local_addr")
    }

    /// Echoes datagrams until `stop` becomes true, then returns what it did.
    ///
    /// Contract:
    /// - every datagram goes back, unchanged, to the address it came from,
    ///   whatever its size (0 to 65 507 bytes) and contents;
    /// - the stop flag is checked at least every [`POLL_INTERVAL`]: a
    ///   read timeout is not an error, just a chance to look at it;
    /// - a failed send, or an error that only reports a client gone
    ///   (`ConnectionReset`, `ConnectionRefused`, `Interrupted`), does not
    ///   stop the server; any other receive error is returned;
    /// - the stats count the datagrams echoed and their bytes.
    pub fn serve_until(&self, stop: &AtomicBool) -> io::Result<EchoStats> {
        // TODO: loop while the flag is false: recv_from, send_to, count.
        todo!("step 2: EchoServer::serve_until")
    }

    /// Runs [`EchoServer::serve_until`] on a thread of its own, and returns
    /// the handle that stops it. Read the address before `self` moves into
    /// the thread.
    pub fn spawn(self) -> io::Result<EchoHandle> {
        // TODO: an Arc<AtomicBool>, a thread, an EchoHandle.
        todo!("step 2: EchoServer::spawn")
    }
}

/// A server running on its own thread.
#[derive(Debug)]
pub struct EchoHandle {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<io::Result<EchoStats>>,
}

impl EchoHandle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Tells the server to stop, waits until it has (about one
    /// [`POLL_INTERVAL`] at most) and returns what it did.
    ///
    /// Contract: when this returns, the thread has ended and the server's
    /// socket is closed. A thread that panicked is reported as an
    /// `io::Error`, not passed on as a panic.
    pub fn stop(self) -> io::Result<EchoStats> {
        // TODO: set the flag, join the thread.
        todo!("step 2: EchoHandle::stop")
    }
}
