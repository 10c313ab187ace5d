//! Step 8: a tiny HTTP/1.1 file server.
//!
//! HTTP is a protocol on top of TCP: the client sends a *head* — a request
//! line, header lines, a blank line — and the server answers with a status
//! line, headers, a blank line and the body. This server answers one
//! request per connection and closes (`Connection: close`); it says how
//! long the body is (`Content-Length`), so the client knows it got all of
//! it; and it serves only files under its root, whatever the path says.
//!
//! ```text
//! GET /notes.txt HTTP/1.1\r\n          HTTP/1.1 200 OK\r\n
//! Host: 127.0.0.1:8080\r\n      ──►    Content-Type: text/plain; charset=utf-8\r\n
//! \r\n                                  Content-Length: 12\r\n
//!                                       Connection: close\r\n
//!                                       \r\n
//!                                       hello, web!\n
//! ```

use std::error::Error;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::report::{ConnectionReport, Counting, Log, no_log};
use crate::step2_echo::Counts;
use crate::step6_many_clients::is_one_clients_trouble;

/// The largest request head accepted, blank line included: 8 KiB.
pub const MAX_HEAD: usize = 8 * 1024;

/// How long a client may take to send its request head.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The request line of a request, once its whole head has arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, `POST`, …
    pub method: String,
    /// The path asked for, as sent: `/notes.txt?x=1`.
    pub target: String,
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub version: String,
}

/// Why no request could be read.
#[derive(Debug)]
pub enum RequestError {
    /// Not HTTP: the reason, for the 400 page.
    Malformed(&'static str),
    /// No blank line within the first [`MAX_HEAD`] bytes.
    HeadTooLarge,
    /// The connection ended before a single byte of a request.
    Closed,
    /// The socket failed (a timeout, a reset).
    Io(io::Error),
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Malformed(why) => write!(f, "malformed request: {why}"),
            RequestError::HeadTooLarge => {
                write!(f, "the request head is over {MAX_HEAD} bytes")
            }
            RequestError::Closed => write!(f, "the client sent no request"),
            RequestError::Io(error) => write!(f, "reading the request: {error}"),
        }
    }
}

impl Error for RequestError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            RequestError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for RequestError {
    fn from(error: io::Error) -> Self {
        RequestError::Io(error)
    }
}

/// Reads a whole request head (up to its blank line, at most [`MAX_HEAD`]
/// bytes) and parses its request line.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, RequestError> {
    let mut head = Vec::new();
    // The limit is on the whole head, so a client cannot make us buffer
    // more than 8 KiB however it splits its lines.
    let mut limited = reader.take(MAX_HEAD as u64);
    loop {
        let start = head.len();
        if limited.read_until(b'\n', &mut head)? == 0 {
            return Err(if head.len() >= MAX_HEAD {
                RequestError::HeadTooLarge
            } else if head.is_empty() {
                RequestError::Closed
            } else {
                RequestError::Malformed("the head ended before its blank line")
            });
        }
        let line = &head[start..];
        // Lines end in CRLF; a bare LF is accepted too (RFC 9112, 2.2).
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    parse_head(&head)
}

/// Splits a complete head into its request line, checking the headers'
/// shape on the way.
fn parse_head(head: &[u8]) -> Result<Request, RequestError> {
    let head = std::str::from_utf8(head)
        .map_err(|_| RequestError::Malformed("the head is not text"))?;
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(RequestError::Malformed(
            "the request line is not `METHOD TARGET VERSION`",
        ));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(RequestError::Malformed("the method is not a word"));
    }
    if !target.starts_with('/') {
        return Err(RequestError::Malformed("the target does not start with /"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(RequestError::Malformed(
            "the version is not HTTP/1.0 or 1.1",
        ));
    }
    for header in lines.take_while(|line| !line.is_empty()) {
        if !header.contains(':') {
            return Err(RequestError::Malformed("a header line has no colon"));
        }
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        version: version.to_string(),
    })
}

/// The file under `root` that `target` names, or `None` when there is none
/// or the path would leave the root.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let mut resolved = root.to_path_buf();
    for segment in path.split('/') {
        match segment {
            // `//etc/passwd` gives empty segments: skipping them keeps the
            // path relative, so `push` never replaces the root.
            "" | "." => {}
            ".." => return None,
            _ if segment.contains(['\\', '\0']) => return None,
            _ => resolved.push(segment),
        }
    }
    if resolved.is_dir() {
        resolved.push("index.html");
    }
    // Following every symbolic link, the file must still be in the root.
    let resolved = resolved.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    (resolved.starts_with(&root) && resolved.is_file()).then_some(resolved)
}

/// The `Content-Type` for a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" | "md" | "rs" => "text/plain; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        _ => "application/octet-stream",
    }
}

/// Serves files under `root` for ever, a thread per connection.
pub fn serve_http(listener: TcpListener, root: PathBuf) -> io::Result<()> {
    serve_http_logged(listener, root, no_log())
}

/// [`serve_http`], reporting each connection to `log` when it ends.
pub fn serve_http_logged(
    listener: TcpListener,
    root: PathBuf,
    log: Log,
) -> io::Result<()> {
    let root = Arc::new(root);
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) if is_one_clients_trouble(&error) => continue,
            Err(error) => return Err(error),
        };
        let root = Arc::clone(&root);
        let log = Arc::clone(&log);
        let _ = thread::Builder::new()
            .name("http connection".to_string())
            .spawn(move || {
                if let Ok(report) = exchange(stream, &root) {
                    log(&report);
                }
            });
    }
}

/// Answers one request on `stream` with a file under `root` (or an error
/// page), then closes the connection.
pub fn handle_connection(stream: TcpStream, root: &Path) -> io::Result<()> {
    exchange(stream, root).map(|_| ())
}

/// One request, one response, one close; and what it was, for the log.
fn exchange(stream: TcpStream, root: &Path) -> io::Result<ConnectionReport> {
    let peer = stream.peer_addr()?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let mut reader = BufReader::new(Counting::new(&stream));
    let mut writer = Counting::new(&stream);
    let ended = match read_request(&mut reader) {
        Ok(request) => answer(&mut writer, &request, root)?,
        Err(RequestError::Closed) => "no request".to_string(),
        Err(RequestError::Io(error)) => return Err(error),
        Err(error) => {
            let page = format!("400 Bad Request: {error}\n");
            send_head(
                &mut writer,
                400,
                "Bad Request",
                "text/plain; charset=utf-8",
                page.len() as u64,
                &[],
            )?;
            writer.write_all(page.as_bytes())?;
            format!("400 ({error})")
        }
    };
    close_gracefully(&stream, &mut reader);
    Ok(ConnectionReport {
        peer,
        counts: Counts {
            bytes_in: reader.get_ref().count(),
            bytes_out: writer.count(),
        },
        ended,
    })
}

/// Sends the response to a well-formed request; returns what to log.
fn answer(
    writer: &mut impl Write,
    request: &Request,
    root: &Path,
) -> io::Result<String> {
    let summary =
        |status: u16| format!("{} {} {status}", request.method, request.target);
    let with_body = match request.method.as_str() {
        "GET" => true,
        "HEAD" => false,
        _ => {
            let page = "405 Method Not Allowed: only GET and HEAD\n";
            send_head(
                writer,
                405,
                "Method Not Allowed",
                "text/plain; charset=utf-8",
                page.len() as u64,
                &[("Allow", "GET, HEAD")],
            )?;
            writer.write_all(page.as_bytes())?;
            return Ok(summary(405));
        }
    };
    let found = resolve(root, &request.target)
        .and_then(|path| File::open(&path).ok().map(|file| (path, file)));
    let Some((path, file)) = found else {
        let page = "404 Not Found\n";
        send_head(
            writer,
            404,
            "Not Found",
            "text/plain; charset=utf-8",
            page.len() as u64,
            &[],
        )?;
        if with_body {
            writer.write_all(page.as_bytes())?;
        }
        return Ok(summary(404));
    };
    let len = file.metadata()?.len();
    send_head(writer, 200, "OK", content_type(&path), len, &[])?;
    if with_body {
        // Streamed, so a large file costs no memory; `take` keeps the
        // promise of Content-Length even if the file grows meanwhile.
        io::copy(&mut file.take(len), writer)?;
    }
    Ok(summary(200))
}

/// The status line and headers every response carries.
fn send_head(
    writer: &mut impl Write,
    status: u16,
    reason: &str,
    content_type: &str,
    content_length: u64,
    extra: &[(&str, &str)],
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: {content_type}\r\n\
         Content-Length: {content_length}\r\n\
         Connection: close\r\n"
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())
}

/// Closes without a reset: our FIN first, then read (and drop) whatever
/// the client still sends until it closes too. Closing a socket with
/// unread bytes would send RST, and the client could lose our response.
fn close_gracefully(stream: &TcpStream, reader: &mut impl Read) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    // Bounded, in bytes and in time: a client may not keep us for ever.
    let _ = io::copy(&mut reader.take(1 << 20), &mut io::sink());
}
