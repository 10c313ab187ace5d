//! Step 7: from an `io::Error` to a sentence a person can act on.
//!
//! "Connection refused (os error 111)" is precise and useless to someone who
//! does not know what refused means. Every socket error has a usual cause and a
//! usual fix; saying both, with the address involved, turns a dead end into the
//! next thing to try. The kind of the error ([`io::ErrorKind`]) is the same on
//! every system, so that is what we match on, never the raw error number.
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

/// Ports below this one are privileged on Unix: binding them needs root or a
/// capability.
const FIRST_UNPRIVILEGED_PORT: u16 = 1024;

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
    let addr = context.addr;
    let port = addr.port();
    match error.kind() {
        io::ErrorKind::ConnectionRefused => format!(
            "nothing is listening on {addr} — is the server running, \
             and on that port?"
        ),
        io::ErrorKind::AddrInUse => format!(
            "{addr}: port {port} is already in use by another socket — stop the \
             other program, pick another port, or bind port 0 and let the \
             system choose"
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "{addr}: {} is not an address of this machine — bind 127.0.0.1, 0.0.0.0 \
             or an address your network interfaces have",
            addr.ip()
        ),
        io::ErrorKind::PermissionDenied => permission_denied(context),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => format!(
            "no answer from {addr} before the timeout — the peer may be slow or \
             down, or the packet was lost; try again, or wait longer"
        ),
        io::ErrorKind::ConnectionReset => format!(
            "{addr} reset the connection — the peer crashed, was killed, or closed \
             without reading everything; reconnect if you need to go on"
        ),
        io::ErrorKind::BrokenPipe => format!(
            "{addr} has already closed the connection, and we wrote to it anyway — \
             check for a 0-byte read (the peer's goodbye) before writing"
        ),
        _ => format!("{} {addr} failed: {error}", context.operation),
    }
}

/// `PermissionDenied` has two usual causes: a privileged port, or a firewall
/// (or a broadcast address sent to without `SO_BROADCAST`).
fn permission_denied(context: &Context) -> String {
    let addr = context.addr;
    let privileged = addr.port() < FIRST_UNPRIVILEGED_PORT;
    if context.operation == Operation::Bind && privileged {
        format!(
            "{addr}: ports below {FIRST_UNPRIVILEGED_PORT} need administrator \
             rights — use a port of {FIRST_UNPRIVILEGED_PORT} or above"
        )
    } else {
        format!(
            "the system did not permit {} {addr} — a firewall rule, or a broadcast \
             address without SO_BROADCAST?",
            context.operation
        )
    }
}
