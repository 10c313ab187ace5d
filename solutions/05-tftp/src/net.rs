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
//! them; and a client's socket could not be connected anyway, since the
//! server answers from another port than the one the request went to.
//!
//! # When nobody is there
//!
//! A datagram sent to a port where nothing listens comes back, at once, as
//! an ICMP "port unreachable". Linux hands that news to a *connected* UDP
//! socket as `ECONNREFUSED` on its next call, but drops it for an
//! unconnected one, unless the socket asked for it with `IP_RECVERR`
//! (`IPV6_RECVERR`). We ask ([`report_errors`]), so `tftp get` to a port
//! where no server runs fails in a millisecond with "connection refused by
//! ADDR" instead of waiting out its whole silence budget, and a server
//! whose client has gone stops resending. With `IP_RECVERR` the kernel
//! queues every such error with the address the failed datagram was sent
//! to; [`PeerSocket`] reads that queue and reports a refusal only when it
//! came from the transfer's peer (a stranger we answered with ERROR 5 may
//! be gone too: that is no reason to stop).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use socket2::{SockAddr, SockAddrStorage, SockRef};

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

/// Asks the kernel to report ICMP errors (a refused port) on this
/// unconnected socket too (see the module's documentation). Best effort:
/// where the option does not exist, a refused port shows only as silence.
pub fn report_errors(socket: &UdpSocket) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        let set = |level, option| {
            // SAFETY: a plain setsockopt on a socket we own, with a pointer
            // to an int and its size, as the option expects.
            unsafe {
                libc::setsockopt(
                    socket.as_raw_fd(),
                    level,
                    option,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            }
        };
        set(libc::SOL_IP, libc::IP_RECVERR);
        if socket.local_addr().is_ok_and(|a| a.is_ipv6()) {
            set(libc::SOL_IPV6, libc::IPV6_RECVERR);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = socket;
}

/// The error inside an [`io::Error`] of kind `ConnectionRefused` that
/// [`PeerSocket`] returns when its peer's host says nothing listens on the
/// peer's port; [`crate::TransferError::network`] turns it into
/// [`crate::TransferError::Refused`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("connection refused by {0}")]
pub struct RefusedBy(pub SocketAddr);

impl RefusedBy {
    fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::ConnectionRefused, self)
    }
}

/// Takes every error queued on `socket` by `IP_RECVERR` and returns the
/// destinations of the datagrams that were refused (ICMP port
/// unreachable), oldest first.
#[cfg(target_os = "linux")]
fn take_refusals(socket: &UdpSocket) -> Vec<SocketAddr> {
    use std::os::fd::AsRawFd;
    let mut refused = Vec::new();
    // The queue is bounded by the socket's buffer; a few dozen entries at
    // most in practice, and reading stops when it is empty.
    for _ in 0..256 {
        let mut payload = [0u8; 64];
        let mut control = [0u64; 64];
        let mut flagged = false;
        // SAFETY: recvmsg with MSG_ERRQUEUE writes at most msg_namelen bytes
        // of address into the storage socket2 gives us, and at most
        // msg_controllen bytes of control messages into `control`, which
        // is u64-aligned as cmsghdr needs; we read the control messages
        // only through the CMSG_* macros within those bounds.
        let received = unsafe {
            SockAddr::try_init(|storage: *mut SockAddrStorage, len| {
                let mut iov = libc::iovec {
                    iov_base: payload.as_mut_ptr().cast(),
                    iov_len: payload.len(),
                };
                let mut msg: libc::msghdr = std::mem::zeroed();
                msg.msg_name = storage.cast();
                msg.msg_namelen = *len;
                msg.msg_iov = &mut iov;
                msg.msg_iovlen = 1;
                msg.msg_control = control.as_mut_ptr().cast();
                msg.msg_controllen = std::mem::size_of_val(&control);
                let n = libc::recvmsg(
                    socket.as_raw_fd(),
                    &mut msg,
                    libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT,
                );
                if n < 0 {
                    return Err(io::Error::last_os_error());
                }
                *len = msg.msg_namelen;
                let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
                while !cmsg.is_null() {
                    let header = &*cmsg;
                    let is_error = (header.cmsg_level == libc::SOL_IP
                        && header.cmsg_type == libc::IP_RECVERR)
                        || (header.cmsg_level == libc::SOL_IPV6
                            && header.cmsg_type == libc::IPV6_RECVERR);
                    if is_error {
                        let error = libc::CMSG_DATA(cmsg)
                            .cast::<libc::sock_extended_err>()
                            .read_unaligned();
                        flagged |= error.ee_errno == libc::ECONNREFUSED as u32;
                    }
                    cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
                }
                Ok(())
            })
        };
        match received {
            Ok(((), addr)) => {
                if let Some(addr) = addr.as_socket().filter(|_| flagged) {
                    refused.push(addr);
                }
            }
            // EAGAIN: the queue is empty.
            Err(_) => break,
        }
    }
    refused
}

#[cfg(not(target_os = "linux"))]
fn take_refusals(_: &UdpSocket) -> Vec<SocketAddr> {
    Vec::new()
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
        report_errors(&socket);
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
        report_errors(&socket);
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

    /// After a `ConnectionRefused` from the socket: the refusal, if the
    /// peer is what refused (and not a stranger we answered).
    fn peer_refusal(&self) -> Option<RefusedBy> {
        take_refusals(&self.socket)
            .into_iter()
            .find(|&to| same_endpoint(to, self.peer))
            .map(RefusedBy)
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
        match self.socket.send_to(datagram, self.peer) {
            Ok(_) => Ok(()),
            // News of an earlier datagram (a refusal...), reported on this
            // call: the end if the peer refused, otherwise not this
            // datagram's fault.
            Err(e) if is_network_news(&e) => {
                if let Some(refused) = self.peer_refusal() {
                    return Err(refused.into_io());
                }
                self.socket.send_to(datagram, self.peer).map(|_| ())
            }
            Err(e) => Err(e),
        }
    }

    fn peer_addr(&self) -> Option<SocketAddr> {
        Some(self.peer)
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
                // ICMP news of an earlier send: the end if the peer
                // refused, otherwise (a stranger refused, a host or a
                // network was briefly unreachable) wait on: the silence
                // budget decides.
                Err(e) if is_network_news(&e) => {
                    if let Some(refused) = self.peer_refusal() {
                        return Err(refused.into_io());
                    }
                    if started.elapsed() >= timeout {
                        return Ok(None);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Whether a socket error is ICMP news about an earlier datagram, which
/// `IP_RECVERR` (or Windows, for any socket) reports on the next call: a
/// refused port, an unreachable host or network, a datagram too big for
/// the path. None of them says this socket is broken.
fn is_network_news(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    #[cfg(target_os = "linux")]
    if matches!(
        error.raw_os_error(),
        Some(libc::EMSGSIZE | libc::EPROTO | libc::EHOSTDOWN)
    ) {
        return true;
    }
    matches!(
        error.kind(),
        ConnectionRefused | ConnectionReset | HostUnreachable | NetworkUnreachable
    )
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_peer_that_closed_its_port_is_reported_as_refused() {
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer_addr = peer.local_addr().unwrap();
        drop(peer);
        let mine = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut channel = PeerSocket::new(mine, peer_addr);
        // The first send goes out; the ICMP answer comes back at once and
        // is reported by the next call.
        channel.send(b"\x00\x04\x00\x01").unwrap();
        let mut buf = [0u8; 16];
        let error = channel
            .recv(&mut buf, Duration::from_secs(2))
            .expect_err("a refusal, not a timeout");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
        assert_eq!(
            error.to_string(),
            format!("connection refused by {peer_addr}")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stranger_that_closed_its_port_does_not_end_the_transfer() {
        let timeout = Duration::from_secs(2);
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mine = UdpSocket::bind("127.0.0.1:0").unwrap();
        let my_addr = mine.local_addr().unwrap();
        let mut channel = PeerSocket::new(mine, peer.local_addr().unwrap());
        {
            let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
            stranger.send_to(b"\x00\x04\x00\x01", my_addr).unwrap();
        }
        // The stranger is gone: our ERROR 5 to it comes back refused.
        let mut buf = [0u8; 16];
        assert_eq!(
            channel.recv(&mut buf, Duration::from_millis(200)).unwrap(),
            None
        );
        peer.send_to(b"\x00\x04\x00\x02", my_addr).unwrap();
        let len = channel.recv(&mut buf, timeout).unwrap().unwrap();
        assert_eq!(&buf[..len], b"\x00\x04\x00\x02");
        channel.send(b"\x00\x04\x00\x03").unwrap();
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
