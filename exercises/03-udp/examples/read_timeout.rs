//! A receive that gives up: what a read timeout looks like when it expires.
//!
//! Run it: `cargo run -p udp --example read_timeout`

use std::io;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

fn main() -> io::Result<()> {
    // ANCHOR: timeout
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_read_timeout(Some(Duration::from_millis(300)))?;
    let started = Instant::now();
    let mut buffer = [0u8; 1500];
    match socket.recv_from(&mut buffer) {
        Ok((len, from)) => println!("{len} bytes from {from}"),
        // Unix says WouldBlock, Windows says TimedOut: check for both.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            println!("nothing after {:?} ({:?})", started.elapsed(), error.kind());
        }
        Err(error) => return Err(error),
    }
    // ANCHOR_END: timeout

    // ANCHOR: backoff
    // Waits that double: 200 ms, 400 ms, 800 ms, 1.6 s, 3.2 s.
    let mut wait = Duration::from_millis(200);
    for attempt in 1..=5 {
        println!("attempt {attempt}: wait up to {wait:?}");
        wait *= 2;
    }
    // ANCHOR_END: backoff
    Ok(())
}
