//! A "connected" UDP socket: a default destination, a filter on what it
//! receives, and errors it would otherwise never hear about.
//!
//! Run it: `cargo run -p udp --example connected`

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

fn main() -> io::Result<()> {
    let server = UdpSocket::bind("127.0.0.1:0")?;
    let stranger = UdpSocket::bind("127.0.0.1:0")?;

    // ANCHOR: connect
    let client = UdpSocket::bind("127.0.0.1:0")?;
    client.set_read_timeout(Some(Duration::from_millis(500)))?;
    // No packet is sent: connect only records the peer in the kernel.
    client.connect(server.local_addr()?)?;
    client.send(b"no address needed")?;
    // ANCHOR_END: connect

    // ANCHOR: filter
    // Both write to the client; only the connected peer gets through.
    stranger.send_to(b"from a stranger", client.local_addr()?)?;
    server.send_to(b"from the server", client.local_addr()?)?;
    let mut buffer = [0u8; 64];
    let len = client.recv(&mut buffer)?;
    println!(
        "the client received: {:?}",
        String::from_utf8_lossy(&buffer[..len])
    );
    // ANCHOR_END: filter

    // ANCHOR: refused
    // A port where nobody listens: bind one, note it, close it.
    let closed = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;
    let lonely = UdpSocket::bind("127.0.0.1:0")?;
    lonely.set_read_timeout(Some(Duration::from_millis(500)))?;
    lonely.connect(closed)?;
    lonely.send(b"anyone there?")?;
    // The kernel at the other end answered with ICMP "port unreachable";
    // a connected socket reports it on the next call.
    match lonely.recv(&mut buffer) {
        Ok(len) => println!("unexpected: {len} bytes"),
        Err(error) => println!("recv from {closed}: {error} ({:?})", error.kind()),
    }
    // ANCHOR_END: refused
    Ok(())
}
