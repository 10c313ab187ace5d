//! A socket is a file descriptor: opened, read, written, closed.
//!
//! Opens a TCP listener and a connection on 127.0.0.1, shows the descriptors
//! the kernel handed out, sends a line through, and lets `Drop` close it all.
//!
//! Run it: `cargo run -p sockets --example first_socket`

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn main() -> io::Result<()> {
    // ANCHOR: open
    // socket() + bind() + listen(), on a port the system picks.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // socket() + connect(): the client's end.
    let mut client = TcpStream::connect(addr)?;
    // accept(): a *new* socket for this one connection.
    let (mut server, peer) = listener.accept()?;
    println!("listening on {addr}; accepted a connection from {peer}");
    // ANCHOR_END: open

    show_descriptors(&listener, &client, &server);

    // ANCHOR: read_write
    client.write_all(b"hello, socket")?;
    server.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buffer = [0; 64];
    let len = server.read(&mut buffer)?;
    let text = String::from_utf8_lossy(&buffer[..len]);
    println!("the server read {len} bytes: {text:?}");
    // ANCHOR_END: read_write

    // ANCHOR: drop
    drop(client); // close(): the kernel tells the other side "no more data"
    let len = server.read(&mut buffer)?;
    println!("after the client was dropped, read returned {len}: end of stream");

    drop(server);
    drop(listener); // the port is free again: nobody listens there now
    match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
        Ok(_) => println!("connected to {addr}?! someone else took the port"),
        Err(e) => println!("connecting to {addr} again: {e}"),
    }
    // ANCHOR_END: drop
    Ok(())
}

/// Prints each socket's file descriptor, and on Linux what /proc says it is.
#[cfg(unix)]
fn show_descriptors(listener: &TcpListener, client: &TcpStream, server: &TcpStream) {
    // ANCHOR: descriptors
    use std::os::fd::AsRawFd;

    let sockets = [
        ("listener", listener.as_raw_fd()),
        ("client", client.as_raw_fd()),
        ("server", server.as_raw_fd()),
    ];
    for (name, fd) in sockets {
        // On Linux every open file of a process is listed in /proc/self/fd.
        let what = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            .map(|target| target.display().to_string())
            .unwrap_or_else(|_| "(no /proc on this system)".to_string());
        println!("{name:>8} is file descriptor {fd}: {what}");
    }
    // ANCHOR_END: descriptors
}

/// Windows calls them SOCKET handles, and has no /proc to look them up in.
#[cfg(not(unix))]
fn show_descriptors(_: &TcpListener, _: &TcpStream, _: &TcpStream) {
    println!("(on Windows a socket is a SOCKET handle rather than a descriptor)");
}
