//! Step 1: a client that sends a request and reads the reply until EOF.
//!
//! TCP carries a stream of bytes, not messages: a reply can arrive in any
//! number of pieces, so one `read` is never "the reply". When the server
//! closes its side after answering, the end of the reply is the end of the
//! stream, and `read_to_end` reads every piece until then.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Whether an error is what an expired read or write timeout produces: Unix
/// reports it as `WouldBlock`, Windows as `TimedOut`.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Turns an expired socket timeout into an error of kind `TimedOut`, the
/// same on every system, and leaves every other error as it is.
pub fn timed_out_as_such(error: io::Error) -> io::Error {
    if is_timeout(&error) {
        io::Error::new(io::ErrorKind::TimedOut, error)
    } else {
        error
    }
}

/// Connects to `addr`, sends `request`, and returns every byte the server
/// sends back until it closes the connection.
pub fn request(
    addr: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    // Without these a silent server would hold us for ever.
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    // `write` may take only part of the request; `write_all` loops.
    stream.write_all(request).map_err(timed_out_as_such)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).map_err(timed_out_as_such)?;
    Ok(reply)
}
