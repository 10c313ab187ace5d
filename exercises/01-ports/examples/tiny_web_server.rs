//! A browser is just a client. This tiny web server listens on 127.0.0.1
//! and answers every request with a page saying which two addresses and
//! ports the connection joins. Open the URL it prints in your browser (or
//! run `curl` on it). It stops by itself after 60 seconds, or 20 requests.
//!
//! ```text
//! cargo run -p ports --example tiny_web_server
//! cargo run -p ports --example tiny_web_server -- 8080
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

const OPEN_FOR: Duration = Duration::from_secs(60);
const MAX_REQUESTS: usize = 20;

fn main() -> io::Result<()> {
    // A port from the command line, or 0 for "any free port".
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    println!("open http://{}/ in your browser", listener.local_addr()?);

    // Non-blocking accept, so we can stop when our time is up.
    listener.set_nonblocking(true)?;
    let stop_at = Instant::now() + OPEN_FOR;
    let mut served = 0;
    while Instant::now() < stop_at && served < MAX_REQUESTS {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Err(error) = answer(stream) {
                    println!("  (a request failed: {error})");
                }
                served += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
    println!("served {served} request(s); closing");
    Ok(())
}

// ANCHOR: answer
/// Reads the request and answers with the connection's two ends.
fn answer(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let first_line = read_request_head(&stream)?;

    let (you, me) = (stream.peer_addr()?, stream.local_addr()?);
    println!("{you} -> {me}: {first_line}");
    let body = format!("you are {you}\nI am {me}\nyou asked: {first_line}\n");
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Reads the whole request head, up to the empty line that ends it, and
/// returns its first line (`GET / HTTP/1.1`).
///
/// Why not one `read` and be done: a request can be larger than one read
/// (a browser's cookies alone can fill kilobytes), and closing a socket
/// that still holds unread bytes makes the OS answer with a reset (RST)
/// instead of a normal close, so the browser may show an error instead of
/// our page. The cap keeps a client that never stops sending from filling
/// our memory.
fn read_request_head(stream: &TcpStream) -> io::Result<String> {
    const MAX_HEAD: u64 = 64 * 1024;
    let mut reader = BufReader::new(stream.take(MAX_HEAD));
    let mut first_line = String::new();
    reader.read_line(&mut first_line)?;
    let mut line = String::new();
    loop {
        line.clear();
        // 0 bytes: the client stopped sending (or hit the cap).
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    Ok(first_line.trim_end().to_string())
}
// ANCHOR_END: answer
