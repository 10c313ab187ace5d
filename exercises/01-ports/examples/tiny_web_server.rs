//! A browser is just a client. This tiny web server listens on 127.0.0.1
//! and answers every request with a page saying which two addresses and
//! ports the connection joins. Open the URL it prints in your browser (or
//! run `curl` on it). It stops by itself after 60 seconds, or 20 requests.
//!
//! ```text
//! cargo run -p ports --example tiny_web_server
//! cargo run -p ports --example tiny_web_server -- 8080
//! ```

use std::io::{self, Read, Write};
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
/// Reads the request's first line and answers with the connection's two ends.
fn answer(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut request = [0; 1024];
    let len = stream.read(&mut request)?;
    let text = String::from_utf8_lossy(&request[..len]);
    let first_line = text.lines().next().unwrap_or("");

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
// ANCHOR_END: answer
