//! Step 6: ask the operating system.
//!
//! Read first: the book, chapter 1, *Ports* (port 0, a port in use) and
//! *Special addresses* (what `localhost` is).
//!
//! Ports and names are handed out by the OS: it chooses a free port when you
//! bind port 0, refuses a port another socket holds, and turns `localhost`
//! into addresses. Here you ask it all three questions and turn its answers
//! into values a program can act on. Only loopback addresses are used.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};

use thiserror::Error;

/// A free port, chosen by the OS, on 127.0.0.1.
///
/// Bind a `TcpListener` to 127.0.0.1 port 0 ("any free port") and return
/// the port the OS chose (never 0). Errors from the OS are passed on.
pub fn ephemeral_port() -> io::Result<u16> {
    // TODO: bind port 0, then ask the socket which port it got.
    todo!("ephemeral_port")
}

/// A TCP listener on `ip` with a port chosen by the OS, ready to accept
/// connections; its `local_addr()` shows the real port. On a machine
/// without IPv6, asking for `::1` returns the OS's error (no panic).
pub fn listen_on_any_port(ip: IpAddr) -> io::Result<TcpListener> {
    // TODO: bind `ip` with port 0 and keep the listener.
    todo!("listen_on_any_port")
}

/// Why binding failed, sorted into the case a program can do something
/// about (pick another port, or tell the user who holds it) and the rest.
/// (Given complete.)
#[derive(Debug, Error)]
pub enum BindError {
    /// Another socket already holds this address and port.
    #[error(
        "{addr} is already in use: another socket is bound to it (see `ss -tlnp`)"
    )]
    AddressInUse {
        /// The address we tried to bind.
        addr: SocketAddr,
    },
    /// Any other failure: no permission, an address not on this machine, …
    #[error("could not bind: {0}")]
    Other(#[source] io::Error),
}

/// A TCP listener bound to exactly `addr`. When the OS says the address is
/// in use (`io::ErrorKind::AddrInUse`), return
/// `BindError::AddressInUse { addr }`; any other error is
/// `BindError::Other(the io::Error)`.
pub fn bind_tcp(addr: SocketAddr) -> Result<TcpListener, BindError> {
    // TODO: bind, and sort the error if there is one.
    todo!("bind_tcp")
}

/// Every IP address `host` resolves to, each once, in the order the system
/// resolver gave them.
///
/// Use `ToSocketAddrs` on `(host, 0)` (the port is a placeholder) and keep
/// only the IP addresses. `localhost` gives `127.0.0.1` and often `::1`;
/// an IP literal such as `"::1"` gives itself. The resolver may list an
/// address twice, so drop repeats. An empty `host` is refused before asking
/// anyone, with an `io::Error` of kind `InvalidInput`.
pub fn resolve_host(host: &str) -> io::Result<Vec<IpAddr>> {
    // TODO: refuse "", resolve, keep each address once.
    todo!("resolve_host")
}
