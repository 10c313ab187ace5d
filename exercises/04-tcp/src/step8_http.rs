//! Step 8: a tiny HTTP/1.1 file server.
//!
//! Book: "HTTP on top of TCP" (chapter TCP). Tests: `tests/step8_http.rs`.
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

/// Reads a whole request head — the request line, the header lines, up to
/// and with the blank line — and parses its request line.
///
/// The task: `reader.take(MAX_HEAD as u64)` limits what you read; a loop
/// of `read_until(b'\n', &mut head)` adds a line at a time; a line that is
/// just `\r\n` (or `\n`) ends the head. Then split the first line on
/// spaces.
///
/// Contract:
/// - the head may arrive in any pieces (one byte at a time): it is read
///   whole before anything is answered;
/// - no blank line within [`MAX_HEAD`] bytes: `HeadTooLarge`;
/// - the stream ends before any byte: `Closed`; inside the head:
///   `Malformed`;
/// - `Malformed` too when the request line is not exactly three parts
///   `METHOD TARGET VERSION` separated by single spaces, when the method
///   is not letters, the target does not start with `/`, or the version
///   is neither `HTTP/1.0` nor `HTTP/1.1`, or a header line has no `:`;
/// - socket errors (a timeout) are `Io`.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, RequestError> {
    // TODO: take, a loop of read_until until the blank line, then parse.
    todo!("step 8: read_request")
}

/// The file under `root` that `target` names, or `None` when there is none
/// or the path would leave the root.
///
/// Contract:
/// - the query (`?…`) is not part of the path; the target is not
///   percent-decoded;
/// - the path is split on `/`: empty segments and `.` are skipped (so
///   `//etc/passwd` is `root/etc/passwd`, never `/etc/passwd` — beware
///   `Path::push` of an absolute path, which *replaces* the root), a `..`
///   segment is `None` at once, so is one with `\` or a NUL;
/// - a directory means its `index.html`;
/// - the result must be a file *inside* the root after following every
///   symbolic link: compare `canonicalize()` of both with `starts_with`.
///   A link that points outside the root is `None`.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    // TODO: split, push, index.html, canonicalize, starts_with.
    todo!("step 8: resolve")
}

/// The `Content-Type` for a file, from its extension. Given.
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

/// Answers one request on `stream` with a file under `root` (or an error
/// page), then closes the connection.
///
/// Contract — every response is `HTTP/1.1 <status> <reason>\r\n`, then
/// the headers `Content-Type`, `Content-Length` (the exact length of the
/// body) and `Connection: close`, a blank line, and the body:
/// - `GET` of a file [`resolve`] finds: `200 OK`, the file's bytes
///   exactly (binary too), its [`content_type`];
/// - `HEAD`: the same status and headers — `Content-Length` the file's
///   size — and no body;
/// - no such file, or a path outside the root: `404 Not Found`, with a
///   short text body (none for `HEAD`);
/// - any other method: `405 Method Not Allowed` with `Allow: GET, HEAD`;
/// - what [`read_request`] refuses (malformed, head too large): `400 Bad
///   Request`; a client that sent nothing gets nothing;
/// - give the stream a read and write timeout of [`REQUEST_TIMEOUT`], so
///   a silent client cannot keep the thread for ever;
/// - then close *gracefully*: `shutdown(Shutdown::Write)`, then read and
///   drop what the client still sends, until it closes (at most a second
///   or two, at most 1 MiB). Closing a socket with unread bytes sends RST,
///   and the client could lose the response it was about to read.
pub fn handle_connection(stream: TcpStream, root: &Path) -> io::Result<()> {
    // TODO: read_request on a BufReader of &stream; answer; close well.
    todo!("step 8: handle_connection")
}

/// Serves files under `root` for ever, a thread per connection (as in
/// step 6): a slow or silent client never delays the others. An `accept`
/// error that is not [`is_one_clients_trouble`] is returned.
pub fn serve_http(listener: TcpListener, root: PathBuf) -> io::Result<()> {
    // TODO: accept; a thread per connection running handle_connection.
    todo!("step 8: serve_http")
}
