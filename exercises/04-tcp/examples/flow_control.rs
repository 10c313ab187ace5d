//! Flow control, seen from a program: a peer that does not read makes our
//! writes stop. The bytes wait in two buffers, the peer's receive buffer
//! (what its window allows) and our send buffer; when both are full, a
//! blocking write waits and a non-blocking one says `WouldBlock`.
//!
//! Run it: `cargo run -p tcp --example flow_control`

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use socket2::SockRef;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut writer = TcpStream::connect(listener.local_addr()?)?;
    let (mut reader, _) = listener.accept()?;
    println!(
        "send buffer {} bytes, peer's receive buffer {} bytes",
        SockRef::from(&writer).send_buffer_size()?,
        SockRef::from(&reader).recv_buffer_size()?
    );

    // ANCHOR: fill
    // The reader reads nothing yet. Write until the kernel says "full".
    writer.set_nonblocking(true)?;
    let chunk = [b'x'; 64 * 1024];
    let mut accepted = 0;
    loop {
        match writer.write(&chunk) {
            Ok(n) => accepted += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    println!("the peer read nothing; the kernels took {accepted} bytes, then: full");
    // ANCHOR_END: fill

    // ANCHOR: drain
    // Now the peer reads. Its window opens and our writes go on.
    let drain = thread::spawn(move || {
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).map(|_| sink.len())
    });
    writer.set_nonblocking(false)?;
    writer.write_all(&chunk)?;
    println!(
        "once the peer reads, a blocking write_all of 64 KiB more goes through"
    );
    writer.shutdown(std::net::Shutdown::Write)?;
    let total = drain.join().expect("the reader panicked")?;
    println!("the peer received {total} bytes in all, none lost");
    // ANCHOR_END: drain
    Ok(())
}
