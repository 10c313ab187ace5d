//! A client need not bind: the OS gives its socket an ephemeral port on the
//! first send. std's `UdpSocket` is always bound, so this uses socket2,
//! which can hold a socket before `bind`.
//!
//! Run it: `cargo run -p udp --example implicit_bind`

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

fn main() -> io::Result<()> {
    let server = UdpSocket::bind("127.0.0.1:0")?;
    server.set_read_timeout(Some(Duration::from_secs(2)))?;
    let server_addr = server.local_addr()?;

    // ANCHOR: unbound
    let client = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    // Not bound yet: the address is all zeros.
    println!(
        "before sending: {}",
        describe(client.local_addr()?.as_socket())
    );

    client.send_to(b"who am I?", &server_addr.into())?;
    // The send bound it: the OS chose an ephemeral port.
    println!(
        "after sending:  {}",
        describe(client.local_addr()?.as_socket())
    );
    // ANCHOR_END: unbound

    let mut buffer = [0u8; 64];
    let (len, from) = server.recv_from(&mut buffer)?;
    println!("the server saw {len} bytes from {from}");
    Ok(())
}

fn describe(addr: Option<SocketAddr>) -> String {
    addr.map_or_else(|| "not an IP address".to_string(), |addr| addr.to_string())
}
