//! Socket options: ask, then read back what the kernel granted.
//!
//! Asks for several receive buffer sizes and prints what the kernel reports,
//! then shows a read timeout expiring and a non-blocking receive.
//!
//! Run it: `cargo run -p sockets --example options`

use std::io;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use socket2::SockRef;

fn main() -> io::Result<()> {
    // ANCHOR: buffers
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    let options = SockRef::from(&socket);
    println!(
        "SO_RCVBUF by default: {} bytes",
        options.recv_buffer_size()?
    );
    for asked in [4_096, 65_536, 1 << 20, 64 << 20] {
        options.set_recv_buffer_size(asked)?;
        let granted = options.recv_buffer_size()?;
        println!("asked for {asked:>9} bytes, the kernel reports {granted:>9}");
    }
    // ANCHOR_END: buffers

    // ANCHOR: timeout
    let mut buffer = [0; 1500];
    socket.set_read_timeout(Some(Duration::from_millis(300)))?;
    let started = Instant::now();
    if let Err(e) = socket.recv(&mut buffer) {
        let waited = started.elapsed();
        println!(
            "with a 300 ms timeout: {:?} after {waited:.0?} ({e})",
            e.kind()
        );
    }
    // ANCHOR_END: timeout

    // ANCHOR: nonblocking
    socket.set_nonblocking(true)?;
    let started = Instant::now();
    if let Err(e) = socket.recv(&mut buffer) {
        let waited = started.elapsed();
        println!("non-blocking: {:?} after {waited:.0?}", e.kind());
    }
    socket.send_to(b"now there is one", socket.local_addr()?)?;
    std::thread::sleep(Duration::from_millis(10));
    let len = socket.recv(&mut buffer)?;
    println!("non-blocking, with a datagram waiting: {len} bytes");
    // ANCHOR_END: nonblocking
    Ok(())
}
