//! Why `socket2`: options that must be set between `socket()` and `bind()`.
//!
//! Restarts a TCP server on the same port right after it closed a connection,
//! once without SO_REUSEADDR and once with it set before `bind`; then shows
//! that std sets the option for you, and what IPV6_V6ONLY is. All on loopback.
//!
//! Run it: `cargo run -p sockets --example before_bind`

use std::io::{self, Read};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use socket2::{Domain, SockRef, Socket, Type};

fn main() -> io::Result<()> {
    // ANCHOR: restart
    for reuse in [false, true] {
        let first = listener(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), reuse)?;
        let addr = first.local_addr()?;
        serve_one_connection_and_close_first(&first)?;
        drop(first);
        // The server "restarts" at once, on the same port.
        match listener(addr, reuse) {
            Ok(_) => println!("SO_REUSEADDR {reuse:<5}: listening on {addr} again"),
            Err(e) => println!("SO_REUSEADDR {reuse:<5}: binding {addr} again: {e}"),
        }
    }
    // ANCHOR_END: restart

    // ANCHOR: sockref
    // SockRef borrows any std socket to read or set the options std lacks.
    let std_listener = TcpListener::bind("127.0.0.1:0")?;
    let options = SockRef::from(&std_listener);
    println!(
        "std's TcpListener::bind set SO_REUSEADDR: {}",
        options.reuse_address()?
    );
    // ANCHOR_END: sockref

    ipv6_only()
}

// ANCHOR: listener
/// A TCP listener with SO_REUSEADDR on or off, set before bind, handed to std.
fn listener(addr: SocketAddr, reuse: bool) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(reuse)?; // before bind, or it is too late
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    Ok(socket.into()) // the same file descriptor, now a std TcpListener
}
// ANCHOR_END: listener

/// Accepts one connection and closes it before the client does, which leaves
/// the server's end of it waiting in TIME_WAIT on the listener's port.
fn serve_one_connection_and_close_first(listener: &TcpListener) -> io::Result<()> {
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (accepted, _) = listener.accept()?;
    drop(accepted);
    client.set_read_timeout(Some(Duration::from_secs(2)))?;
    client.read_to_end(&mut Vec::new())?;
    Ok(())
}

/// Shows the default of IPV6_V6ONLY and sets it.
fn ipv6_only() -> io::Result<()> {
    // ANCHOR: v6only
    let socket = Socket::new(Domain::IPV6, Type::STREAM, None)?;
    println!("IPV6_V6ONLY of a new IPv6 socket: {}", socket.only_v6()?);
    socket.set_only_v6(true)?;
    let loopback = SocketAddr::from((Ipv6Addr::LOCALHOST, 0));
    match socket.bind(&loopback.into()) {
        Ok(()) => {
            socket.listen(128)?;
            let listener: TcpListener = socket.into();
            println!("IPv6 only, listening on {}", listener.local_addr()?);
        }
        Err(e) => println!("no IPv6 on this machine: {e}"),
    }
    // ANCHOR_END: v6only
    Ok(())
}
