//! Step 2: an echo server, for one client and then for clients in turn.
//!
//! Book: "An echo server" (chapter TCP). Tests: `tests/step2_echo.rs`.
//!
//! `accept` hands over a *new* socket for each client; the listening socket
//! only ever takes new connections. Echoing is a loop: read what has come,
//! write it all back, until `read` returns 0 — the client has stopped
//! sending. Then finish, and close our side too.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};

/// What [`serve_in_turn`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnStats {
    /// Clients whose echo ended cleanly, with their EOF.
    pub served: usize,
    /// Clients whose connection ended in an error (reset, timeout, …), and
    /// failed `accept`s.
    pub failed: usize,
    /// Bytes echoed to the clients that were served.
    pub bytes: u64,
}

/// Sends back every byte that arrives on `stream`, as it arrives, until
/// the client half-closes; then shuts down our sending side and returns
/// the number of bytes echoed.
///
/// Contract:
/// - each piece goes back as soon as it has arrived (`read` into a
///   buffer, `write_all` what you got), not after the client is done: a
///   client may wait for its first line before sending the second;
/// - every byte, in order, binary or not, however much;
/// - `read` returning `Ok(0)` is the end: then
///   `stream.shutdown(Shutdown::Write)`, so the client's own read sees
///   EOF, and return the count;
/// - an error reading or writing is returned; `Interrupted` is retried.
pub fn echo(stream: &mut TcpStream) -> io::Result<u64> {
    // TODO: a loop of read and write_all, until read returns 0.
    todo!("step 2: echo")
}

/// Accepts one client on `listener`, echoes it (see [`echo`]), and returns
/// the client's address and the bytes echoed. The connection is closed
/// when this returns.
pub fn echo_one_client(listener: &TcpListener) -> io::Result<(SocketAddr, u64)> {
    // TODO: accept, echo.
    todo!("step 2: echo_one_client")
}

/// Serves `clients` clients on `listener`, one after another, each until
/// it half-closes, and returns what happened.
///
/// Contract: a client whose connection fails (it resets, it vanishes)
/// counts as `failed` and the server goes on with the next: one client's
/// error is never the server's. `bytes` adds up what was echoed to the
/// clients `served`.
pub fn serve_in_turn(
    listener: &TcpListener,
    clients: usize,
) -> io::Result<TurnStats> {
    // TODO: a loop of echo_one_client; count instead of `?`.
    todo!("step 2: serve_in_turn")
}
