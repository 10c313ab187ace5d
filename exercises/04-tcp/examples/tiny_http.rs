//! HTTP/1.1 is text on a TCP connection: a request line, header lines, a
//! blank line, maybe a body; then a status line, headers, a blank line and
//! exactly Content-Length bytes of body. This server answers one request
//! per connection with one small page, and closes.
//!
//! Run it: `cargo run -p tcp --example tiny_http` (it is its own client)
//! Or serve on a port and use curl: `cargo run -p tcp --example tiny_http --
//! 127.0.0.1:8080`, then `curl -v http://127.0.0.1:8080/`

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;

const PAGE: &str =
    "<!doctype html>\n<title>netlab</title>\n<p>Hello over TCP.</p>\n";
/// The longest request head we read; more is a malformed request.
const MAX_HEAD: u64 = 8 * 1024;

fn main() -> io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = TcpListener::bind(&bind)?;
    let addr = listener.local_addr()?;
    println!("listening on {addr}");
    let own_client = bind.parse::<SocketAddr>().is_ok_and(|a| a.port() == 0);
    if own_client {
        // No port given: serve one request, to ourselves.
        let server = thread::spawn(move || listener.accept().map(|(s, _)| serve(s)));
        raw_client(addr)?;
        return server.join().expect("the server panicked");
    }
    for stream in listener.incoming().flatten() {
        serve(stream);
    }
    Ok(())
}

fn serve(stream: TcpStream) {
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    match answer(&stream) {
        Ok(status) => println!("{peer}: {status}"),
        Err(e) => println!("{peer}: {e}"),
    }
}

/// Reads one request head and writes one response; returns its status.
fn answer(stream: &TcpStream) -> io::Result<&'static str> {
    // ANCHOR: read_head
    let mut head = BufReader::new(stream.take(MAX_HEAD));
    let mut request_line = String::new();
    head.read_line(&mut request_line)?;
    // Read (and here ignore) the headers, up to the blank line.
    let mut complete = false;
    let mut header = String::new();
    while head.read_line(&mut header)? > 0 {
        if header == "\r\n" || header == "\n" {
            complete = true;
            break;
        }
        header.clear();
    }
    let parts: Vec<&str> = request_line.split_whitespace().collect();
    let (status, body) = match parts.as_slice() {
        [method, target, version] if complete && version.starts_with("HTTP/1.") => {
            route(method, target)
        }
        _ => ("400 Bad Request", "bad request\n"),
    };
    // ANCHOR_END: read_head
    // ANCHOR: respond
    let kind = if body == PAGE {
        "text/html"
    } else {
        "text/plain"
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if status.starts_with("405") {
        response.push_str("Allow: GET, HEAD\r\n");
    }
    response.push_str("\r\n"); // the blank line: the head ends here
    if parts.first() != Some(&"HEAD") {
        response.push_str(body); // HEAD: the same head, no body
    }
    let mut stream = stream;
    stream.write_all(response.as_bytes())?;
    // ANCHOR_END: respond
    Ok(status)
}

// ANCHOR: route
/// The status and body for a method and a target.
fn route(method: &str, target: &str) -> (&'static str, &'static str) {
    match (method, target) {
        ("GET" | "HEAD", "/") => ("200 OK", PAGE),
        ("GET" | "HEAD", _) => ("404 Not Found", "not found\n"),
        _ => ("405 Method Not Allowed", "method not allowed\n"),
    }
}
// ANCHOR_END: route

fn raw_client(addr: SocketAddr) -> io::Result<()> {
    // ANCHOR: raw_client
    let mut stream = TcpStream::connect(addr)?;
    let request =
        format!("GET / HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: netlab\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?; // the server closes when done
    print!("{response}");
    // ANCHOR_END: raw_client
    Ok(())
}
