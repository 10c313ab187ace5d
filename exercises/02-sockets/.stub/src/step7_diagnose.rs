//! Step 7: from an `io::Error` to a sentence a person can act on.
//!
//! "Connection refused (os error 111)" is precise and useless to someone who
//! does not know what refused means. Every socket error has a usual cause and a
//! usual fix; saying both, with the address involved, turns a dead end into the
//! next thing to try.
//!
//! Book: "When things go wrong" in chapter 2.

use std::fmt;
use std::io;
use std::net::SocketAddr;

/// What the program was doing when the error came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Binding a socket to a local address.
    Bind,
    /// Connecting to a remote address.
    Connect,
    /// Sending to a remote address.
    Send,
    /// Receiving from a remote address.
    Receive,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Bind => "binding",
            Operation::Connect => "connecting to",
            Operation::Send => "sending to",
            Operation::Receive => "receiving from",
        })
    }
}

/// What was being done, and with which address: the two facts an error
/// message needs and an `io::Error` does not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The operation that failed.
    pub operation: Operation,
    /// The local address (for [`Operation::Bind`]) or the peer's address.
    pub addr: SocketAddr,
}

/// One line saying what went wrong and what to do about it, naming the address.
///
/// What each kind of error must produce (the tests check these phrases,
/// ignoring case):
///
/// - `ConnectionRefused`: "nothing is listening on {addr}" — and ask whether
///   the server is running, and on that port;
/// - `AddrInUse`: "port {port} is already in use" — and suggest another port,
///   or "port 0" to let the system choose;
/// - `AddrNotAvailable`: "{ip} is not an address of this machine";
/// - `PermissionDenied` while binding a port below 1024: that such ports need
///   administrator rights, naming 1024; otherwise that the system did not
///   permit the operation, with the address;
/// - `WouldBlock` or `TimedOut`: "no answer from {addr}" before the timeout;
/// - `ConnectionReset`: "{addr} reset the connection";
/// - `BrokenPipe`: "{addr} has already closed the connection";
/// - anything else: "{operation} {addr} failed: {error}", for example
///   "connecting to 127.0.0.1:9 failed: …".
///
/// Every diagnosis contains `{addr}` as `SocketAddr` displays it (`127.0.0.1:80`,
/// `[::1]:80`). Match on `error.kind()`, never on the raw OS error number: the
/// kinds are the same on every system, the numbers are not.
pub fn diagnose(error: &io::Error, context: &Context) -> String {
    // TODO: `match error.kind() { io::ErrorKind::ConnectionRefused => … }`,
    // with `format!` and `context.addr`; `context.operation` displays as
    // "connecting to", "binding", ….
    todo!("step 7: diagnose a socket error")
}
