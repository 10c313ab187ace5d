//! How a connection ends badly. Closing a socket that still holds unread
//! data sends RST, not FIN, and the peer's next read fails with
//! ConnectionReset. Writing to a peer that has gone earns a RST, then
//! BrokenPipe. Connecting where nothing listens is ConnectionRefused.
//!
//! Run it: `cargo run -p tcp --example resets`

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;

    // ANCHOR: unread
    let mut client = TcpStream::connect(addr)?;
    let (server, _) = listener.accept()?;
    client.write_all(b"a request the server never reads")?;
    (&server).write_all(b"an early answer")?;
    thread::sleep(Duration::from_millis(50));
    drop(server); // closed with 32 bytes unread: the kernel sends RST
    thread::sleep(Duration::from_millis(50));
    let mut buffer = [0u8; 64];
    for attempt in 1..=2 {
        match client.read(&mut buffer) {
            Ok(n) => println!("read {attempt}: Ok({n}) {:?}", text(&buffer[..n])),
            Err(e) => println!("read {attempt}: {:?}: {e}", e.kind()),
        }
    }
    // ANCHOR_END: unread

    // ANCHOR: broken_pipe
    let mut client = TcpStream::connect(addr)?;
    let (server, _) = listener.accept()?;
    drop(server); // a clean close this time: FIN
    thread::sleep(Duration::from_millis(50));
    for attempt in 1..=3 {
        match client.write(b"are you there?") {
            Ok(n) => println!("write {attempt}: Ok({n}), the kernel took it"),
            Err(e) => println!("write {attempt}: {:?}: {e}", e.kind()),
        }
        thread::sleep(Duration::from_millis(50));
    }
    // ANCHOR_END: broken_pipe

    // ANCHOR: refused
    drop(listener);
    match TcpStream::connect(addr) {
        Ok(_) => println!("connected (unexpected)"),
        Err(e) => println!("connect with no listener: {:?}: {e}", e.kind()),
    }
    // ANCHOR_END: refused
    Ok(())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
