//! The listening socket only takes new connections: each `accept` returns a
//! new socket for one client, on the same local port. Closing the listener
//! refuses new clients and leaves the accepted connections working.
//!
//! Run it: `cargo run -p tcp --example listener`

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use socket2::{Domain, Socket, Type};

fn main() -> io::Result<()> {
    steps()?;

    // ANCHOR: new_socket
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let alice = TcpStream::connect(addr)?;
    let bob = TcpStream::connect(addr)?;
    let (to_alice, _) = listener.accept()?;
    let (to_bob, _) = listener.accept()?;
    println!("listener    {addr}");
    for (name, conn) in [("to alice", &to_alice), ("to bob", &to_bob)] {
        println!(
            "{name:<11} {} <-> {}",
            conn.local_addr()?,
            conn.peer_addr()?
        );
    }
    // ANCHOR_END: new_socket

    // ANCHOR: close_listener
    drop(listener); // no more new connections…
    match TcpStream::connect(addr) {
        Ok(_) => println!("a new client got in (unexpected)"),
        Err(e) => println!("a new client after the listener closed: {e}"),
    }
    // …but the accepted ones carry on.
    (&to_alice).write_all(b"still here\n")?;
    let mut line = String::new();
    BufReader::new(&alice).read_line(&mut line)?;
    println!("alice still hears the server: {:?}", line.trim_end());
    // ANCHOR_END: close_listener
    drop((bob, to_bob));
    Ok(())
}

/// The server's four steps and the client's one, as separate calls.
fn steps() -> io::Result<()> {
    // ANCHOR: steps
    // Server: socket, bind, listen, accept.
    let any_port: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    server.bind(&any_port.into())?;
    server.listen(128)?;
    let addr = server.local_addr()?;

    // Client: socket, connect. No bind: connect picks the address and an
    // ephemeral port.
    let client = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    client.connect(&addr)?;

    let (connection, peer) = server.accept()?;
    // ANCHOR_END: steps
    let (peer, local) = (peer.as_socket(), connection.local_addr()?.as_socket());
    println!("socket2: accepted {} on {}", peer.unwrap(), local.unwrap());
    Ok(())
}
