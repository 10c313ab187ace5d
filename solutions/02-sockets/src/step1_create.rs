//! Step 1: make sockets with `socket2`, then hand them to `std`.
//!
//! `std::net` creates and binds a socket in one call (`UdpSocket::bind`), which is
//! right nine times out of ten. The tenth time you need to set an option between
//! the two — `SO_REUSEADDR` and `IPV6_V6ONLY` only count if they are set before
//! `bind` — and then you make the socket yourself with `socket2`, one system call
//! at a time, and convert it into the `std` type when it is ready. The conversion
//! costs nothing: both wrap the same file descriptor.
//!
//! Book: "Families and types" and "Socket options" in chapter 2.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::net::{TcpListener, UdpSocket};

use socket2::{Domain, Protocol, Socket, Type};

/// The address family of a socket: which kind of address it speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `AF_INET`: IPv4 addresses such as `127.0.0.1`.
    Ipv4,
    /// `AF_INET6`: IPv6 addresses such as `::1`.
    Ipv6,
}

/// How many connections the kernel may queue for us before we `accept` them.
/// 128 is the traditional `SOMAXCONN`; the kernel caps it anyway.
const LISTEN_BACKLOG: i32 = 128;

/// A UDP socket of the given family, bound to that family's loopback address
/// (`127.0.0.1` or `::1`) on a port the operating system picks.
///
/// The socket is built with `socket2` and returned as a plain
/// [`std::net::UdpSocket`], ready for `send_to` and `recv_from`.
///
/// # Errors
/// Whatever `socket()` or `bind()` report — for example `AddrNotAvailable` on a
/// machine without IPv6.
pub fn udp_socket(family: Family) -> io::Result<UdpSocket> {
    let (domain, loopback) = match family {
        Family::Ipv4 => (Domain::IPV4, IpAddr::V4(Ipv4Addr::LOCALHOST)),
        Family::Ipv6 => (Domain::IPV6, IpAddr::V6(Ipv6Addr::LOCALHOST)),
    };
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    // Port 0 means "any free port": the kernel chooses, `local_addr` tells.
    socket.bind(&SocketAddr::new(loopback, 0).into())?;
    Ok(socket.into())
}

/// A TCP listener on `addr` with `SO_REUSEADDR` switched on before `bind`.
///
/// Without the option, a server restarted right after it closed connections
/// fails with `AddrInUse` for a minute or two: the old connections wait in
/// `TIME_WAIT` on the same port. With it — on the old socket and the new one —
/// the new listener may bind at once. It does not let two programs *listen* on
/// one port at the same time.
///
/// `std`'s `TcpListener::bind` sets the option too on Unix, and deliberately
/// not on Windows, where it would let another program take over a port in
/// use. Making the socket yourself makes the choice visible.
///
/// # Errors
/// Whatever `socket()`, `setsockopt()`, `bind()` or `listen()` report.
pub fn tcp_listener_reusing(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // The order is the point: set after bind, the option would come too late.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}

/// A TCP listener on the IPv6 address `addr` that accepts IPv6 only.
///
/// On Linux an IPv6 socket bound to `[::]` also receives IPv4 connections, as
/// IPv4-mapped addresses (`::ffff:127.0.0.1`), unless `IPV6_V6ONLY` is set — and
/// other systems default the other way. Setting it explicitly, before `bind`,
/// makes the program behave the same everywhere and leaves the IPv4 port free
/// for a separate IPv4 socket.
///
/// # Errors
/// Whatever the system calls report; `AddrNotAvailable` without IPv6.
pub fn ipv6_only_listener(addr: SocketAddrV6) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::IPV6, Type::STREAM, None)?;
    socket.set_only_v6(true)?;
    socket.bind(&SocketAddr::V6(addr).into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}
