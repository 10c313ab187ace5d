//! Datagrams keep their edges: three sends are three receives. A buffer too
//! small cuts a datagram short; a datagram too large is refused.
//!
//! Run it: `cargo run -p udp --example boundaries`

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

fn main() -> io::Result<()> {
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    receiver.set_read_timeout(Some(Duration::from_secs(2)))?;
    let to = receiver.local_addr()?;
    let sender = UdpSocket::bind("127.0.0.1:0")?;

    // ANCHOR: three_sends
    for word in ["one", "two", "three"] {
        sender.send_to(word.as_bytes(), to)?;
    }
    let mut buffer = [0u8; 1500];
    for _ in 0..3 {
        // Each receive returns exactly one datagram, never two glued
        // together and never half of one.
        let (len, _) = receiver.recv_from(&mut buffer)?;
        println!(
            "received {len} bytes: {:?}",
            String::from_utf8_lossy(&buffer[..len])
        );
    }
    // ANCHOR_END: three_sends

    // ANCHOR: truncation
    sender.send_to(b"0123456789ABCDEF", to)?;
    sender.send_to(b"next", to)?;
    let mut small = [0u8; 10];
    let (len, _) = receiver.recv_from(&mut small)?;
    // On Linux: len is 10, no error, and "ABCDEF" is gone for good.
    println!(
        "a 16-byte datagram into 10 bytes: got {len}: {:?}",
        String::from_utf8_lossy(&small[..len])
    );
    let (len, _) = receiver.recv_from(&mut small)?;
    println!(
        "the next receive: {:?}",
        String::from_utf8_lossy(&small[..len])
    );
    // ANCHOR_END: truncation

    // ANCHOR: too_large
    let largest = vec![0u8; 65_507];
    let too_large = vec![0u8; 65_508];
    println!(
        "65 507 bytes: {:?}",
        sender.send_to(&largest, to).map(|n| format!("{n} sent"))
    );
    match sender.send_to(&too_large, to) {
        Ok(n) => println!("65 508 bytes: {n} sent (unexpected!)"),
        Err(error) => println!("65 508 bytes: refused: {error}"),
    }
    // ANCHOR_END: too_large
    Ok(())
}
