//! The listen backlog on Linux: the queue of connections that finished the
//! handshake but were not accepted yet. A listener with backlog 2 that
//! never calls `accept` takes 3 connections (Linux allows backlog + 1);
//! the SYNs of the next clients are dropped, and those clients wait.
//!
//! Run it: `cargo run -p tcp --example backlog` (Linux; uses `ss`)

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

fn main() -> io::Result<()> {
    // ANCHOR: listen
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&addr.into())?;
    socket.listen(2)?; // a backlog of 2, and no accept ever
    let addr = socket.local_addr()?.as_socket().expect("an IP address");
    // ANCHOR_END: listen

    // ANCHOR: connect
    let mut clients = Vec::new();
    for n in 1..=5 {
        let started = Instant::now();
        match TcpStream::connect_timeout(&addr, Duration::from_millis(1500)) {
            Ok(stream) => {
                println!("client {n}: connected in {:?}", started.elapsed());
                clients.push(stream); // keep it open, so it stays queued
            }
            Err(e) => println!("client {n}: {e} after {:?}", started.elapsed()),
        }
    }
    // ANCHOR_END: connect

    let filter = format!("sport = :{}", addr.port());
    if let Ok(out) = Command::new("ss").args(["-ltn", &filter]).output() {
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    Ok(())
}
