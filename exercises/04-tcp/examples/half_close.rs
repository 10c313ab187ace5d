//! `read` returning `Ok(0)` means the peer has stopped *sending*, not that
//! it has gone: after `shutdown(Write)` a client can still read the reply.
//! Here the server counts the bytes of a request that ends at EOF, then
//! answers on the same connection.
//!
//! Run it: `cargo run -p tcp --example half_close`

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;

    // ANCHOR: server
    let server = thread::spawn(move || -> io::Result<()> {
        let (mut stream, _) = listener.accept()?;
        let mut request = Vec::new();
        // read_to_end loops until read returns Ok(0): the client's FIN.
        stream.read_to_end(&mut request)?;
        println!(
            "server: EOF after {} bytes; answering anyway",
            request.len()
        );
        let reply = format!(
            "{} bytes, {} lines\n",
            request.len(),
            request.split(|b| *b == b'\n').count() - 1
        );
        stream.write_all(reply.as_bytes())?;
        Ok(()) // drop: now the server sends its FIN
    });
    // ANCHOR_END: server

    // ANCHOR: client
    let mut stream = TcpStream::connect(addr)?;
    stream.write_all(b"one\ntwo\nthree\n")?;
    stream.shutdown(Shutdown::Write)?; // "that is all I will send"
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?; // but still listening
    println!(
        "client: the reply after my half-close: {:?}",
        reply.trim_end()
    );
    // ANCHOR_END: client
    server.join().expect("the server panicked")
}
