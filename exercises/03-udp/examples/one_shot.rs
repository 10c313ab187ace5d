//! One datagram from a sender to a receiver, both on loopback.
//!
//! Run it: `cargo run -p udp --example one_shot`

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

fn main() -> io::Result<()> {
    // ANCHOR: receiver
    // The receiver must be where the sender can find it: it binds.
    // Port 0 asks the OS for any free port; local_addr() says which.
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    let address = receiver.local_addr()?;
    println!("receiver listening on {address}");
    // ANCHOR_END: receiver

    // ANCHOR: sender
    // The sender only needs *a* socket. Port 0 again: whatever is free.
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    let sent = sender.send_to(b"hello, datagram", address)?;
    println!("sender {} sent {sent} bytes", sender.local_addr()?);
    // ANCHOR_END: sender

    // ANCHOR: receive
    // Never wait for ever on a network: a datagram may never come.
    receiver.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buffer = [0u8; 1500];
    let (len, from) = receiver.recv_from(&mut buffer)?;
    let text = String::from_utf8_lossy(&buffer[..len]);
    println!("receiver got {len} bytes from {from}: {text:?}");
    // ANCHOR_END: receive
    Ok(())
}
