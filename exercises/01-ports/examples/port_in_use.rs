//! Two sockets cannot bind the same TCP address and port; and on Unix the
//! ports below 1024 need privileges. See what the OS says in both cases.
//!
//! ```text
//! cargo run -p ports --example port_in_use
//! ```

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};

fn main() -> io::Result<()> {
    // ANCHOR: in_use
    let first = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let taken = first.local_addr()?;
    println!("first listener holds {taken}");
    // `first` is still alive, so its port is still taken.
    match TcpListener::bind(taken) {
        Ok(_) => println!("second bind to {taken} worked?!"),
        Err(error) => {
            println!("second bind to {taken} failed: {error}");
            println!("  error kind: {:?}", error.kind());
        }
    }
    // ANCHOR_END: in_use

    // ANCHOR: privileged
    // Port 80 is well known. A normal user on Linux gets "permission
    // denied"; root, or a program with CAP_NET_BIND_SERVICE, may bind it.
    let http = SocketAddr::from((Ipv4Addr::LOCALHOST, 80));
    match TcpListener::bind(http) {
        Ok(_) => println!("bound {http}: this program is allowed to (and lets go)"),
        Err(error) => {
            println!("binding {http} failed: {error} ({:?})", error.kind())
        }
    }
    // ANCHOR_END: privileged
    Ok(())
}
