//! The smallest TCP exchange: a server that accepts one connection, reads a
//! line and answers it; a client that connects, asks and reads the answer
//! until the server hangs up.
//!
//! Run it: `cargo run -p tcp --example first_connection`
//! Or give the server a port, to watch it with `ss` or `tshark`:
//! `cargo run -p tcp --example first_connection -- 127.0.0.1:4000`

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

fn main() -> io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    // ANCHOR: server
    let listener = TcpListener::bind(&bind)?;
    let addr = listener.local_addr()?;
    println!("server: listening on {addr}");
    let server = thread::spawn(move || -> io::Result<()> {
        // accept waits for a client and returns a new socket for it.
        let (stream, peer) = listener.accept()?;
        println!("server: {peer} connected");
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line)?;
        let answer = format!("you said {} bytes\n", line.trim_end().len());
        (&stream).write_all(answer.as_bytes())?;
        println!("server: answered, hanging up");
        Ok(()) // dropping `stream` closes the connection
    });
    // ANCHOR_END: server

    // ANCHOR: client
    let mut stream = TcpStream::connect(addr)?;
    println!("client: connected from {}", stream.local_addr()?);
    stream.write_all(b"hello, stream\n")?;
    // The answer ends when the server closes: read until end of stream.
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    println!("client: got {answer:?}");
    // ANCHOR_END: client
    server.join().expect("the server thread panicked")
}
