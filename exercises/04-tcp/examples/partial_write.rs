//! `write` may take fewer bytes than it was given. On a non-blocking socket
//! whose buffers are nearly full, a 1 MiB write takes what fits and returns
//! its count; the rest is the caller's problem. `write_all` is the loop that
//! solves it.
//!
//! Run it: `cargo run -p tcp --example partial_write`

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use socket2::SockRef;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut writer = TcpStream::connect(listener.local_addr()?)?;
    let (mut reader, _) = listener.accept()?;

    // ANCHOR: partial
    // A small send buffer (the kernel doubles it, and keeps a minimum).
    SockRef::from(&writer).set_send_buffer_size(16 * 1024)?;
    writer.set_nonblocking(true)?;
    let message = vec![b'm'; 1024 * 1024]; // 1 MiB
    let taken = writer.write(&message)?;
    println!("write(1 MiB) returned {taken}: only that much was sent");
    // ANCHOR_END: partial

    // ANCHOR: write_all
    // The reader starts reading; write_all sends the rest, waiting as it must.
    let reading = thread::spawn(move || {
        let mut all = Vec::new();
        reader.read_to_end(&mut all).map(|_| all.len())
    });
    writer.set_nonblocking(false)?;
    writer.write_all(&message[taken..])?;
    writer.shutdown(std::net::Shutdown::Write)?;
    let received = reading.join().expect("the reader panicked")?;
    println!(
        "write_all sent the other {}; the peer got {received}",
        message.len() - taken
    );
    // ANCHOR_END: write_all
    Ok(())
}
