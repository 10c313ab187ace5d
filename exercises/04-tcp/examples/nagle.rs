//! Nagle's algorithm meets delayed ACKs. A client sends each request as two
//! small writes (a header, then a body) and waits for the answer. With
//! Nagle on, the body waits until the header is acknowledged, and the
//! server delays that ACK: tens of milliseconds per request. TCP_NODELAY,
//! or one write per request, removes the wait.
//!
//! Run it: `cargo run -p tcp --example nagle`

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

const ROUNDS: u32 = 20;
const HEADER: [u8; 4] = 100u32.to_be_bytes();
const BODY: [u8; 100] = [b'b'; 100];

fn main() -> io::Result<()> {
    for (nodelay, one_write) in [(false, false), (true, false), (false, true)] {
        let average = measure(nodelay, one_write)?;
        let how = if one_write { "one write" } else { "two writes" };
        println!("TCP_NODELAY {nodelay:<5}, {how:<10}: {average:>9.3?} per request");
    }
    Ok(())
}

/// The average time of one request and its answer, over ROUNDS requests.
fn measure(nodelay: bool, one_write: bool) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = thread::spawn(move || -> io::Result<()> {
        let (mut stream, _) = listener.accept()?;
        let mut request = [0u8; 104];
        while stream.read_exact(&mut request).is_ok() {
            stream.write_all(b"k")?;
        }
        Ok(())
    });

    // ANCHOR: client
    let mut stream = TcpStream::connect(addr)?;
    stream.set_nodelay(nodelay)?; // true: send every write at once
    let mut answer = [0u8; 1];
    let started = Instant::now();
    for _ in 0..ROUNDS {
        if one_write {
            stream.write_all(&[&HEADER[..], &BODY[..]].concat())?;
        } else {
            stream.write_all(&HEADER)?; // write, write, read:
            stream.write_all(&BODY)?; // the pattern Nagle punishes
        }
        stream.read_exact(&mut answer)?;
    }
    let average = started.elapsed() / ROUNDS;
    // ANCHOR_END: client
    drop(stream);
    server.join().expect("the server panicked")?;
    Ok(average)
}
