//! Two ways to find the messages in a byte stream: a delimiter (one message
//! per line) and a length prefix (4 bytes, big-endian, then the message).
//! Both need a limit, or a peer can make us buffer without end.
//!
//! Run it: `cargo run -p tcp --example framing`

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// The longest message this program accepts, lines and frames alike.
const MAX_MESSAGE: usize = 64 * 1024;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut sender = TcpStream::connect(listener.local_addr()?)?;
    let (receiver, _) = listener.accept()?;
    let mut receiver = BufReader::new(receiver);

    // ANCHOR: lines
    sender.write_all(b"first line\nsecond ")?;
    sender.write_all(b"line\n")?;
    let mut line = String::new();
    for _ in 0..2 {
        line.clear();
        // read_line buffers until it sees b'\n', however the bytes arrive.
        // `take` caps it: no newline within MAX_MESSAGE bytes is an error.
        (&mut receiver)
            .take(MAX_MESSAGE as u64 + 1)
            .read_line(&mut line)?;
        if !line.ends_with('\n') {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
        println!("line: {:?}", line.trim_end());
    }
    // ANCHOR_END: lines

    // ANCHOR: send_frame
    for message in [&b"hello"[..], &b""[..], &b"a frame may hold \n or \0"[..]] {
        let len = u32::try_from(message.len()).expect("small message");
        sender.write_all(&len.to_be_bytes())?;
        sender.write_all(message)?;
    }
    // ANCHOR_END: send_frame
    for _ in 0..3 {
        let frame = read_frame(&mut receiver)?;
        println!(
            "frame of {} bytes: {:?}",
            frame.len(),
            String::from_utf8_lossy(&frame)
        );
    }

    // ANCHOR: hostile
    sender.write_all(&u32::MAX.to_be_bytes())?; // "4 GiB follow", says the peer
    match read_frame(&mut receiver) {
        Ok(frame) => println!("accepted {} bytes (unexpected)", frame.len()),
        Err(e) => println!("a length of {}: {e}", u32::MAX),
    }
    // ANCHOR_END: hostile
    Ok(())
}

// ANCHOR: read_frame
/// Reads one length-prefixed frame, refusing lengths over MAX_MESSAGE
/// *before* allocating anything.
fn read_frame(stream: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = [0u8; 4];
    stream.read_exact(&mut prefix)?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > MAX_MESSAGE {
        let why = format!("frame of {len} bytes is over the limit of {MAX_MESSAGE}");
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    let mut frame = vec![0u8; len];
    stream.read_exact(&mut frame)?;
    Ok(frame)
}
// ANCHOR_END: read_frame
