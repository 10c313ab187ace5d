//! Step 1: a client that sends a request and reads the reply until EOF.
//!
//! Book: "A first client" (chapter TCP). Tests: `tests/step1_client.rs`.
//!
//! TCP carries a stream of bytes, not messages: a reply can arrive in any
//! number of pieces, so one `read` is never "the reply". When the server
//! closes its side after answering, the end of the reply is the end of the
//! stream: `read` returns `Ok(0)`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Whether an error is what an expired read or write timeout produces: Unix
/// reports it as `WouldBlock`, Windows as `TimedOut`. Given: use it in
/// every step.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Turns an expired socket timeout into an error of kind `TimedOut`, the
/// same on every system, and leaves every other error as it is. Given.
pub fn timed_out_as_such(error: io::Error) -> io::Error {
    if is_timeout(&error) {
        io::Error::new(io::ErrorKind::TimedOut, error)
    } else {
        error
    }
}

/// Connects to `addr`, sends `request`, and returns every byte the server
/// sends back until it closes the connection.
///
/// The task: `TcpStream::connect_timeout`, then give the stream a read and
/// a write timeout of `timeout` (without them a silent server holds you
/// for ever), send the whole request, and read until EOF.
///
/// Contract:
/// - the reply is *every* byte until the server closes, however many
///   pieces it comes in (one `read` is not enough: loop, or
///   `read_to_end`);
/// - the whole request is sent (`write` may take only part of it;
///   `write_all` loops);
/// - a server that closes without a word gives `Ok` with an empty reply;
/// - nothing listening at `addr` is the error of `connect`
///   (`ConnectionRefused`), returned, never unwrapped;
/// - a server that stays silent for `timeout` gives an error of kind
///   `TimedOut` (see [`timed_out_as_such`]), not a hang and not `Ok`.
pub fn request(
    addr: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    // TODO: connect_timeout, set_read_timeout, set_write_timeout,
    // write_all, read_to_end.
    todo!("step 1: request")
}
