//! Step 1: make sockets with `socket2`, then hand them to `std`.
//!
//! `std::net` creates and binds a socket in one call (`UdpSocket::bind`). Some
//! options only count if they are set *between* the two — `SO_REUSEADDR` and
//! `IPV6_V6ONLY` — and for those you build the socket yourself with `socket2`,
//! one system call at a time, then convert it with `.into()` into the `std` type.
//!
//! Book: "Families and types" and "Socket options" in chapter 2.

use std::io;
use std::net::{SocketAddr, SocketAddrV6, TcpListener, UdpSocket};

/// The address family of a socket: which kind of address it speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `AF_INET`: IPv4 addresses such as `127.0.0.1`.
    Ipv4,
    /// `AF_INET6`: IPv6 addresses such as `::1`.
    Ipv6,
}

/// Creates a UDP socket of the given family with `socket2`, binds it to that
/// family's loopback address (`127.0.0.1` or `::1`) on port 0 — the OS picks a
/// free port — and returns it as a `std::net::UdpSocket`.
///
/// Book: "Families and types" (creating a socket with `socket2`).
///
/// # Errors
/// Whatever creating or binding the socket reports, for example
/// `AddrNotAvailable` on a machine without IPv6. Never panics.
pub fn udp_socket(family: Family) -> io::Result<UdpSocket> {
    // TODO: pick the `socket2::Domain` and the loopback address for `family`,
    // `Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))`, bind, `.into()`.
    todo!("step 1: create and bind a UDP socket with socket2")
}

/// Creates a TCP listener on `addr` (IPv4 or IPv6) with `SO_REUSEADDR` switched
/// on **before** `bind`, then listens with a backlog of 128.
///
/// Why: a server restarted right after closing its connections would otherwise
/// fail with `AddrInUse` while the old connections wait in `TIME_WAIT`. (`std`'s
/// `TcpListener::bind` sets it for you on Unix; here you make the choice.)
///
/// Book: "Socket options" (SO_REUSEADDR).
///
/// # Errors
/// Whatever `socket`, `setsockopt`, `bind` or `listen` report.
pub fn tcp_listener_reusing(addr: SocketAddr) -> io::Result<TcpListener> {
    // TODO: `Domain::for_address(addr)`, `Type::STREAM`; set_reuse_address(true),
    // then bind, then listen, then `.into()`.
    todo!("step 1: a TCP listener with SO_REUSEADDR set before bind")
}

/// Creates an IPv6 TCP listener on `addr` with `IPV6_V6ONLY` set before `bind`,
/// so that it accepts IPv6 connections only, then listens with a backlog of 128.
///
/// Book: "Families and types" (one socket for IPv4 and IPv6, or two).
///
/// # Errors
/// Whatever the system calls report; `AddrNotAvailable` without IPv6.
pub fn ipv6_only_listener(addr: SocketAddrV6) -> io::Result<TcpListener> {
    // TODO: like `tcp_listener_reusing`, with set_only_v6(true) before bind.
    todo!("step 1: an IPv6-only TCP listener")
}
