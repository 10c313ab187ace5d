//! Loopback: a connection that never leaves the machine. A server listens on
//! 127.0.0.1, a client connects to it, and both ends report their addresses.
//! Then the same with 127.0.0.2 (on Linux all of 127.0.0.0/8 is loopback) and
//! with ::1, the IPv6 loopback address.
//!
//! ```text
//! cargo run -p ports --example loopback
//! ```

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

fn main() {
    let addresses = [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    for ip in addresses {
        match talk_to_myself(ip) {
            Ok(()) => {}
            Err(error) => println!("{ip}: not here ({error})\n"),
        }
    }
}

// ANCHOR: loopback
/// Listens on `ip`, connects to ourselves, and shows both ends.
fn talk_to_myself(ip: IpAddr) -> io::Result<()> {
    // Port 0: let the OS choose a free port.
    let listener = TcpListener::bind(SocketAddr::new(ip, 0))?;
    let server_addr = listener.local_addr()?;
    let client = TcpStream::connect_timeout(&server_addr, Duration::from_secs(2))?;
    let (_, seen_by_server) = listener.accept()?;
    println!("server listening on {server_addr}");
    println!("client connected from {}", client.local_addr()?);
    println!("server sees a client at {seen_by_server}\n");
    Ok(())
}
// ANCHOR_END: loopback
