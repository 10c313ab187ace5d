//! Step 2: an echo server for many clients, that stops when told.
//!
//! One UDP socket serves every client: each datagram carries its sender's
//! address, and the answer goes back to that address. There is no
//! connection to accept and none to close. Stopping is the only subtle part:
//! a thread blocked in `recv_from` cannot be interrupted, so the socket gets
//! a short read timeout and the loop looks at a stop flag each time it
//! wakes.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::step1_datagrams::{RECEIVE_BUFFER_LEN, is_timeout};

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
    /// Binds the server's socket to `addr` (port 0 lets the OS choose).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<EchoServer> {
        let socket = UdpSocket::bind(addr)?;
        socket.set_read_timeout(Some(POLL_INTERVAL))?;
        Ok(EchoServer { socket })
    }

    /// The address clients should send to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Echoes datagrams until `stop` becomes true, then returns what it did.
    pub fn serve_until(&self, stop: &AtomicBool) -> io::Result<EchoStats> {
        let mut stats = EchoStats::default();
        let mut buffer = vec![0; RECEIVE_BUFFER_LEN];
        while !stop.load(Ordering::SeqCst) {
            match self.socket.recv_from(&mut buffer) {
                Ok((len, client)) => {
                    // A failed send is a lost datagram, which UDP allows:
                    // the client will retry. It is no reason to stop.
                    if self.socket.send_to(&buffer[..len], client).is_ok() {
                        stats.datagrams += 1;
                        stats.bytes += len as u64;
                    }
                }
                // The timeout is our chance to look at the stop flag.
                Err(error) if is_timeout(&error) => continue,
                // Some systems report an earlier ICMP "port unreachable"
                // here (Windows: ConnectionReset); a client that went away
                // must not stop the server.
                Err(error) if is_transient(&error) => continue,
                Err(error) => return Err(error),
            }
        }
        Ok(stats)
    }

    /// Runs [`EchoServer::serve_until`] on a thread of its own, and returns
    /// the handle that stops it.
    pub fn spawn(self) -> io::Result<EchoHandle> {
        let addr = self.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name(format!("echo server {addr}"))
            .spawn(move || self.serve_until(&flag))?;
        Ok(EchoHandle { addr, stop, thread })
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

    /// Tells the server to stop, waits until it has (at most about one
    /// [`POLL_INTERVAL`]) and returns what it did. Its socket is closed when
    /// this returns.
    pub fn stop(self) -> io::Result<EchoStats> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread
            .join()
            .map_err(|_| io::Error::other("the echo server's thread panicked"))?
    }
}

/// Errors a UDP server lives through: a signal, or news of a client gone.
fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    )
}
