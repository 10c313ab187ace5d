//! The socket layer: one UDP socket per transfer, bound to a fresh
//! ephemeral port, talking to exactly one peer.
//!
//! RFC 1350 calls a (address, port) pair a *transfer ID* (TID). The server
//! answers every request from a new port, so each transfer has its own
//! socket and its own pair of TIDs; the client learns the server's TID from
//! the first answer. From then on, a datagram from any other address or
//! port belongs to no transfer of ours: it gets an ERROR 5 ("unknown
//! transfer ID") sent to where it came from, and the transfer goes on as if
//! nothing happened. [`PeerSocket`] does that filtering, so the state
//! machines in [`crate::transfer`] only ever see their peer's packets.
//!
//! The socket is deliberately not `connect`ed: a connected UDP socket makes
//! the kernel drop strangers' datagrams silently, and we want to answer
//! them.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use socket2::SockRef;

use crate::packet::{self, ErrorCode};
use crate::transfer::Channel;

/// A UDP socket on a new ephemeral port, of the same address family as
/// `peer`, bound to the unspecified address (`0.0.0.0` or `::`).
pub fn ephemeral_socket(peer: SocketAddr) -> io::Result<UdpSocket> {
    let any = match peer {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    UdpSocket::bind(SocketAddr::new(any, 0))
}

/// Asks the kernel for send and receive buffers of at least `bytes` each.
///
/// With a window, the sender puts `windowsize` datagrams on the wire at
/// once; if the receiver's buffer cannot hold them, the kernel drops the
/// rest and the transfer waits out a timeout for each loss. Linux caps the
/// request at `net.core.rmem_max`; when running as root we ask past the cap
/// (`SO_RCVBUFFORCE`), and otherwise live with what we got.
pub fn size_buffers(socket: &UdpSocket, bytes: usize) -> io::Result<()> {
    let socket = SockRef::from(socket);
    if socket.recv_buffer_size()? < bytes {
        socket.set_recv_buffer_size(bytes)?;
        #[cfg(target_os = "linux")]
        if socket.recv_buffer_size()? < bytes {
            force_buffer(&socket, libc::SO_RCVBUFFORCE, bytes);
        }
    }
    if socket.send_buffer_size()? < bytes {
        socket.set_send_buffer_size(bytes)?;
        #[cfg(target_os = "linux")]
        if socket.send_buffer_size()? < bytes {
            force_buffer(&socket, libc::SO_SNDBUFFORCE, bytes);
        }
    }
    Ok(())
}

/// `setsockopt(SO_RCVBUFFORCE / SO_SNDBUFFORCE)`: allowed only with
/// CAP_NET_ADMIN, so a failure is expected and ignored.
#[cfg(target_os = "linux")]
fn force_buffer(socket: &SockRef<'_>, option: libc::c_int, bytes: usize) {
    use std::os::fd::AsRawFd;
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: a plain setsockopt on a socket we own, with a pointer to an
    // int and its size, as the option expects.
    unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            option,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// The buffer size a transfer wants: a whole window of its largest
/// datagrams, twice over (the kernel counts its own overhead per datagram
/// against the buffer too), and never less than 256 KiB.
pub fn buffer_size_for(blksize: usize, windowsize: u16) -> usize {
    let window =
        usize::from(windowsize.max(1)) * (packet::DATA_HEADER_LEN + blksize);
    (window * 2).max(256 * 1024)
}

/// A UDP socket that talks to one peer and answers strangers with ERROR 5.
#[derive(Debug)]
pub struct PeerSocket {
    socket: UdpSocket,
    peer: SocketAddr,
    /// Whether `peer`'s port is known. A client first sends its request to
    /// the server's well-known port and learns the transfer's port from
    /// the first answer.
    locked: bool,
    /// The read timeout currently set on the socket, to avoid a system
    /// call per packet when it has not changed.
    read_timeout: Option<Duration>,
}

impl PeerSocket {
    /// A socket for a transfer whose peer is known: the server's side,
    /// which learned the client's TID from its request.
    pub fn new(socket: UdpSocket, peer: SocketAddr) -> PeerSocket {
        PeerSocket {
            socket,
            peer,
            locked: true,
            read_timeout: None,
        }
    }

    /// A socket for a client that sends its request to `server` (usually
    /// port 69) and takes the first answer from the server's address, from
    /// whatever port, as the transfer's peer.
    pub fn unlocked(socket: UdpSocket, server: SocketAddr) -> PeerSocket {
        PeerSocket {
            socket,
            peer: server,
            locked: false,
            read_timeout: None,
        }
    }

    /// The peer: the server's request port until the first answer, the
    /// transfer's TID after.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The local address (our TID).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The socket itself, e.g. to size its buffers.
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// Whether a datagram from `from` belongs to this transfer; locks onto
    /// the first answer of the server.
    fn accept_source(&mut self, from: SocketAddr) -> bool {
        if self.locked {
            return same_endpoint(from, self.peer);
        }
        if same_ip(from.ip(), self.peer.ip()) {
            self.peer = from;
            self.locked = true;
            return true;
        }
        false
    }

    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        // A zero timeout means "block for ever" to the socket API.
        let timeout = timeout.max(Duration::from_millis(1));
        if self.read_timeout != Some(timeout) {
            self.socket.set_read_timeout(Some(timeout))?;
            self.read_timeout = Some(timeout);
        }
        Ok(())
    }
}

impl Channel for PeerSocket {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        self.socket.send_to(datagram, self.peer).map(|_| ())
    }

    fn recv(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> io::Result<Option<usize>> {
        self.set_timeout(timeout)?;
        let started = Instant::now();
        loop {
            match self.socket.recv_from(buf) {
                Ok((len, from)) if self.accept_source(from) => return Ok(Some(len)),
                Ok((_, stranger)) => {
                    // Not our peer: tell it, and keep waiting. (Its packet
                    // does not restart our timeout: the caller's deadline
                    // still holds.)
                    let error = packet::error_bytes(
                        ErrorCode::UnknownTransferId,
                        "unknown transfer ID",
                    );
                    let _ = self.socket.send_to(&error, stranger);
                    // A flood of strangers must not stop the clock.
                    if started.elapsed() >= timeout {
                        return Ok(None);
                    }
                }
                Err(e) if is_timeout(&e) => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // An ICMP "port unreachable" from an earlier send can
                // surface here on some systems: not a datagram, wait on.
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Whether a socket error is the read timeout expiring (`EAGAIN` on Unix,
/// `WSAETIMEDOUT` on Windows).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Compares two endpoints, treating `::ffff:a.b.c.d` and `a.b.c.d` as the
/// same address (a dual-stack socket reports IPv4 peers in the first form).
fn same_endpoint(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && same_ip(a.ip(), b.ip())
}

fn same_ip(a: IpAddr, b: IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ipv4_addresses_are_the_same_endpoint() {
        let v4: SocketAddr = "127.0.0.1:6969".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:6969".parse().unwrap();
        assert!(same_endpoint(v4, mapped));
        assert!(!same_endpoint(v4, "127.0.0.1:6970".parse().unwrap()));
    }

    #[test]
    fn buffers_hold_a_whole_window() {
        assert_eq!(buffer_size_for(512, 1), 256 * 1024);
        assert!(buffer_size_for(65464, 8) >= 8 * 65468);
    }

    #[test]
    fn a_stranger_gets_error_5_and_the_peer_still_gets_through() {
        let timeout = Duration::from_secs(2);
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
        stranger.set_read_timeout(Some(timeout)).unwrap();
        let mine = UdpSocket::bind("127.0.0.1:0").unwrap();
        let my_addr = mine.local_addr().unwrap();
        let mut channel = PeerSocket::new(mine, peer.local_addr().unwrap());

        stranger.send_to(b"\x00\x04\x00\x01", my_addr).unwrap();
        peer.send_to(b"\x00\x04\x00\x02", my_addr).unwrap();
        let mut buf = [0u8; 16];
        let len = channel.recv(&mut buf, timeout).unwrap().unwrap();
        assert_eq!(&buf[..len], b"\x00\x04\x00\x02");

        let (len, from) = stranger.recv_from(&mut buf).unwrap();
        assert_eq!(from, my_addr);
        assert_eq!(&buf[..4], b"\x00\x05\x00\x05", "{:?}", &buf[..len]);
    }
}
