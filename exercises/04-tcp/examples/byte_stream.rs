//! A TCP stream keeps the order of bytes, not the edges of writes: two
//! writes can come out of one read, and one write can take many reads.
//! `read` returns what has arrived, never waiting for "the rest".
//!
//! Run it: `cargo run -p tcp --example byte_stream`

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut sender = TcpStream::connect(listener.local_addr()?)?;
    let (mut receiver, _) = listener.accept()?;

    // ANCHOR: glued
    sender.write_all(b"HELLO")?;
    sender.write_all(b"WORLD")?;
    thread::sleep(Duration::from_millis(50)); // both have arrived by now
    let mut buffer = [0u8; 1024];
    let n = receiver.read(&mut buffer)?;
    println!("two writes of 5, one read: {:?}", text(&buffer[..n]));
    // ANCHOR_END: glued

    // ANCHOR: recv5
    // The classic tutorial's `recv(sock, buf, 5, 0)`: ask for 5 bytes…
    let dribbler = thread::spawn(move || -> io::Result<TcpStream> {
        for byte in b"HELLO" {
            sender.write_all(&[*byte])?;
            thread::sleep(Duration::from_millis(20));
        }
        Ok(sender)
    });
    let mut five = [0u8; 5];
    let n = receiver.read(&mut five)?;
    println!("read into 5 bytes while the peer dribbles: {n} byte(s)");
    // …and `read_exact` loops until all 5 are there.
    let mut rest = vec![0u8; 5 - n];
    receiver.read_exact(&mut rest)?;
    println!(
        "read_exact took the other {}: {:?}",
        rest.len(),
        text(&rest)
    );
    // ANCHOR_END: recv5
    let _sender = dribbler.join().expect("the sender panicked")?;
    Ok(())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
