//! Port 0 means "any free port, you choose": bind a few sockets to port 0
//! and see which ports the OS picked, and from which range.
//!
//! ```text
//! cargo run -p ports --example port_zero
//! ```

use std::io;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};

fn main() -> io::Result<()> {
    // ANCHOR: port_zero
    // Keep the sockets alive in these vectors: a dropped socket frees its
    // port, and the OS might hand the same number out again.
    let mut tcp = Vec::new();
    let mut udp = Vec::new();
    for _ in 0..3 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        println!("TCP listener got {}", listener.local_addr()?);
        tcp.push(listener);
    }
    for _ in 0..2 {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        println!("UDP socket got   {}", socket.local_addr()?);
        udp.push(socket);
    }
    // ANCHOR_END: port_zero
    show_linux_range();
    Ok(())
}

/// Linux hands out ports from net.ipv4.ip_local_port_range.
fn show_linux_range() {
    let path = "/proc/sys/net/ipv4/ip_local_port_range";
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let range = text.split_whitespace().collect::<Vec<_>>().join(" to ");
            println!("this Linux system picks them from {range} ({path})");
        }
        Err(_) => println!("(no {path} here: not Linux)"),
    }
}
