//! Step 6: ask the operating system.
//!
//! Ports and names are handed out by the OS: it chooses a free port when we
//! bind port 0, refuses a port another socket holds, and turns `localhost`
//! into addresses. This step asks it all three questions, and turns its
//! answers into values a program can act on. The book shows them in chapter
//! 1, *Ports* (port 0, ports in use) and *Special addresses* (localhost).

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, ToSocketAddrs};

use thiserror::Error;

/// A free port, chosen by the OS, on 127.0.0.1.
///
/// Binding port 0 means "any free port": the OS picks one from its
/// ephemeral range and `local_addr()` tells us which. The listener is
/// dropped on return, so the port is free again, and somebody else may
/// take it before we use it. To keep a port, keep the socket (see
/// [`listen_on_any_port`]).
pub fn ephemeral_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// A TCP listener on `ip` with a port chosen by the OS, ready to accept
/// connections. Its `local_addr()` shows the real port, never 0.
pub fn listen_on_any_port(ip: IpAddr) -> io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::new(ip, 0))
}

/// Why binding failed, sorted into the case a program can do something
/// about (pick another port, or tell the user who holds it) and the rest.
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

/// A TCP listener bound to exactly `addr`, with "address in use" told apart
/// from every other failure.
pub fn bind_tcp(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr).map_err(|error| {
        // The OS says EADDRINUSE (WSAEADDRINUSE on Windows); std maps both
        // to one ErrorKind, so we need not know the platform.
        if error.kind() == io::ErrorKind::AddrInUse {
            BindError::AddressInUse { addr }
        } else {
            BindError::Other(error)
        }
    })
}

/// Every IP address `host` resolves to, each once, in the order the system
/// resolver gave them.
///
/// A name goes through the system resolver (`/etc/hosts`, then DNS): on
/// most machines `localhost` gives `127.0.0.1` and often `::1`. An IP
/// literal comes back as itself. The resolver may list an address twice
/// (once per line of `/etc/hosts` that names it), hence the de-duplication.
/// An empty name is refused with `InvalidInput` before asking anyone.
pub fn resolve_host(host: &str) -> io::Result<Vec<IpAddr>> {
    if host.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an empty host name resolves to nothing",
        ));
    }
    // `ToSocketAddrs` wants a port too; 0 is a placeholder we throw away.
    let mut addresses = Vec::new();
    for socket_addr in (host, 0).to_socket_addrs()? {
        let ip = socket_addr.ip();
        // A handful of addresses at most: a linear search is the clearest.
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
    }
    Ok(addresses)
}
