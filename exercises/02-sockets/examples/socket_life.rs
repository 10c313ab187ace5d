//! The life of a socket, one system call at a time, with `socket2`.
//!
//! `std` hides the steps (`TcpListener::bind` is socket, bind and listen in
//! one); `socket2` shows each of them. A server and a client on 127.0.0.1
//! exchange one line, and every step is printed as it happens.
//!
//! Run it: `cargo run -p sockets --example socket_life`

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};

fn main() -> io::Result<()> {
    // ANCHOR: server
    let server = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    println!("server: socket()  -> a TCP socket, not yet anywhere");
    let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    server.bind(&wanted.into())?;
    let addr = server.local_addr()?;
    println!("server: bind()    -> it has an address: {}", show(&addr));
    server.listen(16)?;
    println!("server: listen()  -> the kernel now accepts connections for us");
    // ANCHOR_END: server

    // ANCHOR: client
    let mut client = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    println!("client: socket()  -> a TCP socket");
    client.connect(&addr)?;
    println!("client: connect() -> handshake done, the kernel chose our port");
    let (mut connection, peer) = server.accept()?;
    println!("server: accept()  -> a new socket for {}", show(&peer));
    // ANCHOR_END: client

    // ANCHOR: talk
    client.write_all(b"ping")?;
    println!("client: write()   -> 4 bytes handed to the kernel");
    connection.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buffer = [0; 16];
    let len = connection.read(&mut buffer)?;
    println!(
        "server: read()    -> {:?}",
        String::from_utf8_lossy(&buffer[..len])
    );
    // ANCHOR_END: talk

    // ANCHOR: close
    drop(client);
    println!("client: close()   -> (Drop) the kernel sends FIN");
    let len = connection.read(&mut buffer)?;
    println!("server: read()    -> {len} bytes: the client has gone");
    drop(connection);
    drop(server);
    println!("server: close()   -> (Drop) the port is free again");
    // ANCHOR_END: close
    Ok(())
}

/// A socket address as people write it (`127.0.0.1:8080`).
fn show(addr: &SockAddr) -> String {
    match addr.as_socket() {
        Some(ip_and_port) => ip_and_port.to_string(),
        None => "(not an IP address)".to_string(),
    }
}
